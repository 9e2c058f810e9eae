"""The online payment providers, behind one small interface (base.PaymentProvider): create a
hosted checkout, read a signed webhook, fetch a checkout's state, refund. Stripe today; the
public-sector PayFiP (through ``eopayment``) can be added here later without touching the
invoices. Nothing outside this package imports a provider's library."""

from .base import (CheckoutState, CreatedCheckout, InvalidSignature, PaymentProvider, ProviderError, ProviderEvent,
                   RefundInfo)

__all__ = ["CheckoutState", "CreatedCheckout", "InvalidSignature", "PaymentProvider", "ProviderError", "ProviderEvent",
           "RefundInfo", "get_provider"]


def get_provider(name: str = "stripe") -> PaymentProvider:
    if name == "stripe":
        from .stripe import StripeProvider

        return StripeProvider()
    raise ProviderError(f"unknown payment provider {name!r}")
