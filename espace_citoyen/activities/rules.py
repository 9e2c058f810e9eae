"""Booking deadlines: until when a day of an activity can be booked or cancelled.

The rule is data (``BookingRule``): "J-2 avant 10h, jours ouvrés" is days_before=2,
before=10:00, business_days=True. Business days come from
``espace_citoyen.core.business_calendar`` (weekends and French public holidays skipped);
otherwise plain calendar days are counted. Everything is in Europe/Paris."""

from __future__ import annotations

from datetime import datetime, timedelta

from espace_citoyen.core import business_calendar
from espace_citoyen.core.business_calendar import PARIS

from .models import BookingRule, Occurrence

_MONTHS = business_calendar.MONTHS_FR
_WEEKDAYS = business_calendar.WEEKDAYS_FR


def deadline_for(*, rule: BookingRule, day) -> datetime:
    """The last instant (aware, Paris) at which ``day`` can still be booked or cancelled."""
    if rule.business_days:
        return business_calendar.deadline_before(day, rule.days_before, rule.before)
    wall = datetime.combine(day - timedelta(days=rule.days_before), rule.before)
    return wall.replace(tzinfo=PARIS)


def booking_deadline(*, occurrence: Occurrence) -> datetime:
    return deadline_for(rule=occurrence.activity.booking_rule, day=occurrence.date)


def can_change(*, occurrence: Occurrence, now: datetime) -> bool:
    """True while the deadline of the day is not past (the deadline instant itself is too late)."""
    return now < booking_deadline(occurrence=occurrence)


def format_short(dt: datetime) -> str:
    """ "mardi 3 mars, 10:00" (no year), as shown in the agenda cells."""
    local = dt.astimezone(PARIS)
    day = "1er" if local.day == 1 else str(local.day)
    return f"{_WEEKDAYS[local.weekday()]} {day} {_MONTHS[local.month - 1]}, {local:%H:%M}"


def change_notice(*, occurrence: Occurrence) -> str:
    """ "modifiable jusqu'au mardi 3 mars, 10:00" """
    return f"modifiable jusqu'au {format_short(booking_deadline(occurrence=occurrence))}"
