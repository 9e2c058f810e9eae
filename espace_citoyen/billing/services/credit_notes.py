"""Credit notes ("avoirs"): an issued invoice is never edited; money given back on some of
its lines (or all) is a credit note with its own number, reason and PDF. The invoice's row is
locked while the amounts are checked, so that two agents cannot credit the same line twice."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from espace_citoyen.core.emails import send_templated_email, site_url
from espace_citoyen.core.money import format_cents

from ..models import CreditNote, CreditNoteLine, Invoice, InvoiceEventKind, InvoiceLine, InvoiceStatus, NumberKind
from . import BillingError
from .documents import _emails_by_household, credit_note_store_pdf
from .numbering import numbers_take
from .status import invoice_record_change

__all__ = ["credit_note_create", "creditable_amounts"]


def creditable_amounts(*, invoice: Invoice) -> dict[int, int]:
    """What may still be credited on each line of the invoice: {line id: cents}."""
    credited = dict(CreditNoteLine.objects.filter(invoice_line__invoice=invoice).values("invoice_line")
                    .annotate(total=Sum("amount_cents")).values_list("invoice_line", "total"))
    return {pk: amount - credited.get(pk, 0)
            for pk, amount in InvoiceLine.objects.filter(invoice=invoice).values_list("pk", "amount_cents")}


def credit_note_create(*, invoice: Invoice, reason: str, actor, lines: dict[int, int | None] | None = None,
                       today: datetime.date | None = None, notify: bool = True) -> CreditNote:
    """Credit ``lines`` ({invoice line id: cents, or None for what remains of the line}) of
    the invoice, or every line when ``lines`` is None (the whole invoice). Raises BillingError
    with a French message when refused. ``notify=False``: the caller tells the family (a
    refund's e-mail carries its credit note)."""
    reason = (reason or "").strip()
    if not reason:
        raise BillingError("Indiquez le motif de l'avoir.", code="reason")
    today = today or timezone.localdate()
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.status == InvoiceStatus.CANCELLED:
            raise BillingError("Cette facture est déjà entièrement annulée par avoir.", code="cancelled")
        remaining = creditable_amounts(invoice=invoice)
        wanted = {pk: None for pk, left in remaining.items() if left > 0} if lines is None else dict(lines)
        if not wanted:
            raise BillingError("Choisissez au moins une ligne de la facture.", code="empty")
        amounts = {}
        for pk, amount in wanted.items():
            if pk not in remaining:
                raise BillingError("Une des lignes choisies n'appartient pas à cette facture.", code="line")
            left = remaining[pk]
            amount = left if amount is None else int(amount)
            if left <= 0:
                raise BillingError("Une des lignes choisies a déjà été entièrement remboursée par un avoir.",
                                   code="credited")
            if amount <= 0 or amount > left:
                raise BillingError(f"Le montant d'une ligne doit être compris entre {format_cents(1)} et {format_cents(left)}.",
                                   code="amount")
            amounts[pk] = amount
        total = sum(amounts.values())
        (number,) = numbers_take(kind=NumberKind.CREDIT_NOTE, year=today.year)
        credit_note = CreditNote.objects.create(number=number, invoice=invoice, issue_date=today, reason=reason[:300],
                                                total_cents=total, created_by=actor)
        CreditNoteLine.objects.bulk_create([CreditNoteLine(credit_note=credit_note, invoice_line_id=pk, amount_cents=a)
                                            for pk, a in sorted(amounts.items())])
        invoice.credited_cents += total
        invoice_record_change(invoice=invoice, kind=InvoiceEventKind.CREDIT_NOTE, actor=actor,
                              detail=f"Avoir {number} de {format_cents(total)} : {reason}")
        credit_note.invoice = invoice
        credit_note_store_pdf(credit_note=credit_note, balance_after=invoice.balance_cents)
        if notify:
            _notify(credit_note=credit_note, invoice=invoice)
    return credit_note


def _notify(*, credit_note: CreditNote, invoice: Invoice) -> None:
    to = _emails_by_household([invoice.household_id]).get(invoice.household_id, [])
    send_templated_email(template="billing/emails/credit_note", to=to, context={
        "credit_note": credit_note, "invoice": invoice, "refund_cents": max(-invoice.balance_cents, 0),
        "url": site_url(reverse("billing:detail", args=[invoice.pk])),
    })
