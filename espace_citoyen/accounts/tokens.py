"""Signed links of the citizen space: activation of imported accounts, confirmation of
the address of an account made with the sign-up wizard.

Activation links of accounts imported from the former Portail Famille:

A token from `activation_token_generator` is tied to the account's state: its hash covers
the password hash, the status, the e-mail address and the time the last activation e-mail
was sent. Choosing a password (status becomes "active"), correcting the address or sending
a new e-mail therefore makes every earlier link invalid: each link works once. A link also
expires after settings.ESPACE_CITOYEN_ACTIVATION_DAYS days.
"""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import signing
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int

from .models import AccountStatus

DEFAULT_ACTIVATION_DAYS = 14
DEFAULT_EMAIL_CONFIRMATION_DAYS = 3


def activation_timeout_seconds() -> int:
    return int(getattr(settings, "ESPACE_CITOYEN_ACTIVATION_DAYS", DEFAULT_ACTIVATION_DAYS)) * 24 * 3600


def email_confirmation_timeout_seconds() -> int:
    return int(getattr(settings, "ESPACE_CITOYEN_EMAIL_CONFIRMATION_DAYS", DEFAULT_EMAIL_CONFIRMATION_DAYS)) * 24 * 3600


class StatusBoundTokenGenerator(PasswordResetTokenGenerator):
    """Django's signed, timestamped token, valid only while the account has
    `required_status` and for `timeout_seconds()` instead of PASSWORD_RESET_TIMEOUT."""

    required_status: AccountStatus

    def timeout_seconds(self) -> int:
        raise NotImplementedError

    def check_token(self, user, token):
        if not (user and token) or user.status != self.required_status:
            return False
        try:
            ts_b36, _hash = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        for secret in [self.secret, *self.secret_fallbacks]:
            if constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token):
                break
        else:
            return False
        return (self._num_seconds(self._now()) - ts) <= self.timeout_seconds()


class ActivationTokenGenerator(StatusBoundTokenGenerator):
    """Link of the activation e-mail of an imported account ("à activer")."""

    key_salt = "espace_citoyen.accounts.tokens.ActivationTokenGenerator"
    required_status = AccountStatus.TO_ACTIVATE

    def timeout_seconds(self) -> int:
        return activation_timeout_seconds()

    def _make_hash_value(self, user, timestamp):
        sent_at = "" if user.activation_sent_at is None else user.activation_sent_at.replace(microsecond=0, tzinfo=None)
        return f"{user.pk}{user.password}{user.status}{user.email}{sent_at}{timestamp}"


activation_token_generator = ActivationTokenGenerator()


class EmailConfirmationTokenGenerator(StatusBoundTokenGenerator):
    """Link of the "confirmez votre adresse" e-mail of the sign-up wizard. Its hash covers
    the status and the password hash: once the address is confirmed (status "en attente de
    validation"), or after a new sign-up with the same still unconfirmed address (new
    password), the link stops working. Expires after ESPACE_CITOYEN_EMAIL_CONFIRMATION_DAYS."""

    key_salt = "espace_citoyen.accounts.tokens.EmailConfirmationTokenGenerator"
    required_status = AccountStatus.EMAIL_UNCONFIRMED

    def timeout_seconds(self) -> int:
        return email_confirmation_timeout_seconds()

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.password}{user.status}{user.email}{timestamp}"


email_confirmation_token_generator = EmailConfirmationTokenGenerator()


# --- Change of e-mail address from "Mes coordonnées" ------------------------------------
# The link sent to the NEW address carries a signed payload: the account, the address it
# replaces, the new one and the id of the request (an AccountEvent). It expires after
# EMAIL_CHANGE_DAYS days and works once: applying it changes the current address (the
# payload's old address no longer matches), and a newer request supersedes older links.

EMAIL_CHANGE_DAYS = 2
EMAIL_CHANGE_SALT = "espace_citoyen.accounts.tokens.email_change"


def email_change_timeout_seconds() -> int:
    return int(getattr(settings, "ESPACE_CITOYEN_EMAIL_CHANGE_DAYS", EMAIL_CHANGE_DAYS)) * 24 * 3600


def email_change_make_token(*, user, new_email: str, request_id: int) -> str:
    return signing.dumps({"u": user.pk, "o": user.email, "n": new_email, "r": request_id}, salt=EMAIL_CHANGE_SALT)


def email_change_read_token(token: str) -> dict | None:
    """The payload ({"u", "o", "n", "r"}) of a well-signed, unexpired token, else None.
    Whether it is still the pending request is checked by services.email_change_confirm."""

    try:
        payload = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=email_change_timeout_seconds())
    except signing.BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(payload, dict) or not {"u", "o", "n", "r"} <= payload.keys():
        return None
    return payload
