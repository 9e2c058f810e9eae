"""Session lifetimes and the admin's second factor.

A session ends after 30 minutes without a request (SESSION_COOKIE_AGE, renewed by
IdleSessionMiddleware) and 12 hours after login, even if active
(AbsoluteSessionLifetimeMiddleware; the login time is stored by accounts.signals at login)."""

import time
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.sessions.middleware import SessionMiddleware
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django_otp.middleware import OTPMiddleware as DjangoOTPMiddleware
from django_otp.models import Device

from espace_citoyen.core.compiled_query import CompiledQuery, is_database_integer

from .backends import has_confirmed_device

LOGIN_TIME_SESSION_KEY = "_auth_login_time"
RENEWED_SESSION_KEY = "_renewed"


class IdleSessionMiddleware(SessionMiddleware):
    """Django's SessionMiddleware, with the idle expiry renewed at most once every
    SESSION_RENEW_INTERVAL seconds (60) instead of on every request
    (SESSION_SAVE_EVERY_REQUEST): saving a session is two Redis round trips and a cookie,
    on every page (issue 14). An active visitor's session thus lasts 29 to 30 minutes
    after their last request. A session the request changed is saved as usual."""

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if session is not None:
            self._renew_idle_expiry(session)
        return super().process_response(request, response)

    @staticmethod
    def _renew_idle_expiry(session) -> None:
        if not session.session_key:  # no session cookie, or the session was just ended
            return
        renewed = session.get(RENEWED_SESSION_KEY)  # read already on most pages (user, messages)
        if not session.session_key:  # the cookie named a session that has expired
            return
        now, interval = int(time.time()), settings.SESSION_RENEW_INTERVAL
        # A stamp up to a minute ahead is another app server's clock: not renewed again.
        if session.modified or not isinstance(renewed, int) or not -interval < now - renewed < interval:
            session[RENEWED_SESSION_KEY] = now


class OTPMiddleware(DjangoOTPMiddleware):
    """django-otp's middleware (request.user.is_verified(): has this session passed a second
    factor?), with the session's device read by a query compiled once per connection
    (core.compiled_query): 0.2 ms instead of 0.7 on each admin page (issue 14). The device
    is found as django-otp's Device.from_persistent_id finds it, then checked by django-otp
    as before (the session's user's, confirmed). A stored id that names no device (another
    model, a number no row can have) is no device, where django-otp 1.7 fails. The
    synchronous path only: the asynchronous one (ASGI, not used by this site) is
    django-otp's."""

    def _device_from_persistent_id(self, persistent_id: str):
        persistent_id = self._normalize_persistent_id(persistent_id)
        try:
            model_label, device_id = persistent_id.rsplit("/", 1)
            model, device_id = apps.get_model(model_label), int(device_id)
        except (ValueError, LookupError):
            return None
        if not issubclass(model, Device) or not is_database_integer(device_id):
            return None
        devices = _device_query(model).objects(device_id)
        return devices[0] if devices else None


_device_queries: dict = {}


def _device_query(model) -> CompiledQuery:
    query = _device_queries.get(model)
    if query is None:
        query = _device_queries[model] = CompiledQuery(
            lambda device_id: model._default_manager.filter(id=device_id).order_by("pk")[:1])
    return query


class AbsoluteSessionLifetimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and self._expired(request):
            # logout() flushes the session: the next page treats the visitor as anonymous.
            logout(request)
        return self.get_response(request)

    @staticmethod
    def _expired(request) -> bool:
        login_time = request.session.get(LOGIN_TIME_SESSION_KEY)
        if not isinstance(login_time, (int, float)):
            return True  # no login time (session older than this rule): start again
        age = timezone.now().timestamp() - login_time
        return age > settings.SESSION_ABSOLUTE_AGE or age < -60


class AdminTwoFactorMiddleware:
    """Every staff user passes TOTP before any Wagtail admin page.

    Under /admin/, an authenticated user who can use the admin (wagtailadmin.access_admin
    or superuser) and whose session has not passed a second factor (django-otp's
    request.user.is_verified()) is sent to the admin verify page when they have a
    confirmed device, else to the enrolment page. Left alone: the admin login, logout and
    password reset, the JavaScript catalogue and icon sprite, and the two-factor pages
    themselves. Anonymous users keep Wagtail's own redirect to the admin login.

    Everywhere else, a session that only passed the password of an account with a second
    factor (e.g. through the admin login form, which knows nothing of the code step) is
    treated as anonymous, so the citizen space cannot be reached without the code.
    Needs OTPMiddleware (above, or django-otp's) before it."""

    EXEMPT_URL_NAMES = ("wagtailadmin_login", "wagtailadmin_logout")  # these paths exactly
    EXEMPT_URL_PREFIX_NAMES = ("wagtailadmin_password_reset", "wagtailadmin_javascript_catalog")  # and below
    EXEMPT_PREFIXES = ("double-authentification/", "sprite")  # relative to /admin/

    def __init__(self, get_response):
        self.get_response = get_response
        self._exempt = None

    def __call__(self, request):
        self._hide_unverified_user(request)
        redirect_to = self._redirect_for(request)
        if redirect_to is not None:
            return HttpResponseRedirect(redirect_to)
        return self.get_response(request)

    def _exempt_paths(self) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
        if self._exempt is None:
            admin_root = reverse("wagtailadmin_home")
            exact = tuple(reverse(name) for name in self.EXEMPT_URL_NAMES)
            prefixes = (
                *(reverse(name) for name in self.EXEMPT_URL_PREFIX_NAMES),
                *(admin_root + prefix for prefix in self.EXEMPT_PREFIXES),
            )
            self._exempt = (admin_root, exact, prefixes)
        return self._exempt

    def _hide_unverified_user(self, request) -> None:
        admin_root, _, _ = self._exempt_paths()
        user = getattr(request, "user", None)
        if request.path_info.startswith(admin_root) or user is None or not user.is_authenticated:
            return
        is_verified = getattr(user, "is_verified", None)
        if is_verified is None or is_verified():
            return

        if has_confirmed_device(user):
            request.user = AnonymousUser()

    def _redirect_for(self, request) -> str | None:
        admin_root, exact, prefixes = self._exempt_paths()
        path = request.path_info
        if not path.startswith(admin_root) or path in exact or path.startswith(prefixes):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not (user.is_superuser or user.has_perm("wagtailadmin.access_admin")):
            return None
        is_verified = getattr(user, "is_verified", None)
        if is_verified is not None and is_verified():
            return None

        name = "accounts_admin_two_factor_verify" if has_confirmed_device(user) else "accounts_admin_two_factor_setup"
        return reverse(name) + "?" + urlencode({"next": request.get_full_path()})
