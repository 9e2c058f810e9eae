"""Stripe Checkout behind base.PaymentProvider, with the official ``stripe`` library.

Tests replace the library's HTTP client (``HTTP_CLIENT``, a ``stripe.HTTPClient``) by a stub
that records the requests and answers canned JSON: the code under test is the real
library's request building and webhook signature check."""

from __future__ import annotations

import datetime
import logging

import stripe
from django.conf import settings

from .base import CheckoutState, CreatedCheckout, InvalidSignature, ProviderError, ProviderEvent, RefundInfo

logger = logging.getLogger("espace_citoyen.billing.stripe")

# Set by the tests to a stripe.HTTPClient stub; None: the library's default (network).
HTTP_CLIENT: stripe.HTTPClient | None = None

EVENT_KINDS = {
    "checkout.session.completed": "checkout_completed",
    "checkout.session.async_payment_succeeded": "checkout_async_succeeded",
    "checkout.session.async_payment_failed": "checkout_async_failed",
    "checkout.session.expired": "checkout_expired",
    "charge.refunded": "refunded",
}


def _id(value) -> str:
    """An expandable field: an id, or the expanded object's id."""
    if not value:
        return ""
    if isinstance(value, str):
        return value
    return str(_plain(value).get("id", ""))


def _plain(obj) -> dict:
    """A StripeObject as a plain dict (it is not a dict: no .get)."""
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def _checkout_state(session) -> CheckoutState:
    session = _plain(session)
    return CheckoutState(
        session_id=str(session["id"]), status=str(session.get("status") or ""),
        payment_status=str(session.get("payment_status") or ""), amount_cents=session.get("amount_total"),
        currency=str(session.get("currency") or "").lower(), payment_ref=_id(session.get("payment_intent")),
        metadata={str(key): str(value) for key, value in dict(session.get("metadata") or {}).items()},
    )


class StripeProvider:
    name = "stripe"

    def _client(self) -> stripe.StripeClient:
        if not settings.STRIPE_SECRET_KEY:
            raise ProviderError("STRIPE_SECRET_KEY is not set")
        return stripe.StripeClient(settings.STRIPE_SECRET_KEY, http_client=HTTP_CLIENT, max_network_retries=2)

    def create_checkout(self, *, lines, currency, metadata, customer_email, expires_at, success_url, cancel_url,
                        idempotency_key, reference) -> CreatedCheckout:
        params = {
            "mode": "payment",
            "locale": "fr",
            "line_items": [{"quantity": 1, "price_data": {"currency": currency, "unit_amount": amount,
                                                          "product_data": {"name": name}}}
                           for name, amount in lines],
            "metadata": metadata,
            "payment_intent_data": {"metadata": metadata, "description": reference},
            "client_reference_id": reference,
            "expires_at": int(expires_at.timestamp()),
            "success_url": success_url,
            "cancel_url": cancel_url,
        }
        if customer_email:
            params["customer_email"] = customer_email
        try:
            session = self._client().v1.checkout.sessions.create(params=params,
                                                                  options={"idempotency_key": idempotency_key})
        except stripe.StripeError as error:
            logger.warning("stripe checkout creation failed: %s", error)
            raise ProviderError(str(error)) from error
        return CreatedCheckout(session_id=session.id, url=session.url,
                               expires_at=datetime.datetime.fromtimestamp(session.expires_at, tz=datetime.UTC))

    def parse_webhook(self, *, body: bytes, signature_header: str) -> ProviderEvent:
        secret = settings.STRIPE_WEBHOOK_SECRET
        if not secret or not signature_header:
            raise InvalidSignature("no secret or no signature")
        try:
            event = stripe.Webhook.construct_event(body, signature_header, secret)
        except (stripe.SignatureVerificationError, ValueError) as error:
            raise InvalidSignature(str(error)) from error
        kind = EVENT_KINDS.get(event.type, "other")
        obj = _plain(event.data.object)
        if kind.startswith("checkout_"):
            return ProviderEvent(event_id=event.id, type=event.type, kind=kind, checkout=_checkout_state(obj))
        if kind == "refunded":
            refunds = tuple(RefundInfo(refund_id=str(item["id"]), amount_cents=int(item["amount"]))
                            for item in ((obj.get("refunds") or {}).get("data") or [])
                            if item.get("status", "succeeded") in ("succeeded", "pending"))
            return ProviderEvent(event_id=event.id, type=event.type, kind=kind,
                                 payment_ref=_id(obj.get("payment_intent")), refunds=refunds)
        return ProviderEvent(event_id=event.id, type=event.type, kind="other")

    def fetch_checkout(self, *, session_id: str) -> CheckoutState:
        try:
            session = self._client().v1.checkout.sessions.retrieve(session_id)
        except stripe.StripeError as error:
            raise ProviderError(str(error)) from error
        return _checkout_state(session)

    def refund(self, *, payment_ref: str, amount_cents: int, idempotency_key: str) -> RefundInfo:
        try:
            refund = self._client().v1.refunds.create(params={"payment_intent": payment_ref, "amount": amount_cents},
                                                       options={"idempotency_key": idempotency_key})
        except stripe.StripeError as error:
            logger.warning("stripe refund failed: %s", error)
            raise ProviderError(str(error)) from error
        return RefundInfo(refund_id=refund.id, amount_cents=int(refund.amount))


def signature_header(*, body: bytes, secret: str, timestamp: int | None = None) -> str:
    """The Stripe-Signature header Stripe would send for ``body`` (tests, local fake checkout)."""
    import time

    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = stripe.WebhookSignature._compute_signature(f"{timestamp}.{body.decode()}", secret)
    return f"t={timestamp},v1={signature}"


__all__ = ["HTTP_CLIENT", "StripeProvider", "signature_header"]
