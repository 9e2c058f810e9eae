"""Bookings made by a town agent (Pôle scolaire) for a family, possibly past the booking
deadline ("dérogation"): a reason is always required, it is recorded on the reservation,
and the household's adults are told by e-mail once the change is committed."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from espace_citoyen.core.agents import is_town_agent
from espace_citoyen.core.business_calendar import format_day
from espace_citoyen.core.emails import send_templated_email, site_url
from espace_citoyen.family.models import Child
from espace_citoyen.family.selectors import notification_emails_for

from ..models import Occurrence, Reservation
from .booking import (
    BookingError,
    reservation_book,
    reservation_cancel,
    reservations_book_pattern,
    settle_expired_offers,
)

__all__ = ["REASON_REQUIRED", "agent_book", "agent_book_pattern", "agent_cancel"]

REASON_REQUIRED = "Indiquez le motif de la dérogation."
REASON_MAX_LENGTH = 200  # Reservation.override_reason


def _check_agent(actor) -> None:
    if not is_town_agent(actor):
        raise BookingError("Seul un agent de la mairie peut intervenir pour une famille.", code="agent")


def _clean_reason(reason) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise BookingError(REASON_REQUIRED, code="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise BookingError(f"Le motif ne doit pas dépasser {REASON_MAX_LENGTH} caractères "
                           f"(il en compte {len(reason)}).", code="reason")
    return reason


def _notify(*, reservation_id: int, action: str, reason: str) -> None:
    """E-mail the household's adults who prefer e-mail, after the commit."""
    reservation = Reservation.objects.select_related("child", "occurrence__activity").get(pk=reservation_id)
    agenda = reverse("activities:agenda", args=[reservation.child_id])
    send_templated_email(
        template="activities/emails/agent_booking",
        to=notification_emails_for(household_id=reservation.child.household_id),
        context={
            "action": action, "child": reservation.child, "activity": reservation.occurrence.activity.name,
            "day": format_day(reservation.occurrence.date), "reason": reason,
            "url": site_url(f"{agenda}?mois={reservation.occurrence.date:%Y-%m}"),
        },
    )


def agent_book(*, child: Child, occurrence: Occurrence, actor, reason: str) -> Reservation:
    """Book one day for the child on behalf of the family (deadline may be past).
    Raises BookingError (French message) when refused: no reason, closed, full, no dossier…"""
    _check_agent(actor)
    reason = _clean_reason(reason)
    # Expired waiting-list offers are settled (and the next family told) even if this booking fails.
    settle_expired_offers(occurrence=occurrence, now=timezone.now())
    with transaction.atomic():
        reservation = reservation_book(child=child, occurrence=occurrence, actor=actor, override_reason=reason)
        _notify(reservation_id=reservation.pk, action="book", reason=reason)
    return reservation


def agent_cancel(*, reservation: Reservation, actor, reason: str) -> Reservation:
    """Cancel a booked day on behalf of the family (deadline may be past); the freed place
    goes to the waiting list as for any cancellation."""
    _check_agent(actor)
    reason = _clean_reason(reason)
    with transaction.atomic():
        reservation = reservation_cancel(reservation=reservation, actor=actor, override_reason=reason)
        _notify(reservation_id=reservation.pk, action="cancel", reason=reason)
    return reservation


def agent_book_pattern(*, children, activity, weekdays, start, end, exceptions, actor, reason):
    """A weekly pattern over a period booked by an agent for a family (deadlines overridden,
    capacity and closed days still apply), with one summary e-mail to each household.
    Returns the booking service's summary."""

    _check_agent(actor)
    reason = _clean_reason(reason)
    summary = reservations_book_pattern(children=children, activity=activity, weekdays=weekdays, start=start,
                                        end=end, exceptions=exceptions, actor=actor, override_reason=reason)
    booked_by_household: dict[int, list] = {}
    for child, occurrence in summary.booked:
        booked_by_household.setdefault(child.household_id, []).append((child, occurrence))
    for household_id, booked in booked_by_household.items():
        send_templated_email(
            template="activities/emails/agent_pattern", to=notification_emails_for(household_id=household_id),
            context={"activity": activity.name, "reason": reason, "count": len(booked),
                     "days": [(child.first_name, format_day(occurrence.date)) for child, occurrence in booked],
                     "url": site_url(reverse("activities:agenda", args=[booked[0][0].pk]))},
        )
    return summary
