"""Payments received at the town hall's desk (cash, cheque, card at the counter, bank
transfer): partial payments allowed, over-payment refused; each payment gets a receipt
(number and PDF) and the invoice's balance and status follow."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from espace_citoyen.core.emails import send_templated_email, site_url
from espace_citoyen.core.money import format_cents

from ..models import Invoice, InvoiceEventKind, InvoiceStatus, NumberKind, Payment, PaymentMethod
from . import BillingError
from .documents import _emails_by_household, receipt_store_pdf
from .numbering import numbers_take
from .status import invoice_record_change

__all__ = ["payment_record"]


def payment_record(*, invoice: Invoice, amount_cents: int, method: str, actor, received_on: datetime.date | None = None,
                   cheque_number: str = "", bank: str = "", reference: str = "", checkout=None,
                   provider_payment_id: str = "", notify: bool = True) -> Payment:
    """Record money received for the invoice. Raises BillingError (French message) when
    refused: nothing to pay, over-payment, cheque without number or bank… An online payment
    (method ONLINE) comes with its settled ``checkout`` (payments_online); ``notify=False``
    leaves the family's e-mail to the caller (one receipt e-mail for several invoices)."""
    today = timezone.localdate()
    received_on = received_on or today
    cheque_number, bank, reference = (cheque_number or "").strip(), (bank or "").strip(), (reference or "").strip()
    if method not in PaymentMethod.values:
        raise BillingError("Choisissez le moyen de paiement.", code="method")
    if amount_cents is None or int(amount_cents) <= 0:
        raise BillingError("Le montant doit être supérieur à 0 €.", code="amount")
    if received_on > today:
        raise BillingError("La date de réception ne peut pas être dans le futur.", code="date")
    if (method == PaymentMethod.ONLINE) != (checkout is not None):
        raise BillingError("Un paiement en ligne ne s'enregistre pas au guichet.", code="method")
    if method == PaymentMethod.CHEQUE and not (cheque_number and bank):
        raise BillingError("Pour un chèque, indiquez son numéro et la banque.", code="cheque")
    if method != PaymentMethod.CHEQUE:
        cheque_number = bank = ""
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.status == InvoiceStatus.CANCELLED:
            raise BillingError("Cette facture est annulée par avoir : il n'y a rien à payer.", code="cancelled")
        balance = invoice.balance_cents
        if balance <= 0:
            raise BillingError("Cette facture est déjà entièrement payée.", code="paid")
        if amount_cents > balance:
            raise BillingError(
                f"Le montant saisi ({format_cents(amount_cents)}) dépasse le reste à payer ({format_cents(balance)}) : "
                f"un trop-perçu ne peut pas être enregistré. Saisissez au plus {format_cents(balance)}.",
                code="overpayment")
        (number,) = numbers_take(kind=NumberKind.RECEIPT, year=today.year)
        payment = Payment.objects.create(invoice=invoice, amount_cents=amount_cents, method=method,
                                         received_on=received_on, cheque_number=cheque_number[:30], bank=bank[:100],
                                         reference=reference[:100], receipt_number=number, recorded_by=actor,
                                         checkout=checkout, provider_payment_id=provider_payment_id[:255])
        invoice.paid_cents += amount_cents
        invoice_record_change(invoice=invoice, kind=InvoiceEventKind.PAYMENT, actor=actor,
                              detail=f"{payment.get_method_display()} de {format_cents(amount_cents)} (reçu {number})")
        payment.invoice = invoice
        receipt_store_pdf(payment=payment, balance_after=invoice.balance_cents)
        if notify:
            _notify(payment=payment, invoice=invoice)
    return payment


def _notify(*, payment: Payment, invoice: Invoice) -> None:
    to = _emails_by_household([invoice.household_id]).get(invoice.household_id, [])
    send_templated_email(template="billing/emails/payment_received", to=to, context={
        "payment": payment, "invoice": invoice, "url": site_url(reverse("billing:detail", args=[invoice.pk])),
    })
