"""Login audit log and login time. Connected in AccountsConfig.ready()."""

import logging

from axes.helpers import get_client_ip_address
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from . import reauth
from .middleware import LOGIN_TIME_SESSION_KEY
from .models import normalize_email_address

logger = logging.getLogger("espace_citoyen.accounts")


def _ip(request) -> str:
    if request is None:
        return "-"
    return getattr(request, "axes_ip_address", None) or get_client_ip_address(request) or "-"


@receiver(user_logged_in, dispatch_uid="accounts_login_time")
def store_login_time(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_TIME_SESSION_KEY] = timezone.now().timestamp()


@receiver(user_logged_in, dispatch_uid="accounts_reauthenticated_at_login")
def remember_reauthentication(sender, request, user, **kwargs):
    """Logging in proves the password (and the second factor, which the space's login asks
    before logging in): sensitive changes right after it do not ask again."""
    if request is not None and hasattr(request, "session"):
        reauth.mark(request)


@receiver(user_logged_in, dispatch_uid="accounts_log_login")
def log_login(sender, request, user, **kwargs):
    logger.info("login succeeded email=%s ip=%s", user.email, _ip(request))


@receiver(user_login_failed, dispatch_uid="accounts_log_login_failed")
def log_login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in `credentials`; only the e-mail is logged.
    email = normalize_email_address(str(credentials.get("username") or credentials.get("email") or ""))
    logger.warning("login failed email=%s ip=%s", email or "-", _ip(request))


@receiver(user_locked_out, dispatch_uid="accounts_log_locked_out")
def log_locked_out(sender, request, username, ip_address, **kwargs):
    logger.warning("login locked out email=%s ip=%s", username or "-", ip_address or "-")


@receiver(user_logged_out, dispatch_uid="accounts_log_logout")
def log_logout(sender, request, user, **kwargs):
    if user is not None:
        logger.info("logout email=%s ip=%s", user.email, _ip(request))
