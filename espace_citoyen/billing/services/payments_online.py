"""Online payment of invoices: offered iff the provider's keys are set (settings read from
the environment: STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET). Without them (the demo), the
« Payer en ligne » button explains that online payment is not available and how to pay at
the desk."""

from django.conf import settings


def online_payment_available() -> bool:
    return bool(getattr(settings, "STRIPE_SECRET_KEY", "") and getattr(settings, "STRIPE_WEBHOOK_SECRET", ""))
