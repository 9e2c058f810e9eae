"""Who may log in, whatever the door (citizen login, admin login, any later API) and for as
long as a session lasts: Django calls ``user_can_authenticate`` both when a password is
checked and when a session's user is loaded, so an account that may not log in has no
session either."""

from django.contrib.auth.backends import ModelBackend

from .models import AccountStatus

# An address never confirmed proves nothing; an imported account has no password until
# its owner activates it.
NO_LOGIN_STATUSES = frozenset({AccountStatus.EMAIL_UNCONFIRMED, AccountStatus.TO_ACTIVATE})


def may_log_in(user) -> bool:
    return user.is_active and getattr(user, "status", None) not in NO_LOGIN_STATUSES


class AccountBackend(ModelBackend):
    """Django's ModelBackend, refusing the accounts whose status forbids logging in."""

    def user_can_authenticate(self, user):
        return may_log_in(user)
