"""Every write on démarches."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import ALLOWED_DEMARCHE_TRANSITIONS, Demarche, DemarcheEvent, DemarcheKind, DemarcheStatus


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
    """Record a new request of `user` (status "envoyée") with the first line of its timeline."""
    demarche = Demarche.objects.create(
        number=_next_number(), kind=kind, title=title, user=user, service=service, due_at=due_at,
    )
    DemarcheEvent.objects.create(demarche=demarche, actor=actor or user, to_status=DemarcheStatus.SENT, comment=comment)
    return demarche


@transaction.atomic
def demarche_set_status(*, demarche: Demarche, status: DemarcheStatus, actor, comment: str = "") -> Demarche:
    """Move a démarche to `status` if the move is allowed, and write the timeline line."""
    demarche = Demarche.objects.select_for_update().get(pk=demarche.pk)
    if status not in ALLOWED_DEMARCHE_TRANSITIONS[DemarcheStatus(demarche.status)]:
        raise ValidationError(
            f"Une démarche « {demarche.get_status_display()} » ne peut pas passer à "
            f"« {DemarcheStatus(status).label} »."
        )
    previous = demarche.status
    demarche.status = status
    demarche.save(update_fields=["status", "updated_at"])
    DemarcheEvent.objects.create(
        demarche=demarche, actor=actor, from_status=previous, to_status=status, comment=comment
    )
    return demarche
