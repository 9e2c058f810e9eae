"""A household's invoices, for its adults (both parents see them). Every read is scoped to
the caller's households: another household's invoice, credit note or receipt is a 404."""

from __future__ import annotations

import datetime
from collections import OrderedDict
from dataclasses import dataclass

from django.db.models import Count, F, Min, Prefetch, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from espace_citoyen.family.models import Membership

from ..models import (OPEN_INVOICE_STATUSES, CreditNote, CreditNoteLine, Invoice, InvoiceLine, OnlineCheckout, Payment,
                      PaymentMethod)

__all__ = ["InvoicesSummary", "checkout_for", "checkout_by_session_for", "credit_note_for", "due_invoices_for", "invoice_detail_for", "invoice_for", "invoice_years_for",
           "invoices_for", "invoices_summary_for", "payment_for", "payment_method_label", "payment_years_for",
           "payments_for"]

ONLINE_METHOD = PaymentMethod.ONLINE
DESK_METHODS = {"cash": "Espèces", "cheque": "Chèque", "card": "Carte bancaire", "transfer": "Virement"}


def _households(user):
    return Membership.objects.filter(user=user).values("household_id")


def invoices_for(*, user, year: int | None = None) -> QuerySet[Invoice]:
    queryset = Invoice.objects.filter(household_id__in=_households(user))
    if year:
        queryset = queryset.filter(month__year=year)
    return queryset.order_by("-month", "-number")


def invoice_years_for(*, user) -> list[int]:
    return sorted({day.year for day in invoices_for(user=user).values_list("month", flat=True)}, reverse=True)


def invoice_for(*, user, invoice_id: int) -> Invoice:
    return get_object_or_404(invoices_for(user=user), pk=invoice_id)


def credit_note_for(*, user, credit_note_id: int) -> CreditNote:
    return get_object_or_404(CreditNote.objects.select_related("invoice").filter(
        invoice__household_id__in=_households(user)), pk=credit_note_id)


def payment_for(*, user, payment_id: int) -> Payment:
    return get_object_or_404(Payment.objects.select_related("invoice").filter(
        invoice__household_id__in=_households(user)), pk=payment_id)


def payment_method_label(method: str) -> str:
    """How a family reads a payment's method: « En ligne », or « Au guichet (Chèque) »…"""
    if method == ONLINE_METHOD:
        return "En ligne"
    if method in DESK_METHODS:
        return f"Au guichet ({DESK_METHODS[method]})"
    return dict(PaymentMethod.choices).get(method, method) or "—"


def payments_for(*, user, year: int | None = None) -> QuerySet[Payment]:
    """The payments received for the caller's households' invoices (one row per invoice
    paid: a payment of several invoices at once is one row per invoice), newest first,
    with their invoice; ``year`` filters on the day received."""
    queryset = Payment.objects.filter(invoice__household_id__in=_households(user)).select_related("invoice")
    if year:
        queryset = queryset.filter(received_on__year=year)
    return queryset.order_by("-received_on", "-id")


def payment_years_for(*, user) -> list[int]:
    return [day.year for day in Payment.objects.filter(invoice__household_id__in=_households(user))
            .dates("received_on", "year", order="DESC")]


def group_lines(lines) -> list[dict]:
    """[{child, activities: [{name, lines, total_cents}], total_cents}] in the lines' order."""
    children: OrderedDict = OrderedDict()
    for line in lines:
        activities = children.setdefault(line.child_name, OrderedDict())
        activities.setdefault(line.activity_name, []).append(line)
    return [
        {"child": child, "total_cents": sum(line.amount_cents for lines in activities.values() for line in lines),
         "activities": [{"name": name, "lines": lines, "total_cents": sum(line.amount_cents for line in lines)}
                        for name, lines in activities.items()]}
        for child, activities in children.items()
    ]


def invoice_detail_for(*, user, invoice_id: int) -> dict:
    """The invoice, its lines by child and activity, its credit notes (with their lines) and
    payments: four queries whatever their number."""
    invoice = invoice_for(user=user, invoice_id=invoice_id)
    return invoice_detail(invoice)


def invoice_detail(invoice: Invoice) -> dict:
    lines = list(InvoiceLine.objects.filter(invoice=invoice).annotate(
        credited_cents=Sum("credit_lines__amount_cents")).order_by("child_name", "activity_name", "date", "id"))
    credit_notes = list(CreditNote.objects.filter(invoice=invoice).order_by("issue_date", "number").prefetch_related(
        Prefetch("lines", queryset=CreditNoteLine.objects.select_related("invoice_line"))))
    payments = list(Payment.objects.filter(invoice=invoice).order_by("received_on", "id"))
    return {"invoice": invoice, "groups": group_lines(lines), "lines": lines, "credit_notes": credit_notes,
            "payments": payments, "regularisation": any(line.is_regularisation for line in lines)}


@dataclass
class InvoicesSummary:
    open_count: int = 0
    overdue_count: int = 0
    total_due_cents: int = 0
    next_due_date: datetime.date | None = None
    invoices_count: int = 0


def invoices_summary_for(*, user, today: datetime.date | None = None) -> InvoicesSummary:
    """The dashboard tile: what is due and when, in one query."""
    today = today or timezone.localdate()
    is_open = Q(status__in=OPEN_INVOICE_STATUSES)
    values = invoices_for(user=user).order_by().aggregate(
        count=Count("pk"), open=Count("pk", filter=is_open),
        overdue=Count("pk", filter=is_open & Q(due_date__lt=today)),
        due=Sum(F("total_cents") - F("credited_cents") - F("paid_cents"), filter=is_open),
        next_due=Min("due_date", filter=is_open),
    )
    return InvoicesSummary(open_count=values["open"], overdue_count=values["overdue"],
                           total_due_cents=max(values["due"] or 0, 0), next_due_date=values["next_due"],
                           invoices_count=values["count"])


def due_invoices_for(*, user) -> tuple[int | None, list[Invoice]]:
    """(household id, its invoices with something left to pay) for « Tout payer »: the first
    household of the caller (by membership) that has any."""
    invoices = [invoice for invoice in invoices_for(user=user).filter(status__in=OPEN_INVOICE_STATUSES)
                .order_by("household_id", "month") if invoice.balance_cents > 0]
    if not invoices:
        return None, []
    order = list(Membership.objects.filter(user=user).order_by("joined_at", "id").values_list("household_id", flat=True))
    household_id = min({invoice.household_id for invoice in invoices},
                       key=lambda pk: order.index(pk) if pk in order else len(order))
    return household_id, [invoice for invoice in invoices if invoice.household_id == household_id]


def checkout_for(*, user, checkout_id: int) -> OnlineCheckout:
    return get_object_or_404(OnlineCheckout.objects.filter(household_id__in=_households(user))
                             .prefetch_related("invoices", "payments"), pk=checkout_id)


def checkout_by_session_for(*, user, session_id: str) -> OnlineCheckout:
    return get_object_or_404(OnlineCheckout.objects.filter(household_id__in=_households(user)),
                             provider_session_id=session_id[:255])
