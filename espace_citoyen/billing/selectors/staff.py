"""Reads of the Régie's back office: invoices with their filters, one invoice with its lines,
payments and credit notes, the credit notes to propose, households' quotients and the
certificates they transmitted to the Régie, runs, and the accounting exports. Lists cost a
fixed number of queries whatever their length."""

from __future__ import annotations

import datetime

from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from espace_citoyen.activities.models import AttendanceStatus, OccurrenceStatus
from espace_citoyen.core.search import words_match
from espace_citoyen.documents.models import DocumentTransmission, DocumentType
from espace_citoyen.family.models import Child, Household, Membership

from ..models import (
    OPEN_INVOICE_STATUSES,
    CreditNote,
    CreditNoteLine,
    HouseholdQuotient,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    InvoicingRun,
    Payment,
)

__all__ = [
    "OVERDUE", "credit_notes_between", "credit_proposals", "household_for_quotients", "household_quotient_history",
    "households_for_quotients", "invoice_for_staff", "invoice_months", "invoices_between", "invoices_for_staff", "payments_between",
    "regie_certificates_for", "run_for_staff", "runs_recent", "unpaid_invoices",
]

OVERDUE = "overdue"  # the "en retard" filter: open and past its due date


def invoices_for_staff(*, month: datetime.date | None = None, status: str = "", query: str = "",
                       today: datetime.date | None = None) -> QuerySet[Invoice]:
    today = today or timezone.localdate()
    queryset = Invoice.objects.order_by("-month", "-number")
    if month:
        queryset = queryset.filter(month=month.replace(day=1))
    if status == OVERDUE:
        queryset = queryset.filter(status__in=OPEN_INVOICE_STATUSES, due_date__lt=today)
    elif status in InvoiceStatus.values:
        queryset = queryset.filter(status=status)
    if query.strip():
        queryset = queryset.filter(words_match(query, "addressee", "number"))
    return queryset


def invoice_months() -> list[datetime.date]:
    return list(Invoice.objects.order_by("-month").values_list("month", flat=True).distinct())


def invoice_for_staff(*, invoice_id: int) -> Invoice:
    return get_object_or_404(Invoice.objects.select_related("run"), pk=invoice_id)


def _credited():
    return Coalesce(Subquery(CreditNoteLine.objects.filter(invoice_line=OuterRef("pk")).order_by()
                             .values("invoice_line").annotate(total=Sum("amount_cents")).values("total"),
                             output_field=IntegerField()), 0)


def credit_proposals(*, invoice: Invoice | None = None) -> QuerySet[InvoiceLine]:
    """Billed days that should not have been, as things stand now: an absence justified
    (medical certificate) or a day closed by the town after the invoice – not yet credited.
    Each line has ``proposal_reason`` and ``creditable_cents``."""
    queryset = InvoiceLine.objects.filter(
        Q(reservation__attendance__status=AttendanceStatus.JUSTIFIED)
        | Q(reservation__occurrence__status=OccurrenceStatus.CLOSED)
    ).exclude(invoice__status=InvoiceStatus.CANCELLED)
    if invoice is not None:
        queryset = queryset.filter(invoice=invoice)
    return (
        queryset.annotate(
            creditable_cents=F("amount_cents") - _credited(),
            proposal_reason=Case(
                When(reservation__occurrence__status=OccurrenceStatus.CLOSED, then=Value("Journée fermée par la mairie")),
                default=Value("Absence justifiée après facturation"), output_field=CharField()),
        ).filter(creditable_cents__gt=0).select_related("invoice").order_by("invoice__number", "date", "id")
    )


def runs_recent(*, limit: int = 12) -> list[InvoicingRun]:
    return list(InvoicingRun.objects.select_related("created_by").order_by("-created_at", "-id")[:limit])


def run_for_staff(*, run_id: int) -> InvoicingRun:
    return get_object_or_404(InvoicingRun.objects.select_related("created_by"), pk=run_id)


# --- Quotients ---------------------------------------------------------------------------


def households_for_quotients(*, query: str = "") -> QuerySet:
    """Households found by an adult's or a child's name or an adult's e-mail (accents and case
    ignored), with their adults and children; households with an open transmission to the
    Régie first when nothing is searched."""

    queryset = Household.objects.all()
    if query.strip():
        adults = Membership.objects.filter(words_match(query, "user__first_name", "user__last_name", "user__email"))
        children = Child.objects.filter(words_match(query, "first_name", "last_name"))
        queryset = queryset.filter(Q(pk__in=adults.values("household_id")) | Q(pk__in=children.values("household_id")))
    else:
        sent = DocumentTransmission.objects.filter(service="regie", demarche__status__in=["sent", "in_progress"],
                                                   demarche__user__memberships__household=OuterRef("pk"))
        queryset = queryset.filter(Exists(sent))
    return queryset.prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("user").order_by("joined_at")),
        Prefetch("children", queryset=Child.objects.order_by("birth_date", "first_name")),
        Prefetch("quotients", queryset=HouseholdQuotient.objects.select_related("school_year").order_by("-set_at", "-id")),
    ).order_by("pk")


def household_for_quotients(*, household_id: int):
    return get_object_or_404(Household.objects.prefetch_related("memberships__user", "children"), pk=household_id)


def household_quotient_history(*, household) -> list[HouseholdQuotient]:
    return list(HouseholdQuotient.objects.filter(household=household)
                .select_related("school_year", "document", "demarche", "set_by").order_by("-set_at", "-id"))


def regie_certificates_for(*, household) -> list[tuple]:
    """(document, démarche) of the CAF or tax certificates the household's adults transmitted
    to the Régie, newest first: the documents a quotient may be read from."""

    pairs = []
    transmissions = (DocumentTransmission.objects.filter(service="regie", demarche__user__memberships__household=household)
                     .select_related("demarche").prefetch_related("documents").order_by("-created_at", "-id")
                     .distinct())
    for transmission in transmissions:
        for document in transmission.documents.all():
            if document.doc_type in (DocumentType.CAF_CERTIFICATE, DocumentType.TAX_NOTICE):
                pairs.append((document, transmission.demarche))
    return pairs


# --- Accounting exports ------------------------------------------------------------------


def invoices_between(*, start: datetime.date, end: datetime.date) -> QuerySet[Invoice]:
    return Invoice.objects.filter(issue_date__range=(start, end)).order_by("number")


def credit_notes_between(*, start: datetime.date, end: datetime.date) -> QuerySet[CreditNote]:
    return CreditNote.objects.filter(issue_date__range=(start, end)).select_related("invoice").order_by("number")


def payments_between(*, start: datetime.date, end: datetime.date) -> QuerySet[Payment]:
    return Payment.objects.filter(received_on__range=(start, end)).select_related("invoice").order_by(
        "received_on", "receipt_number")


def unpaid_invoices(*, due_before: datetime.date) -> QuerySet[Invoice]:
    """Open invoices whose due date is before ``due_before``: the list the Régie transfers to
    the Trésor public."""
    return Invoice.objects.filter(status__in=OPEN_INVOICE_STATUSES, due_date__lt=due_before).order_by("due_date",
                                                                                                      "number")
