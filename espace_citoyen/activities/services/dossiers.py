"""Every write on the registration dossiers: draft (pre-filled from last year), save,
submit (opens a démarche), and the agents' decision (`dossier_set_status`)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from espace_citoyen.core.emails import send_templated_email
from espace_citoyen.core.services_map import TownService
from espace_citoyen.demarches.models import ALLOWED_DEMARCHE_TRANSITIONS, DemarcheKind, DemarcheStatus
from espace_citoyen.demarches.services import demarche_open, demarche_set_status
from espace_citoyen.family.models import Membership

from ..models import ALLOWED_DOSSIER_TRANSITIONS, Dossier, DossierStatus
from ..selectors import dossiers as selectors

# The démarche follows the dossier.
DEMARCHE_STATUS_FOR = {
    DossierStatus.SUBMITTED: DemarcheStatus.SENT,
    DossierStatus.VALIDATED: DemarcheStatus.ACCEPTED,
    DossierStatus.REFUSED: DemarcheStatus.REFUSED,
    DossierStatus.TO_COMPLETE: DemarcheStatus.TO_COMPLETE,
}
COMMENT_REQUIRED = {DossierStatus.REFUSED: "Indiquez le motif du refus.",
                    DossierStatus.TO_COMPLETE: "Indiquez aux parents ce qu'il faut compléter."}


def _title(dossier: Dossier) -> str:
    return f"Dossier d'inscription {dossier.school_year.label} – {dossier.child.first_name} {dossier.child.last_name}"


@transaction.atomic
def dossier_get_or_create(*, user, child, school_year) -> Dossier:
    """The child's dossier of the year; a new one is a draft pre-filled from last year's
    dossier (activities of the same name offered this year, authorisations, health notes, and
    the attached documents still in the caller's own vault and not expired)."""
    dossier = selectors.dossier_for(child=child, school_year=school_year)
    if dossier is not None:
        return dossier
    dossier = Dossier.objects.create(child=child, school_year=school_year, created_by=user)
    previous = selectors.previous_dossier(child=child, school_year=school_year)
    if previous is not None:
        dossier.health_notes = previous.health_notes
        dossier.photo_consent = previous.photo_consent
        dossier.may_leave_alone = previous.may_leave_alone
        dossier.emergency_care_consent = previous.emergency_care_consent
        dossier.save()
        names = set(previous.activities.values_list("name", flat=True))
        dossier.activities.set([a for a in selectors.offered_activities(child=child, school_year=school_year)
                                if a.name in names])
        usable, _expired = selectors.reusable_documents(user=user, documents=list(previous.documents.all()))
        dossier.documents.set(usable)
    return dossier


def _check_editable(dossier: Dossier) -> None:
    if dossier.status not in selectors.EDITABLE_STATUSES:
        raise ValidationError("Ce dossier a été envoyé : il ne peut plus être modifié.")
    state = selectors.campaign_state(school_year=dossier.school_year)
    if not selectors.parent_can_edit(dossier=dossier, state=state):
        raise ValidationError(state.message)


@transaction.atomic
def dossier_save(*, user, dossier: Dossier, activities, health_notes: str, health_confirmed: bool,
                 photo_consent: bool | None, may_leave_alone: bool | None, emergency_care_consent: bool | None,
                 documents) -> Dossier:
    """Save the parent's answers (a draft may be incomplete). Activities must be offered to
    the child; documents come from the caller's own vault (or were already attached to this
    dossier by another adult of the household)."""
    dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
    _check_editable(dossier)
    offered = {a.pk for a in selectors.offered_activities(child=dossier.child, school_year=dossier.school_year)}
    activity_ids = {a.pk for a in activities}
    if not activity_ids <= offered:
        raise ValidationError("Cette activité n'est pas proposée pour cet enfant.")
    document_ids = {d.pk for d in documents}
    allowed = set(selectors.attachable_documents(user=user, dossier=dossier).filter(pk__in=document_ids)
                  .values_list("pk", flat=True))
    if document_ids != allowed:
        raise ValidationError("Ce document n'est pas dans votre coffre-fort.")
    dossier.health_notes = health_notes.strip()
    dossier.health_confirmed = health_confirmed
    dossier.photo_consent = photo_consent
    dossier.may_leave_alone = may_leave_alone
    dossier.emergency_care_consent = emergency_care_consent
    dossier.save()
    dossier.activities.set(activity_ids)
    dossier.documents.set(document_ids)
    return dossier


def _move_demarche(*, dossier: Dossier, status: DossierStatus, actor, comment: str) -> None:
    """Move the linked démarche to the matching status; when its own workflow forbids it
    (a finished démarche), a new démarche carries the dossier on."""
    target = DEMARCHE_STATUS_FOR[status]
    demarche = dossier.demarche
    if demarche is not None and target in ALLOWED_DEMARCHE_TRANSITIONS[DemarcheStatus(demarche.status)]:
        demarche_set_status(demarche=demarche, status=target, actor=actor, comment=comment)
        return
    owner = demarche.user if demarche is not None else (dossier.created_by or actor)
    dossier.demarche = demarche_open(user=owner, kind=DemarcheKind.REGISTRATION, title=_title(dossier), actor=actor,
                                     service=TownService.SCOLAIRE, comment=comment)
    dossier.save(update_fields=["demarche", "updated_at"])
    if target != DemarcheStatus.SENT:
        demarche_set_status(demarche=dossier.demarche, status=target, actor=actor, comment=comment)


@transaction.atomic
def dossier_submit(*, user, dossier: Dossier) -> Dossier:
    """Send a complete dossier to the Pôle scolaire: status "Envoyé" and a démarche.
    An incomplete one raises a ValidationError listing what is missing (in French)."""
    dossier = (
        Dossier.objects.select_for_update(of=("self",)).select_related("child", "school_year", "demarche")
        .get(pk=dossier.pk)
    )
    _check_editable(dossier)
    missing = [e.missing for e in selectors.dossier_elements(dossier=dossier, child=dossier.child) if not e.done]
    if missing:
        raise ValidationError(missing)
    if dossier.demarche is None:
        dossier.demarche = demarche_open(user=user, kind=DemarcheKind.REGISTRATION, title=_title(dossier),
                                         service=TownService.SCOLAIRE)
    else:
        comment = ("Dossier corrigé et envoyé à nouveau après le refus." if dossier.status == DossierStatus.REFUSED
                   else "Dossier complété.")
        _move_demarche(dossier=dossier, status=DossierStatus.SUBMITTED, actor=user, comment=comment)
    dossier.status = DossierStatus.SUBMITTED
    dossier.submitted_at = timezone.now()
    dossier.decision_comment = ""
    dossier.save()
    return dossier


@transaction.atomic
def dossier_set_status(*, dossier: Dossier, status: DossierStatus, actor, comment: str = "") -> Dossier:
    """An agent's decision (validate, refuse, ask for completion) or a resubmission: checks
    the transition map, moves the démarche alike and e-mails the household's adults."""
    dossier = (
        Dossier.objects.select_for_update(of=("self",)).select_related("child", "school_year", "demarche")
        .get(pk=dossier.pk)
    )
    status = DossierStatus(status)
    if status not in ALLOWED_DOSSIER_TRANSITIONS[DossierStatus(dossier.status)]:
        raise ValidationError(
            f"Un dossier « {dossier.get_status_display()} » ne peut pas passer à « {status.label} »."
        )
    comment = comment.strip()
    if status in COMMENT_REQUIRED and not comment:
        raise ValidationError(COMMENT_REQUIRED[status])
    _move_demarche(dossier=dossier, status=status, actor=actor, comment=comment)
    dossier.status = status
    if status == DossierStatus.SUBMITTED:
        dossier.submitted_at = timezone.now()
    dossier.decision_comment = "" if status == DossierStatus.SUBMITTED else comment
    dossier.save()
    if status != DossierStatus.SUBMITTED:
        _notify_parents(dossier=dossier, comment=comment)
    return dossier


def _notify_parents(*, dossier: Dossier, comment: str) -> None:
    emails = sorted(
        Membership.objects.filter(household=dossier.child.household).exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    send_templated_email(template="activities/emails/dossier_status", to=emails, context={
        "dossier": dossier, "child": dossier.child, "comment": comment, "title": _title(dossier),
    })
