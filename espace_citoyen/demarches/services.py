"""Every write on démarches."""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from espace_citoyen.core.emails import send_templated_email, site_url
from espace_citoyen.core.services_map import staff_can_see_service

from .models import (
    ALLOWED_DEMARCHE_TRANSITIONS,
    COMMENT_REQUIRED_STATUSES,
    Demarche,
    DemarcheEvent,
    DemarcheKind,
    DemarcheService,
    DemarcheStatus,
)

logger = logging.getLogger(__name__)

# Staff group names (and older labels) accepted for `service`, turned into service codes.
_SERVICE_ALIASES = {
    "relations population": DemarcheService.POPULATION,
    "relations à la population": DemarcheService.POPULATION,
    "pôle scolaire": DemarcheService.SCOLAIRE,
    "régie": DemarcheService.REGIE,
}

MAX_REPLY_LENGTH = 5000


def normalize_service(service: str) -> str:
    """A service code from a code or a staff group name ("Relations population")."""
    service = (service or "").strip()
    if not service or service in DemarcheService.values:
        return service
    try:
        return _SERVICE_ALIASES[service.lower()].value
    except KeyError:
        raise ValidationError(f"Service inconnu : « {service} ».") from None


def _next_number() -> str:
    year = timezone.localdate().year
    prefix = f"D{year}-"
    last = (
        Demarche.objects.select_for_update().filter(number__startswith=prefix).order_by("-number")
        .values_list("number", flat=True).first()
    )
    sequence = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{sequence:06d}"


@transaction.atomic
def demarche_open(*, user, kind: DemarcheKind, title: str, actor=None, service: str = "", due_at=None,
                  comment: str = "") -> Demarche:
    """Record a new request of `user` (status "envoyée") with the first line of its timeline.
    `service` is a code of DemarcheService (a staff group name is accepted too)."""
    demarche = Demarche.objects.create(
        number=_next_number(), kind=kind, title=title, user=user, service=normalize_service(service), due_at=due_at,
    )
    DemarcheEvent.objects.create(demarche=demarche, actor=actor or user, to_status=DemarcheStatus.SENT, comment=comment)
    return demarche


@transaction.atomic
def demarche_set_status(*, demarche: Demarche, status: DemarcheStatus, actor, comment: str = "",
                        notify: bool = False) -> Demarche:
    """Move a démarche to `status` if the move is allowed, and write the timeline line.
    With `notify`, the citizen is e-mailed the new status and the comment (after commit);
    callers that send their own e-mail (account validation) leave it off."""
    demarche = Demarche.objects.select_for_update().get(pk=demarche.pk)
    if status not in ALLOWED_DEMARCHE_TRANSITIONS[DemarcheStatus(demarche.status)]:
        raise ValidationError(
            f"Une démarche « {demarche.get_status_display()} » ne peut pas passer à "
            f"« {DemarcheStatus(status).label} »."
        )
    previous = demarche.status
    demarche.status = status
    demarche.save(update_fields=["status", "updated_at"])
    event = DemarcheEvent.objects.create(
        demarche=demarche, actor=actor, from_status=previous, to_status=status, comment=comment
    )
    if notify:
        transaction.on_commit(lambda: send_status_email(demarche_id=demarche.pk, event_id=event.pk))
    return demarche


@transaction.atomic
def demarche_process(*, demarche: Demarche, status: DemarcheStatus, actor, comment: str = "") -> Demarche:
    """An agent of the démarche's service changes its status, with a comment (required to
    ask for more information or to refuse); the citizen is e-mailed once."""
    if not staff_can_see_service(actor, demarche.service):
        raise PermissionDenied("Cette démarche relève d'un autre service.")
    if demarche.kind == DemarcheKind.ACCOUNT_CREATION and status in {DemarcheStatus.ACCEPTED, DemarcheStatus.REFUSED}:
        raise ValidationError(
            "Une demande de création d'espace se valide ou se refuse depuis « Comptes à valider »."
        )
    comment = (comment or "").strip()
    if status in COMMENT_REQUIRED_STATUSES and not comment:
        raise ValidationError(
            f"Un commentaire est obligatoire pour passer une démarche à « {DemarcheStatus(status).label} » : "
            "expliquez à la personne ce qu'elle doit faire ou pourquoi."
        )
    return demarche_set_status(demarche=demarche, status=status, actor=actor, comment=comment, notify=True)


@transaction.atomic
def demarche_citizen_reply(*, demarche: Demarche, user, message: str) -> Demarche:
    """The citizen answers a démarche "à compléter": it goes back to "envoyée" with the
    message in its timeline."""
    if demarche.user_id != user.pk:
        raise PermissionDenied("Cette démarche n'est pas la vôtre.")
    message = (message or "").strip()
    if not message:
        raise ValidationError("Écrivez votre réponse au service.")
    if len(message) > MAX_REPLY_LENGTH:
        raise ValidationError(f"Votre réponse dépasse {MAX_REPLY_LENGTH} caractères.")
    locked = Demarche.objects.select_for_update().get(pk=demarche.pk)
    if locked.status != DemarcheStatus.TO_COMPLETE:
        raise ValidationError("Cette démarche n'attend plus de complément de votre part.")
    return demarche_set_status(demarche=locked, status=DemarcheStatus.SENT, actor=user, comment=message)


def send_status_email(*, demarche_id: int, event_id: int) -> None:
    """E-mail the citizen the new status of a démarche (templates/demarches/emails/).
    A failure is logged: the change is recorded and visible in the citizen's space."""
    demarche = Demarche.objects.select_related("user").get(pk=demarche_id)
    event = DemarcheEvent.objects.get(pk=event_id)
    context = {
        "demarche": demarche,
        "user": demarche.user,
        "status_label": DemarcheStatus(event.to_status).label,
        "comment": event.comment,
        "service_label": demarche.service_label,
        "demarche_url": site_url(reverse("demarches:detail", args=[demarche.number])),
        "action_needed": event.to_status == DemarcheStatus.TO_COMPLETE,
    }
    send_templated_email(template="demarches/emails/status_changed", to=demarche.user.email, context=context,
                         on_commit=False)
