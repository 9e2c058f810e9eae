"""Whether online payment is offered: iff the provider's keys are set (STRIPE_SECRET_KEY and
STRIPE_WEBHOOK_SECRET, read from the environment). Apart from payments_online so that the
documents (the invoice PDF mentions it) read it without importing the payment services."""

from django.conf import settings


def online_payment_available() -> bool:
    return bool(getattr(settings, "STRIPE_SECRET_KEY", "") and getattr(settings, "STRIPE_WEBHOOK_SECRET", ""))
