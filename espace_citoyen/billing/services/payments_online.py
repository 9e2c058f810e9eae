"""Online payment of invoices through a hosted checkout (billing/providers: Stripe today).

* Offered iff the provider's keys are set (STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET, read
  from the environment); without them (the demo) the « Payer en ligne » button explains that
  online payment is not available and how to pay at the desk.
* ``checkout_start``: one checkout for one invoice or every invoice due of a household;
  amounts and currency from the database, a deterministic idempotency key (a double click
  makes one session), an open unexpired checkout for the same invoices is reused.
* ``webhook_handle``: a verified provider event, recorded once (unique event id), then
  applied; ``checkout_apply_state`` is the one path that settles a checkout, used by the
  webhook and by the reconciliation (``reconcile_payments``).
* Settling locks the checkout and its invoices, checks the amount and currency paid
  against what was asked (a mismatch is recorded, nothing is marked paid, the Régie is
  alerted), records one payment per invoice (receipt number and PDF, as at the desk) and
  e-mails the receipts after commit. The return page the family's browser reaches never
  settles anything."""

from __future__ import annotations

import datetime
import hashlib
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from espace_citoyen.core.business_calendar import format_month
from espace_citoyen.core.emails import send_templated_email, site_url
from espace_citoyen.core.money import format_cents
from espace_citoyen.core.town import town_contact

from ..models import (OPEN_INVOICE_STATUSES, UNSETTLED_CHECKOUT_STATUSES, CheckoutStatus, Invoice, OnlineCheckout,
                      Payment, PaymentMethod, Refund, WebhookEvent)
from ..providers import CheckoutState, ProviderError, ProviderEvent, RefundInfo, get_provider
from . import BillingError
from .documents import _emails_by_household
from .online_config import online_payment_available
from .payments import payment_record

__all__ = ["checkout_apply_state", "checkout_start", "checkouts_reconcile", "online_payment_available",
           "webhook_handle"]

logger = logging.getLogger("espace_citoyen.billing.online")

CURRENCY = "eur"
KEY_WINDOW_SECONDS = 10 * 60
NOT_AVAILABLE = ("Le paiement en ligne n'est pas disponible pour le moment. Vous pouvez payer au guichet de la "
                 "mairie (espèces, carte bancaire ou chèque) ou par chèque à l'ordre du Trésor public.")


# --- Starting a checkout ----------------------------------------------------------------


def _idempotency_key(*, household_id: int, amounts: list[tuple[int, int]], window: str) -> str:
    text = f"{household_id}|" + ",".join(f"{pk}:{cents}" for pk, cents in amounts) + f"|{window}"
    return "checkout-" + hashlib.sha256(text.encode()).hexdigest()[:48]


def checkout_start(*, household_id: int, invoices: list[Invoice], user, now: datetime.datetime | None = None
                   ) -> OnlineCheckout:
    """The checkout to send the family to, for these invoices of the household (what remains
    to pay on each). Reuses an open one for the same invoices and amount; otherwise asks the
    provider for a session. Raises BillingError (French message) when refused."""
    if not online_payment_available():
        raise BillingError(NOT_AVAILABLE, code="unavailable")
    now = now or timezone.now()
    due = sorted((invoice for invoice in invoices
                  if invoice.household_id == household_id and invoice.status in OPEN_INVOICE_STATUSES
                  and invoice.balance_cents > 0), key=lambda invoice: invoice.pk)
    if not due:
        raise BillingError("Il n'y a rien à payer en ligne : ces factures sont déjà payées ou annulées.",
                           code="nothing_due")
    amounts = [(invoice.pk, invoice.balance_cents) for invoice in due]
    total = sum(cents for _, cents in amounts)
    ids = {pk for pk, _ in amounts}
    for checkout in (OnlineCheckout.objects.filter(household_id=household_id, status=CheckoutStatus.OPEN,
                                                   amount_cents=total, expires_at__gt=now + datetime.timedelta(minutes=2))
                     .prefetch_related("invoices").order_by("-created_at")):
        if {invoice.pk for invoice in checkout.invoices.all()} == ids:
            return checkout
    window = int(now.timestamp()) // KEY_WINDOW_SECONDS
    # A checkout of the household closed since (paid, failed, expired) makes the next attempt
    # a new request: Stripe would otherwise replay the closed session for the same key.
    closed = (OnlineCheckout.objects.filter(household_id=household_id).exclude(status=CheckoutStatus.OPEN)
              .order_by("-pk").values_list("pk", flat=True).first())
    key = _idempotency_key(household_id=household_id, amounts=amounts, window=f"{window}|{closed or 0}")
    # Fixed within the window, so that a second click sends the very same request.
    expires_at = datetime.datetime.fromtimestamp((window + 1) * KEY_WINDOW_SECONDS, tz=datetime.UTC) + \
        datetime.timedelta(minutes=settings.ESPACE_CITOYEN_CHECKOUT_MINUTES)
    lines = [(f"Facture n° {invoice.number} – {format_month(invoice.month.year, invoice.month.month)}", invoice.balance_cents) for invoice in due]
    metadata = {"household_id": str(household_id), "invoice_ids": ",".join(str(pk) for pk in sorted(ids))}
    email = (getattr(user, "email", "") or "").strip()
    provider = get_provider()
    try:
        created = provider.create_checkout(
            lines=lines, currency=CURRENCY, metadata=metadata, customer_email=email, expires_at=expires_at,
            success_url=site_url(reverse("billing:checkout_return_lookup")) + "?session_id={CHECKOUT_SESSION_ID}",
            cancel_url=site_url(reverse("billing:list")) + "?paiement=annule",
            idempotency_key=key, reference=f"foyer-{household_id}")
    except ProviderError as error:
        raise BillingError("Le service de paiement en ligne ne répond pas. Réessayez dans quelques minutes, ou payez "
                           "au guichet de la mairie.", code="provider") from error
    try:
        with transaction.atomic():
            checkout = OnlineCheckout.objects.create(
                household_id=household_id, amount_cents=total, currency=CURRENCY, provider=provider.name,
                provider_session_id=created.session_id, idempotency_key=key, url=created.url,
                expires_at=created.expires_at, payer=user if getattr(user, "pk", None) else None, payer_email=email,
                created_at=now)
            checkout.invoices.set(due)
    except IntegrityError:  # the same click twice at once: the provider gave the same session back
        checkout = OnlineCheckout.objects.get(provider_session_id=created.session_id)
    if checkout.status != CheckoutStatus.OPEN:
        raise BillingError("Un paiement en ligne de ces factures vient de se terminer : rechargez la page de vos "
                           "factures pour voir leur état.", code="closed")
    return checkout


# --- Webhooks ---------------------------------------------------------------------------


def webhook_handle(event: ProviderEvent) -> str:
    """Apply a verified event once: the event id is recorded first (unique), a copy already
    recorded — even one being processed at this very moment — is answered "duplicate"."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = WebhookEvent.objects.create(event_id=event.event_id, type=event.type[:100])
        except IntegrityError:
            logger.info("stripe event %s (%s): duplicate", event.event_id, event.type)
            return "duplicate"
        outcome = _event_apply(event, record)
        record.outcome = outcome[:300]
        record.save()
    logger.info("stripe event %s (%s): %s", event.event_id, event.type, outcome)
    return outcome


def _event_apply(event: ProviderEvent, record: WebhookEvent) -> str:
    if event.kind == "other":
        return "ignored: type not handled"
    if event.kind == "refunded":
        return _refunds_record(payment_ref=event.payment_ref, refunds=event.refunds, record=record)
    state = event.checkout
    checkout = OnlineCheckout.objects.filter(provider_session_id=state.session_id).first()
    if checkout is None:
        logger.warning("stripe event %s: unknown session %s", event.event_id, state.session_id)
        return "ignored: unknown session"
    record.checkout = checkout
    return checkout_apply_state(checkout=checkout, state=state, kind=event.kind)


def checkout_apply_state(*, checkout: OnlineCheckout, state: CheckoutState, kind: str = "") -> str:
    """The one path from what the provider says to our rows (webhook and reconciliation).
    ``kind``: the event's (checkout_completed…) or "" for a state fetched from the provider."""
    if kind == "checkout_async_failed":
        return _checkout_fail(checkout=checkout)
    if kind == "checkout_expired" or (not kind and state.status == "expired"):
        return _checkout_expire(checkout=checkout)
    if kind == "checkout_async_succeeded" or state.is_paid:
        return checkout_settle(checkout=checkout, state=state)
    if state.status == "complete":  # a delayed method (bank debit): paid later, or not
        updated = OnlineCheckout.objects.filter(pk=checkout.pk, status=CheckoutStatus.OPEN).update(
            status=CheckoutStatus.PENDING, provider_payment_id=state.payment_ref or checkout.provider_payment_id)
        return "pending async payment" if updated else f"ignored: checkout {checkout.status}"
    return "still open"


def _checkout_fail(*, checkout: OnlineCheckout) -> str:
    with transaction.atomic():
        checkout = OnlineCheckout.objects.select_for_update().get(pk=checkout.pk)
        if checkout.status not in UNSETTLED_CHECKOUT_STATUSES:
            return f"ignored: checkout {checkout.status}"
        checkout.status = CheckoutStatus.FAILED
        checkout.save(update_fields=["status", "updated_at"])
        to = _emails_by_household([checkout.household_id]).get(checkout.household_id, [])
        send_templated_email(template="billing/emails/online_payment_failed", to=to, context={
            "checkout": checkout, "url": site_url(reverse("billing:list"))})
    return "failed"


def _checkout_expire(*, checkout: OnlineCheckout) -> str:
    updated = OnlineCheckout.objects.filter(pk=checkout.pk, status__in=UNSETTLED_CHECKOUT_STATUSES).update(
        status=CheckoutStatus.EXPIRED, updated_at=timezone.now())
    return "expired" if updated else "ignored: checkout already settled"


def checkout_settle(*, checkout: OnlineCheckout, state: CheckoutState) -> str:
    """Record the money the provider says was paid for the checkout: in one transaction with
    the checkout's and invoices' rows locked; once (a settled checkout is left alone)."""
    with transaction.atomic():
        checkout = OnlineCheckout.objects.select_for_update().get(pk=checkout.pk)
        if checkout.status in (CheckoutStatus.PAID, CheckoutStatus.MISMATCH):
            return f"ignored: checkout {checkout.status}"
        invoices = list(Invoice.objects.select_for_update().filter(online_checkouts=checkout).order_by("pk"))
        checkout.received_cents = state.amount_cents
        checkout.received_currency = (state.currency or "")[:3]
        checkout.provider_payment_id = state.payment_ref or checkout.provider_payment_id
        problem = ""
        if state.amount_cents != checkout.amount_cents or (state.currency or "").lower() != checkout.currency:
            problem = (f"montant payé {_amount(state.amount_cents, state.currency)} au lieu de "
                       f"{_amount(checkout.amount_cents, checkout.currency)}")
        elif sum(max(invoice.balance_cents, 0) for invoice in invoices if invoice.is_open) != checkout.amount_cents:
            problem = "les factures ont changé depuis l'ouverture du paiement (payées au guichet ou avoir émis)"
        if problem:
            checkout.status = CheckoutStatus.MISMATCH
            checkout.detail = problem[:300]
            checkout.save()
            _alert_regie(checkout=checkout, invoices=invoices, problem=problem)
            logger.error("online checkout %s mismatch: %s", checkout.provider_session_id, problem)
            return "mismatch"
        payments = []
        for invoice in invoices:
            payments.append(payment_record(
                invoice=invoice, amount_cents=invoice.balance_cents, method=PaymentMethod.ONLINE, actor=None,
                reference=checkout.provider_session_id[:100], checkout=checkout,
                provider_payment_id=checkout.provider_payment_id, notify=False))
        checkout.status = CheckoutStatus.PAID
        checkout.settled_at = timezone.now()
        checkout.save()
        _receipt_email(checkout=checkout, payments=payments)
        for pending in WebhookEvent.objects.select_for_update().filter(
                pending=True, payment_ref=checkout.provider_payment_id).exclude(payment_ref=""):
            pending.pending = False
            pending.outcome = _refunds_record(payment_ref=pending.payment_ref, record=pending, refunds=[
                _refund_info(item) for item in pending.payload.get("refunds", [])])[:300]
            pending.save()
    return "paid"


def _amount(cents, currency) -> str:
    if cents is None:
        return "inconnu"
    return format_cents(cents) if (currency or "").lower() == CURRENCY else f"{cents / 100:.2f} {currency.upper()}"


def _receipt_email(*, checkout: OnlineCheckout, payments: list[Payment]) -> None:
    to = _emails_by_household([checkout.household_id]).get(checkout.household_id, [])
    if checkout.payer_email and checkout.payer_email not in to:
        to.append(checkout.payer_email)
    attachments = []
    for payment in payments:
        with payment.receipt_pdf.open("rb") as handle:
            attachments.append((f"recu-{payment.receipt_number}.pdf", handle.read(), "application/pdf"))
    send_templated_email(template="billing/emails/online_payment_received", to=to, attachments=attachments, context={
        "checkout": checkout, "payments": payments, "url": site_url(reverse("billing:payments"))})


def _regie_email() -> str:
    return settings.ESPACE_CITOYEN_REGIE_EMAIL or town_contact().email


def _alert_regie(*, checkout: OnlineCheckout, invoices, problem: str) -> None:
    send_templated_email(template="billing/emails/online_payment_mismatch", to=_regie_email(), context={
        "checkout": checkout, "invoices": invoices, "problem": problem})


# --- Refunds seen at the provider -------------------------------------------------------


def _refund_info(item: dict) -> RefundInfo:
    return RefundInfo(refund_id=item["refund_id"], amount_cents=int(item["amount_cents"]))


def _refunds_record(*, payment_ref: str, refunds, record: WebhookEvent) -> str:
    """Record the refunds of a payment not recorded yet (one made by an agent from the admin
    is recorded already: nothing changes). Seen before the payment itself: kept on the event
    and applied when the payment is settled."""
    payments = list(Payment.objects.select_for_update().filter(provider_payment_id=payment_ref)
                    .exclude(provider_payment_id="").order_by("pk")) if payment_ref else []
    if not payments:
        record.pending = bool(payment_ref)
        record.payment_ref = payment_ref[:255]
        record.payload = {"refunds": [{"refund_id": item.refund_id, "amount_cents": item.amount_cents}
                                      for item in refunds]}
        return "refund waiting for its payment" if payment_ref else "ignored: refund without payment"
    known = set(Refund.objects.filter(provider_refund_id__in=[item.refund_id for item in refunds])
                .values_list("provider_refund_id", flat=True))
    new = [item for item in refunds if item.refund_id not in known]
    if not new:
        return "refund already recorded"
    refunded = {payment.pk: sum(payment.refunds.values_list("amount_cents", flat=True)) for payment in payments}
    for item in new:
        left = item.amount_cents
        for index, payment in enumerate(payments):
            share = min(left, payment.amount_cents - refunded[payment.pk])
            if share <= 0:
                continue
            suffix = "" if index == 0 else f"-{index}"
            Refund.objects.create(payment=payment, amount_cents=share,
                                  provider_refund_id=(item.refund_id + suffix)[:255],
                                  idempotency_key=f"provider-{item.refund_id}{suffix}"[:100],
                                  reason="Remboursement fait chez le prestataire de paiement")
            refunded[payment.pk] += share
            left -= share
            if left <= 0:
                break
    send_templated_email(template="billing/emails/online_refund_seen", to=_regie_email(), context={
        "payments": payments, "refunds": new})
    return f"{len(new)} refund(s) recorded"


# --- Reconciliation ---------------------------------------------------------------------


def checkouts_reconcile(*, minutes: int = 30, now: datetime.datetime | None = None) -> dict[str, int]:
    """Checkouts still open or pending ``minutes`` after they were opened: ask the provider
    and apply its state by the webhook's path (a missed webhook)."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    provider = get_provider()
    for checkout in OnlineCheckout.objects.filter(status__in=UNSETTLED_CHECKOUT_STATUSES,
                                                  created_at__lt=now - datetime.timedelta(minutes=minutes)):
        try:
            state = provider.fetch_checkout(session_id=checkout.provider_session_id)
        except ProviderError as error:
            logger.warning("reconcile %s: %s", checkout.provider_session_id, error)
            outcome = "provider error"
        else:
            outcome = checkout_apply_state(checkout=checkout, state=state)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
