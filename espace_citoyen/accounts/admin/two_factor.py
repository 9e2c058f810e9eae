"""Second factor of the staff, required before any /admin/ page: verify or enrol
(AdminTwoFactorMiddleware sends them here; URLs registered in accounts/wagtail_hooks.py)."""

import logging
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp import user_has_device

from .. import services
from ..forms import TwoFactorCodeForm
from ..views.login import PENDING_ATTEMPTS_SESSION_KEY, TOO_MANY_CODES, check_login_code
from ..views.two_factor import NEW_BACKUP_CODES_SESSION_KEY, confirmed_totp, totp_setup_context, unconfirmed_totp

logger = logging.getLogger("espace_citoyen.accounts")


def _admin_next(request) -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return reverse("wagtailadmin_home")
    return next_url


def _with_next(url_name: str, next_url: str) -> str:
    return reverse(url_name) + "?" + urlencode({"next": next_url})


def admin_two_factor_verify(request):
    """Code asked to a staff user with a device before the first admin page of a session."""
    next_url = _admin_next(request)
    user = request.user
    if user.is_verified():
        return redirect(next_url)
    if not user_has_device(user, confirmed=True):
        return redirect(_with_next("accounts_admin_two_factor_setup", next_url))
    form = TwoFactorCodeForm(request.POST or None, backup_allowed=True)
    if request.method == "POST" and form.is_valid():
        device = check_login_code(request, user=user, form=form)
        if device == "locked":
            request.session.pop(PENDING_ATTEMPTS_SESSION_KEY, None)
            auth_logout(request)
            messages.error(request, TOO_MANY_CODES)
            return redirect("wagtailadmin_login")
        if device is not None:
            otp_login(request, device)
            return redirect(next_url)
    response = render(request, "wagtailadmin/otp/verify.html", {"form": form, "next": next_url})
    return response


def admin_two_factor_setup(request):
    """First admin visit of a staff user without a device: enrolment (QR code, key, code)."""
    next_url = _admin_next(request)
    user = request.user
    if user_has_device(user, confirmed=True):
        return redirect(_with_next("accounts_admin_two_factor_verify", next_url))
    device = unconfirmed_totp(user) or services.two_factor_start(user=user)
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.two_factor_confirm(user=user, device=device, code=form.cleaned_data["code"])
        if codes is not None:
            otp_login(request, confirmed_totp(user))
            request.session[NEW_BACKUP_CODES_SESSION_KEY] = codes
            return redirect(_with_next("accounts_admin_two_factor_codes", next_url))
        form.add_error("code", _("Ce code n'est pas valide. Vérifiez que l'heure de votre téléphone est juste, puis saisissez le code affiché."))
    context = {"form": form, "next": next_url, **totp_setup_context(device)}
    response = render(request, "wagtailadmin/otp/setup.html", context)
    return response


def admin_two_factor_codes(request):
    """The backup codes of a staff user, shown once right after enrolment."""
    next_url = _admin_next(request)
    codes = request.session.pop(NEW_BACKUP_CODES_SESSION_KEY, None)
    if not codes:
        return redirect(next_url)
    response = render(request, "wagtailadmin/otp/backup_codes.html", {"codes": codes, "next": next_url})
    return response
