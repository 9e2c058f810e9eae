"""Account status changes and the account's history (AccountEvent), shared by the
validation queue, the activation and the Portail Famille import."""

from django.db import transaction
from django.utils import timezone

from ..models import ALLOWED_STATUS_TRANSITIONS, AccountEvent, User


def account_record_event(
    *, user: User, kind: str, actor: User | None, comment: str = "", from_status: str = "", to_status: str = ""
) -> AccountEvent:
    """Writes one row of the account's history."""
    return AccountEvent.objects.create(
        user=user, actor=actor, kind=kind, comment=comment, from_status=from_status, to_status=to_status,
    )


def account_set_status(*, user: User, new_status: str, actor: User | None, kind: str, comment: str = "") -> User:
    """The one way to change an account's status: refuses a move that
    ALLOWED_STATUS_TRANSITIONS does not list, and writes the history row."""

    with transaction.atomic():
        old_status = user.status
        if new_status not in ALLOWED_STATUS_TRANSITIONS.get(old_status, set()):
            raise ValueError(f"Changement d'état impossible : {old_status} → {new_status}.")
        user.status = new_status
        user.status_changed_at = timezone.now()
        user.save(update_fields=["status", "status_changed_at"])
        account_record_event(
            user=user, kind=kind, actor=actor, comment=comment, from_status=old_status, to_status=new_status,
        )
    return user
