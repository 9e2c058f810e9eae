"""Refunds of online payments, made by a Régie agent from the admin (part or all of a
payment): the refund is made at the provider with an idempotency key, recorded (``Refund``,
with the provider's refund id, so that the ``charge.refunded`` webhook announcing the same
refund later is recognised: ``refund_already_recorded``), a credit note is issued on the
invoice for the amount, and the family is e-mailed with the credit note.

Accounting: the money goes back to the family, so the invoice's ``paid_cents`` goes down by
the amount; the credit note lowers what was due by the same amount (less any credit the
family already had on the invoice, an over-payment left by an earlier credit note, which the
refund pays back first). The balance of a paid invoice stays 0; a full refund of a fully
paid invoice cancels it.

Two agents, or a double submit: the payment's row is locked while the amounts are checked;
the idempotency key is made of the payment, what had been refunded when the agent saw the
form, and the amount, so the same form sent twice gives one refund at the provider and one
row (the second finds the first)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from espace_citoyen.core.emails import send_templated_email, site_url
from espace_citoyen.core.money import format_cents

from ..models import (ALLOWED_INVOICE_TRANSITIONS, Invoice, InvoiceEventKind, InvoiceStatus, Payment, PaymentMethod,
                      Refund)
from ..providers import ProviderError, get_provider
from . import BillingError
from .credit_notes import credit_note_create, creditable_amounts
from .documents import _emails_by_household
from .status import invoice_record_change, status_for

logger = logging.getLogger("espace_citoyen.billing.refunds")

__all__ = ["refund_already_recorded", "refund_idempotency_key", "refund_payment", "refundable_cents",
           "refunded_cents"]

REFUND_DELAY_TEXT = "sous 5 à 10 jours"


def refunded_cents(*, payment: Payment) -> int:
    return Refund.objects.filter(payment=payment).aggregate(total=Sum("amount_cents"))["total"] or 0


def refundable_cents(*, payment: Payment) -> int:
    """What may still be refunded on the payment (0 for a payment not made online)."""
    if payment.method != PaymentMethod.ONLINE or not payment.provider_payment_id:
        return 0
    return max(payment.amount_cents - refunded_cents(payment=payment), 0)


def refund_already_recorded(provider_refund_id: str) -> bool:
    """Whether the provider's refund ``provider_refund_id`` is recorded (made from the admin,
    or already seen by a webhook): the webhook side records only the others."""
    return bool(provider_refund_id) and Refund.objects.filter(provider_refund_id=provider_refund_id).exists()


def refund_idempotency_key(*, payment: Payment, refunded_before: int, amount_cents: int) -> str:
    return f"refund-{payment.pk}-{refunded_before}-{amount_cents}"


def _credit_lines(*, invoice: Invoice, cents: int) -> dict[int, int]:
    """``cents`` spread over the invoice's lines still creditable, in line order."""
    lines, left = {}, cents
    for pk, creditable in sorted(creditable_amounts(invoice=invoice).items()):
        if left <= 0:
            break
        share = min(creditable, left)
        if share > 0:
            lines[pk] = share
            left -= share
    if left > 0:
        raise BillingError("Le montant dépasse ce qui peut encore être remboursé par avoir sur cette facture.",
                           code="amount")
    return lines


def _check_statuses(*, invoice: Invoice, credit: int, amount: int) -> None:
    """Refuse (before the provider is called) a refund whose invoice moves the status map
    does not allow (an invoice still open that would go back to « À payer »)."""
    before = InvoiceStatus(invoice.status)
    middle = status_for(total=invoice.total_cents, credited=invoice.credited_cents + credit,
                        paid=invoice.paid_cents)
    after = status_for(total=invoice.total_cents, credited=invoice.credited_cents + credit,
                       paid=invoice.paid_cents - amount)
    for start, end in ((before, middle), (middle, after)):
        if end != start and end not in ALLOWED_INVOICE_TRANSITIONS[start]:
            raise BillingError("Ce remboursement changerait l'état de la facture d'une façon non prévue (facture "
                               "encore ouverte) : faites d'abord un avoir depuis la facture.", code="status")


def refund_payment(*, payment: Payment, amount_cents: int, reason: str, by, refunded_before: int | None = None,
                   ) -> Refund:
    """Refund ``amount_cents`` of an online payment. ``refunded_before``: what had been
    refunded on the payment when the agent opened the form (the idempotency key; None: now).
    Returns the Refund (the one already made when the same form comes twice). Raises
    BillingError with a French message when refused or when the provider fails (then nothing
    is recorded)."""
    reason = (reason or "").strip()
    if not reason:
        raise BillingError("Indiquez le motif du remboursement.", code="reason")
    if amount_cents is None or int(amount_cents) <= 0:
        raise BillingError("Le montant à rembourser doit être supérieur à 0 €.", code="amount")
    amount_cents = int(amount_cents)
    with transaction.atomic():
        payment = Payment.objects.select_for_update(of=("self",)).select_related("checkout").get(pk=payment.pk)
        if payment.method != PaymentMethod.ONLINE or not payment.provider_payment_id:
            raise BillingError("Seul un paiement fait en ligne peut être remboursé depuis cet écran.", code="method")
        invoice = Invoice.objects.select_for_update().get(pk=payment.invoice_id)
        refunded = refunded_cents(payment=payment)
        seen = refunded if refunded_before is None else int(refunded_before)
        key = refund_idempotency_key(payment=payment, refunded_before=seen, amount_cents=amount_cents)
        done = Refund.objects.filter(idempotency_key=key).first()
        if done is not None:  # the same form sent again: already made
            return done
        if seen != refunded:
            raise BillingError(f"Un autre remboursement vient d'être enregistré sur ce paiement (déjà remboursé : "
                               f"{format_cents(refunded)}) : vérifiez le montant avant de recommencer.",
                               code="changed")
        left = payment.amount_cents - refunded
        if left <= 0:
            raise BillingError("Ce paiement est déjà entièrement remboursé.", code="refunded")
        if amount_cents > left:
            raise BillingError(f"Le montant doit être compris entre {format_cents(1)} et {format_cents(left)} "
                               f"(paiement de {format_cents(payment.amount_cents)}, déjà remboursé : "
                               f"{format_cents(refunded)}).", code="amount")
        # What the family had in credit on the invoice (an over-payment) is paid back first.
        credit = amount_cents - min(amount_cents, max(-invoice.balance_cents, 0))
        lines = _credit_lines(invoice=invoice, cents=credit) if credit else {}
        _check_statuses(invoice=invoice, credit=credit, amount=amount_cents)

        try:
            info = get_provider(payment.checkout.provider if payment.checkout_id else "stripe").refund(
                payment_ref=payment.provider_payment_id, amount_cents=amount_cents, idempotency_key=key)
        except ProviderError as error:
            logger.warning("refund of payment %s failed: %s", payment.pk, error)
            raise BillingError("Le prestataire de paiement n'a pas pu faire le remboursement ; rien n'a été "
                               "enregistré. Réessayez dans quelques minutes.", code="provider") from error

        credit_note = None
        if lines:
            credit_note = credit_note_create(invoice=invoice, lines=lines, actor=by, notify=False,
                                             reason=f"Remboursement du paiement en ligne {payment.receipt_number} : "
                                                    f"{reason}")
            invoice.refresh_from_db()
        invoice.paid_cents -= amount_cents
        invoice_record_change(invoice=invoice, kind=InvoiceEventKind.REFUND, actor=by,
                              detail=f"Remboursement en ligne de {format_cents(amount_cents)} (reçu "
                                     f"{payment.receipt_number}) : {reason}")
        values = {"payment": payment, "amount_cents": amount_cents, "idempotency_key": key,
                  "credit_note": credit_note, "reason": reason[:300], "created_by": by, "created_at": timezone.now()}
        refund = Refund.objects.filter(provider_refund_id=info.refund_id).first()
        if refund is None:
            refund = Refund.objects.create(provider_refund_id=info.refund_id, **values)
        else:  # seen by a webhook first (an earlier attempt rolled back here): completed
            for field, value in values.items():
                setattr(refund, field, value)
            refund.save()
        _notify(refund=refund, payment=payment, invoice=invoice)
    return refund


def _notify(*, refund: Refund, payment: Payment, invoice: Invoice) -> None:
    to = list(_emails_by_household([invoice.household_id]).get(invoice.household_id, []))
    payer_email = payment.checkout.payer_email if payment.checkout_id else ""
    if payer_email and payer_email not in to:
        to.append(payer_email)
    attachments = []
    credit_note = refund.credit_note
    if credit_note is not None and credit_note.pdf:
        with credit_note.pdf.open("rb") as handle:
            attachments.append((f"avoir-{credit_note.number}.pdf", handle.read(), "application/pdf"))
    send_templated_email(template="billing/emails/refund_made", to=to, attachments=attachments, context={
        "refund": refund, "payment": payment, "invoice": invoice, "credit_note": credit_note,
        "delay": REFUND_DELAY_TEXT, "url": site_url(reverse("billing:detail", args=[invoice.pk])),
    })
