"""What the dashboard's "Activités de mes enfants" tile tells a parent: the days booked in
the coming two weeks, the freed places offered to the family (to answer before a time
limit), and the dossiers the Pôle scolaire sent back for completion. Three queries,
whatever the size of the family."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from espace_citoyen.core.business_calendar import PARIS

from ..models import Dossier, DossierStatus, Reservation, ReservationStatus, WaitingListEntry, WaitingStatus

__all__ = ["UPCOMING_DAYS", "ActivitiesSummary", "activities_summary_for"]

UPCOMING_DAYS = 14


@dataclass
class ActivitiesSummary:
    upcoming: int = 0  # booked days, today included, in the next UPCOMING_DAYS days
    offers: list[WaitingListEntry] = field(default_factory=list)  # pending, not expired, soonest first
    dossiers_to_complete: int = 0


def activities_summary_for(*, user, now: datetime.datetime | None = None,
                           child_ids: list[int] | None = None) -> ActivitiesSummary:
    """`child_ids`: the user's children as `family.selectors.children_for(user=user)` gives
    them, when the caller has them already (the dashboard): three joins fewer in each query
    (half their cost)."""
    now = now or timezone.now()
    today = now.astimezone(PARIS).date()
    children = ({"child_id__in": child_ids} if child_ids is not None
                else {"child__household__memberships__user": user})
    return ActivitiesSummary(
        upcoming=Reservation.objects.filter(
            **children, status=ReservationStatus.BOOKED,
            occurrence__date__gte=today, occurrence__date__lt=today + datetime.timedelta(days=UPCOMING_DAYS),
        ).count(),
        offers=list(
            WaitingListEntry.objects.filter(**children, status=WaitingStatus.OFFERED, offer_expires_at__gt=now)
            .select_related("child", "occurrence__activity").order_by("offer_expires_at", "id")
        ),
        dossiers_to_complete=Dossier.objects.filter(**children, status=DossierStatus.TO_COMPLETE).count(),
    )
