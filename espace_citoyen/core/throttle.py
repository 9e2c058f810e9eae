"""Rate limits of the pages that send an e-mail to an address the visitor types (sign-up,
password reset, change of login address, co-parent invitation), so that nobody can use the
town's domain to send mass e-mail. Counting is django-ratelimit's (fixed windows in the
default cache: Redis, or the database cache in production without Redis); the rates are
settings.ESPACE_CITOYEN_RATE_LIMITS, e.g. {"signup_ip": "10/h"}.

Each call counts one attempt; the callers decide what an attempt over the limit gets (the
same "sent" page without any e-mail, or a French form error)."""

import logging
import unicodedata

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited

logger = logging.getLogger("espace_citoyen.throttle")


def address_key(email: str) -> str:
    """The counting key of an e-mail address: Unicode-folded the way Django compares addresses
    (NFKC + casefold), so that look-alike spellings reaching the same account share a counter."""
    return unicodedata.normalize("NFKC", (email or "").strip()).casefold()


def _rate(group: str, request: HttpRequest) -> str:
    return settings.ESPACE_CITOYEN_RATE_LIMITS[group.removeprefix("espace_citoyen:")]


def over_limit(request: HttpRequest, limit: str, key: str | None = None) -> bool:
    """Counts one attempt under ESPACE_CITOYEN_RATE_LIMITS[limit] and says whether the limit
    is now exceeded. `key` is what is counted (a normalised e-mail address, a user id);
    None counts the client's IP address (TRUSTED_PROXY_COUNT honoured, see
    RATELIMIT_IP_META_KEY; IPv6 addresses counted per /64). Values are stored hashed."""
    group = f"espace_citoyen:{limit}"
    counted = "ip" if key is None else (lambda group, request: key)
    limited = is_ratelimited(request, group=group, key=counted, rate=_rate, increment=True)
    if limited:
        logger.warning("rate limit %s exceeded (%s) path=%s", limit, settings.ESPACE_CITOYEN_RATE_LIMITS[limit],
                       request.path)
    return limited


def any_over_limit(request: HttpRequest, limits: dict[str, str | None]) -> bool:
    """over_limit() for each (limit, key), all counted (no short-circuit), True if any is over."""
    results = [over_limit(request, limit, key) for limit, key in limits.items()]
    return any(results)
