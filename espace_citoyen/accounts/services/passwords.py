"""Password change (from the space) and reset (through the e-mailed link)."""

import logging

from django.contrib.auth import password_validation
from django.db import transaction
from django.utils import timezone

from espace_citoyen.core.emails import send_templated_email

from ..models import AccountEvent, AccountEventKind, User

logger = logging.getLogger("espace_citoyen.accounts")


def password_change(*, user: User, new_password: str) -> None:
    """Sets a new password chosen by the user, then e-mails them a notice (after commit),
    so that someone who did not make the change can react."""
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        AccountEvent.objects.create(user=user, actor=user, kind=AccountEventKind.PASSWORD_CHANGED)
        send_templated_email(template="accounts/emails/password_changed", to=user.email,
                             context={"user": user, "changed_at": timezone.localtime()})
    password_validation.password_changed(new_password, user)
    logger.info("password changed email=%s", user.email)


def password_reset(*, user: User, new_password: str) -> None:
    """Sets the password chosen through a reset link (the link proves the mailbox). The
    link stops working at once: Django's token depends on the password hash. The owner is
    told by e-mail (after commit): whoever reads that mailbox could have done it."""
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        AccountEvent.objects.create(user=user, actor=user, kind=AccountEventKind.PASSWORD_RESET)
        send_templated_email(template="accounts/emails/password_changed", to=user.email,
                             context={"user": user, "changed_at": timezone.localtime(), "reset": True})
    password_validation.password_changed(new_password, user)
    logger.info("password reset email=%s", user.email)
