"""Re-authentication before a sensitive change of the account (login address, second factor
set up or removed, new backup codes): a session alone is not enough, the password – and a
second-factor code when the account has one – is asked again, unless the session proved
them less than settings.ESPACE_CITOYEN_REAUTH_MINUTES ago (a login counts)."""

import datetime

from django.conf import settings
from django.utils import timezone

SESSION_KEY = "_reauthenticated_at"


def is_recent(request) -> bool:
    stamp = request.session.get(SESSION_KEY)
    if stamp is None:
        return False
    age = timezone.now() - datetime.datetime.fromtimestamp(stamp, tz=datetime.UTC)
    return datetime.timedelta(0) <= age < datetime.timedelta(minutes=settings.ESPACE_CITOYEN_REAUTH_MINUTES)


def mark(request) -> None:
    """The password (and second factor) were just proved in this session."""
    request.session[SESSION_KEY] = timezone.now().timestamp()


def forget(request) -> None:
    request.session.pop(SESSION_KEY, None)
