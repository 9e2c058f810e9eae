"""Login throttling with django-axes: tiered limits, e-mail normalisation, client IP and
the French lockout page. Wired in site_cms/settings/base.py (AXES_* settings)."""

import ipaddress

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import normalize_email_address


class TieredAxesDatabaseHandler(AxesDatabaseHandler):
    """Axes' database handler with one limit per lockout parameter.

    Axes compares a single failure count with a single AXES_FAILURE_LIMIT. Here the
    (account + IP) pair keeps that limit (5) and the IP address alone gets its own,
    higher one (AXES_IP_FAILURE_LIMIT, 20): the count returned reaches the limit as
    soon as either rule is exceeded.
    """

    def get_failures(self, request, credentials: dict | None = None) -> int:
        account_limit = get_failure_limit(request, credentials)
        parameters = get_lockout_parameters(request, credentials)
        attempts_list = self.get_user_attempts(request, credentials)
        account_failures = 0
        locked = False
        for parameter, attempts in zip(parameters, attempts_list):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            if parameter == "ip_address":
                locked = locked or failures >= settings.AXES_IP_FAILURE_LIMIT
            else:
                account_failures = max(account_failures, failures)
        if locked:
            return max(account_failures, account_limit)
        return account_failures

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """On a successful login (AXES_RESET_ON_SUCCESS), forget only that account's
        failures from that address. Axes would also delete every failure of the IP address
        (a lockout parameter), so logging into one's own account between guesses at other
        accounts would reset the per-address count."""
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address).delete()
        return count


def username_from_request(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The e-mail address tried, normalised like logins are (so that "A@x.fr" and
    "a@x.fr " count as the same account)."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        value = credentials.get(field)
    else:
        value = getattr(request, "POST", {}).get(field)
    if value is None:
        return None
    return normalize_email_address(str(value))


def client_ip_address(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or the address seen by the outermost of
    TRUSTED_PROXY_COUNT reverse proxies (X-Forwarded-For is read from the right, so a
    client cannot choose its own address by sending the header itself)."""
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    remote_addr = _valid_ip(request.META.get("REMOTE_ADDR")) or "0.0.0.0"  # noqa: S104 - a key, never bound
    if proxies <= 0:
        return remote_addr
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) >= proxies:
        # A misconfigured proxy may send "host:port" or garbage: fall back rather than fail.
        return _valid_ip(forwarded[-proxies]) or remote_addr
    return remote_addr


def _valid_ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def lockout_response(request: HttpRequest, original_response=None, credentials: dict | None = None) -> HttpResponse:
    """French page shown instead of the login form once a lock applies (HTTP 429)."""
    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else None
    response = render(
        request,
        "accounts/lockout.html",
        {"cool_off_minutes": minutes},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
