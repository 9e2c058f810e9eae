"""The one place where an invoice's status changes: the status follows the amounts (total,
credited, paid), the move is checked against ALLOWED_INVOICE_TRANSITIONS, and a history row
is written. Callers hold the invoice row's lock."""

from __future__ import annotations

from ..models import ALLOWED_INVOICE_TRANSITIONS, Invoice, InvoiceEvent, InvoiceStatus

__all__ = ["invoice_record_change", "status_for"]


def status_for(*, total: int, credited: int, paid: int) -> InvoiceStatus:
    if credited >= total:
        return InvoiceStatus.CANCELLED
    if total - credited - paid <= 0:
        return InvoiceStatus.PAID
    if paid > 0:
        return InvoiceStatus.PARTIALLY_PAID
    return InvoiceStatus.ISSUED


def invoice_record_change(*, invoice: Invoice, kind: str, detail: str, actor) -> InvoiceEvent:
    """Save the invoice's amounts, move its status to what they say (if allowed) and record
    the event. Raises ValueError on a move the map refuses (a bug, never a user error)."""
    before = InvoiceStatus(invoice.status)
    after = status_for(total=invoice.total_cents, credited=invoice.credited_cents, paid=invoice.paid_cents)
    if after != before and after not in ALLOWED_INVOICE_TRANSITIONS[before]:
        raise ValueError(f"invoice {invoice.number}: {before} → {after} is not allowed")
    invoice.status = after
    invoice.save(update_fields=["credited_cents", "paid_cents", "status"])
    return InvoiceEvent.objects.create(invoice=invoice, kind=kind, from_status=before, to_status=after,
                                       detail=detail[:300], actor=actor)
