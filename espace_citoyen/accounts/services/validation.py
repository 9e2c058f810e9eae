"""The Relations population validates or refuses the accounts created with the wizard; the
account-creation démarche follows, and the citizen is e-mailed."""

import logging

from django.db import transaction
from django.urls import reverse

from espace_citoyen.core.emails import send_templated_email, site_url
from espace_citoyen.core.services_map import TownService
from espace_citoyen.demarches.models import Demarche, DemarcheKind, DemarcheStatus
from espace_citoyen.demarches.selectors import open_deletion_request_for
from espace_citoyen.demarches.services import demarche_open, demarche_set_status

from ..models import AccountEventKind, AccountStatus, User
from .status import account_set_status

logger = logging.getLogger("espace_citoyen.accounts")


def _account_creation_demarche(user: User):
    return Demarche.objects.filter(user=user, kind=DemarcheKind.ACCOUNT_CREATION).open().order_by("-created_at").first()


def account_validate(*, user: User, actor: User) -> User:
    """An agent validates a pending account: it may now register children, book and pay.
    The démarche is accepted and the citizen e-mailed (after commit)."""


    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        account_set_status(user=user, new_status=AccountStatus.ACTIVE, actor=actor, kind=AccountEventKind.VALIDATED)
        user.refusal_reason = ""
        user.save(update_fields=["refusal_reason"])
        demarche = _account_creation_demarche(user)
        if demarche is not None:
            demarche_set_status(demarche=demarche, status=DemarcheStatus.ACCEPTED, actor=actor,
                                comment="Espace citoyen validé")
        send_templated_email(template="accounts/emails/signup_validated", to=user.email,
                             context={"user": user, "login_url": site_url(reverse("accounts:login"))})
    logger.info("account validated email=%s actor=%s", user.email, actor.email)
    return user


def account_refuse(*, user: User, actor: User, reason: str) -> User:
    """An agent refuses a pending account, with a reason that the citizen receives by
    e-mail (with the town hall's phone number); the démarche is refused with it."""


    reason = (reason or "").strip()
    if not reason:
        raise ValueError("Le motif du refus est obligatoire.")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        account_set_status(user=user, new_status=AccountStatus.REFUSED, actor=actor, kind=AccountEventKind.REFUSED,
                           comment=reason)
        user.refusal_reason = reason
        user.save(update_fields=["refusal_reason"])
        demarche = _account_creation_demarche(user)
        if demarche is not None:
            demarche_set_status(demarche=demarche, status=DemarcheStatus.REFUSED, actor=actor, comment=reason)
        send_templated_email(template="accounts/emails/signup_refused", to=user.email,
                             context={"user": user, "reason": reason})
    logger.info("account refused email=%s actor=%s", user.email, actor.email)
    return user


def account_deletion_request(*, user: User, reason: str = ""):
    """Opens a démarche "Suppression du compte" for the Relations population service, who
    delete the account (invoices are kept as the law requires). Returns the démarche; an
    open request is returned as is instead of a second one."""

    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        existing = open_deletion_request_for(user=user)
        if existing is not None:
            return existing
        demarche = demarche_open(
            user=user, kind=DemarcheKind.ACCOUNT_DELETION, title="Suppression de mon compte", actor=user,
            service=TownService.POPULATION, comment=(reason or "").strip(),
        )
    logger.info("account deletion requested user=%s demarche=%s", user.pk, demarche.number)
    return demarche
