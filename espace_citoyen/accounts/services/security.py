"""Account security by an agent of the town (back office "Sécurité des comptes"): lift a
login lock, reset the second factor of someone who lost it."""

import logging

from axes.models import AccessAttempt
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from espace_citoyen.core.agents import is_agent_account
from espace_citoyen.core.emails import send_templated_email, site_url

from ..models import AccountEventKind, User
from ..selectors import account_security_may_act
from .status import account_record_event
from .two_factor import two_factor_delete_devices

logger = logging.getLogger("espace_citoyen.accounts")


def _check_may_act_on_security(*, user: User, actor: User) -> None:
    if not account_security_may_act(actor=actor, user=user):
        raise PermissionDenied("Vous ne pouvez pas agir sur la sécurité de ce compte.")


def account_login_unlock(*, user: User, actor: User) -> int:
    """Lifts the login lock (django-axes) of the account: deletes every AccessAttempt row
    of its e-mail address, from every IP address; failures of other accounts (which also
    count towards a per-address lock) are left alone. Records who did it. Returns the
    number of failures forgotten; ValueError when there was none to forget."""

    _check_may_act_on_security(user=user, actor=actor)
    with transaction.atomic():
        attempts = AccessAttempt.objects.filter(username=user.email)
        failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
        if not attempts.exists():
            raise ValueError("Aucun échec de connexion n'est enregistré pour ce compte.")
        attempts.delete()
        account_record_event(
            user=user, kind=AccountEventKind.LOGIN_UNLOCKED, actor=actor,
            comment=f"{failures} échec(s) de connexion effacé(s)",
        )
    logger.info("login unlocked email=%s actor=%s failures=%s", user.email, actor.email, failures)
    return failures


def account_two_factor_reset(*, user: User, actor: User, reason: str) -> None:
    """For someone who lost their phone and backup codes: an agent who has checked their
    identity removes their second factor (the same devices as two_factor_disable). The
    reason is required and kept in the history; the person is e-mailed (after commit). A
    staff user is sent to enrolment at their next admin access (AdminTwoFactorMiddleware).
    ValueError without a reason or when the account has no second factor."""


    reason = (reason or "").strip()
    if not reason:
        raise ValueError("Indiquez le motif de la réinitialisation (vérification d'identité effectuée).")
    _check_may_act_on_security(user=user, actor=actor)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if not two_factor_delete_devices(user=user):
            raise ValueError("La double authentification n'est pas activée sur ce compte.")
        account_record_event(user=user, kind=AccountEventKind.TWO_FACTOR_RESET, actor=actor, comment=reason)
        send_templated_email(template="accounts/emails/two_factor_reset", to=user.email, context={
            "user": user, "changed_at": timezone.localtime(), "is_staff": is_agent_account(user),
            "security_url": site_url(reverse("accounts:security")),
        })
    logger.info("two-factor reset email=%s actor=%s", user.email, actor.email)
