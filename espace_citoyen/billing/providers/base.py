"""What the billing domain knows of a payment provider: plain data in, plain data out."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Protocol


class ProviderError(Exception):
    """The provider could not be reached or refused the request (logged; the family is told
    to try again or pay at the desk)."""


class InvalidSignature(Exception):  # noqa: N818 - the name the boundary promises
    """A webhook whose signature, secret or timestamp does not check out."""


@dataclass(frozen=True)
class CreatedCheckout:
    session_id: str
    url: str
    expires_at: datetime.datetime


@dataclass(frozen=True)
class CheckoutState:
    """A hosted checkout as the provider sees it. ``status``: open, complete or expired;
    ``payment_status``: paid, unpaid (a delayed method not settled yet) or no_payment_required."""

    session_id: str
    status: str
    payment_status: str
    amount_cents: int | None
    currency: str
    payment_ref: str  # the provider's payment id (a Stripe PaymentIntent), "" until paid
    metadata: dict = field(default_factory=dict)

    @property
    def is_paid(self) -> bool:
        return self.status == "complete" and self.payment_status == "paid"


@dataclass(frozen=True)
class RefundInfo:
    refund_id: str
    amount_cents: int


@dataclass(frozen=True)
class ProviderEvent:
    """A verified webhook. ``kind``: checkout_completed, checkout_async_succeeded,
    checkout_async_failed, checkout_expired, refunded, or other (``type`` keeps the
    provider's own name)."""

    event_id: str
    type: str
    kind: str
    checkout: CheckoutState | None = None
    payment_ref: str = ""
    refunds: tuple[RefundInfo, ...] = ()


class PaymentProvider(Protocol):
    name: str

    def create_checkout(self, *, lines: list[tuple[str, int]], currency: str, metadata: dict[str, str],
                        customer_email: str, expires_at: datetime.datetime, success_url: str, cancel_url: str,
                        idempotency_key: str, reference: str) -> CreatedCheckout: ...

    def parse_webhook(self, *, body: bytes, signature_header: str) -> ProviderEvent: ...

    def fetch_checkout(self, *, session_id: str) -> CheckoutState: ...

    def refund(self, *, payment_ref: str, amount_cents: int, idempotency_key: str) -> RefundInfo: ...
