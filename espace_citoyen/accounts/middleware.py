"""Absolute session lifetime: a session ends 12 hours after login, even if active.

The idle lifetime (30 minutes) is Django's own: SESSION_COOKIE_AGE with
SESSION_SAVE_EVERY_REQUEST. The login time is stored by accounts.signals at login."""

from django.conf import settings
from django.contrib.auth import logout
from django.utils import timezone

LOGIN_TIME_SESSION_KEY = "_auth_login_time"


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
