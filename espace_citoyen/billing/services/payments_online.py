"""The seam for online payment (next release): until it lands, the "Payer en ligne" button
explains that it is coming and lists the other ways to pay."""

from django.conf import settings


def online_payment_available() -> bool:
    return bool(getattr(settings, "ESPACE_CITOYEN_ONLINE_PAYMENT_ENABLED", False))
