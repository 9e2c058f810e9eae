"""Accounts made for the families of the former Portail Famille ("à activer"): the
activation e-mail, its resending to a corrected address, and the activation itself."""

import logging

from django.conf import settings
from django.contrib.auth import password_validation
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from espace_citoyen.core.emails import send_templated_email, site_url

from ..models import AccountEventKind, AccountStatus, User, normalize_email_address
from ..tokens import activation_token_generator
from .status import account_record_event, account_set_status

logger = logging.getLogger("espace_citoyen.accounts")


def activation_send(*, user: User, actor: User | None) -> None:
    """Sends (after commit) a fresh activation e-mail to an account "à activer". The new
    send time is part of the token, so links of earlier e-mails stop working."""

    if user.status != AccountStatus.TO_ACTIVATE:
        raise ValueError("Seul un compte « à activer » peut recevoir un courriel d'activation.")
    with transaction.atomic():
        user.activation_sent_at = timezone.now()
        user.save(update_fields=["activation_sent_at"])
        account_record_event(user=user, kind=AccountEventKind.ACTIVATION_SENT, actor=actor, comment=user.email)
        _send_activation_email(user=user)


def _send_activation_email(*, user: User) -> None:
    """After commit; a failure is logged (the agent can resend it from the admin)."""
    path = reverse(
        "accounts:activate",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": activation_token_generator.make_token(user)},
    )
    send_templated_email(template="accounts/emails/activation", to=user.email, context={
        "user": user, "activation_url": site_url(path), "days": settings.ESPACE_CITOYEN_ACTIVATION_DAYS,
    })


def account_activate(*, user: User, new_password: str) -> User:
    """The owner of an imported account chose a password through the activation link."""

    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        account_set_status(user=user, new_status=AccountStatus.ACTIVE, actor=user, kind=AccountEventKind.ACTIVATED)
    password_validation.password_changed(new_password, user)
    logger.info("account activated email=%s", user.email)
    return user


def activation_correct_email_and_resend(*, user: User, email: str, actor: User) -> bool:
    """"Vous n'avez pas reçu d'email d'activation": an agent checks or corrects the
    address, then a fresh activation e-mail goes to it. Returns True if the address changed."""

    new_email = normalize_email_address(email)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        old_email = user.email
        changed = new_email != old_email
        if changed:
            if User.objects.filter(email__iexact=new_email).exclude(pk=user.pk).exists():
                raise ValueError("Cette adresse e-mail est déjà utilisée par un autre compte.")
            user.email = new_email
            user.save(update_fields=["email"])
            account_record_event(
                user=user, kind=AccountEventKind.EMAIL_CORRECTED, actor=actor, comment=f"{old_email} → {new_email}",
            )
        activation_send(user=user, actor=actor)
    return changed
