"""Activation links of accounts imported from the former Portail Famille.

A token from `activation_token_generator` is tied to the account's state: its hash covers
the password hash, the status, the e-mail address and the time the last activation e-mail
was sent. Choosing a password (status becomes "active"), correcting the address or sending
a new e-mail therefore makes every earlier link invalid: each link works once. A link also
expires after settings.ESPACE_CITOYEN_ACTIVATION_DAYS days.
"""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int

from .models import AccountStatus

DEFAULT_ACTIVATION_DAYS = 14


def activation_timeout_seconds() -> int:
    return int(getattr(settings, "ESPACE_CITOYEN_ACTIVATION_DAYS", DEFAULT_ACTIVATION_DAYS)) * 24 * 3600


class ActivationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "espace_citoyen.accounts.tokens.ActivationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        sent_at = "" if user.activation_sent_at is None else user.activation_sent_at.replace(microsecond=0, tzinfo=None)
        return f"{user.pk}{user.password}{user.status}{user.email}{sent_at}{timestamp}"

    def check_token(self, user, token):
        """Like Django's, with the activation delay instead of PASSWORD_RESET_TIMEOUT and
        only for an account still "à activer"."""
        if not (user and token) or user.status != AccountStatus.TO_ACTIVATE:
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
        return (self._num_seconds(self._now()) - ts) <= activation_timeout_seconds()


activation_token_generator = ActivationTokenGenerator()


# --- Confirmation of the address of an account made with the sign-up wizard ------------

DEFAULT_EMAIL_CONFIRMATION_DAYS = 3


def email_confirmation_timeout_seconds() -> int:
    return int(getattr(settings, "ESPACE_CITOYEN_EMAIL_CONFIRMATION_DAYS", DEFAULT_EMAIL_CONFIRMATION_DAYS)) * 24 * 3600


class EmailConfirmationTokenGenerator(PasswordResetTokenGenerator):
    """Link of the "confirmez votre adresse" e-mail. Its hash covers the status and the
    password hash: once the address is confirmed (status "en attente de validation"), or
    after a new sign-up with the same still unconfirmed address (new password), the link
    stops working. Expires after settings.ESPACE_CITOYEN_EMAIL_CONFIRMATION_DAYS days."""

    key_salt = "espace_citoyen.accounts.tokens.EmailConfirmationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.password}{user.status}{user.email}{timestamp}"

    def check_token(self, user, token):
        if not (user and token) or user.status != AccountStatus.EMAIL_UNCONFIRMED:
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
        return (self._num_seconds(self._now()) - ts) <= email_confirmation_timeout_seconds()


email_confirmation_token_generator = EmailConfirmationTokenGenerator()
