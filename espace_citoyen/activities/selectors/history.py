"""A child's booking history: every reservation (booked or cancelled, made on the portal,
by an agent, or imported from the Portail Famille), newest day first, with its attendance.

The child always comes from a scoped selector (``family.selectors.child_for`` for
citizens, the agents' own lookup in the back office)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import QuerySet

from espace_citoyen.core.business_calendar import PARIS, format_day

from espace_citoyen.family.models import Child

from home.choices import choice_label

from ..models import Activity, Attendance, Reservation, ReservationStatus, SchoolYear

__all__ = ["HistoryRow", "history_for", "history_rows"]


# What `history_rows` shows, read as values: five model instances a line cost more than the
# query (no agent's account either: its two joins doubled the query's planning time).
_FIELDS = ("occurrence__date", "occurrence__activity__name", "occurrence__activity__school_year__label", "status",
           "cancelled_at", "source", "override_reason", "attendance__status")


def history_for(*, child: Child, school_year: SchoolYear | None = None,
                activity: Activity | None = None) -> QuerySet[Reservation]:
    """The child's reservations, newest day first (then newest change first): a page of it
    (or the whole, for the CSV) goes to `history_rows`."""
    queryset = Reservation.objects.filter(child=child)
    if school_year is not None:
        queryset = queryset.filter(occurrence__activity__school_year=school_year)
    if activity is not None:
        queryset = queryset.filter(occurrence__activity=activity)
    return queryset.order_by("-occurrence__date", "occurrence__activity__name", "-created_at", "-id")


def history_activities_for(*, child: Child, school_year: SchoolYear | None = None) -> QuerySet[Activity]:
    """Activities in which the child has at least one reservation (of ``school_year`` if
    given), newest year first then by name (filter choices), with their school year."""
    queryset = Activity.objects.filter(occurrences__reservations__child=child)
    if school_year is not None:
        queryset = queryset.filter(school_year=school_year)
    return queryset.select_related("school_year").distinct().order_by("-school_year__starts_on", "name")


def history_school_year_for(*, label: str) -> SchoolYear | None:
    """A school year by its label (a year asked for in the filter in which the child has no
    reservation yet: the page then says so), or None."""
    return SchoolYear.objects.filter(label=label).first() if label and len(label) <= 9 else None


@dataclass(frozen=True)
class HistoryRow:
    """One line of the history as the parent and the agent read it (page and CSV)."""

    date: datetime.date
    date_label: str  # "mardi 3 mars 2026"
    activity: str
    school_year: str
    state: str  # "Réservé", "Annulé le 2 mars 2026"
    cancelled: bool
    origin: str  # "Agent de la mairie – motif : …"
    presence: str  # "Présent", "Absent, justifié", "—"

    def as_csv(self) -> list[str]:
        return [self.date_label, self.activity, self.state, self.origin, self.presence]


def _row(values: dict) -> HistoryRow:
    day = values["occurrence__date"]
    cancelled = values["status"] == ReservationStatus.CANCELLED
    if cancelled:
        cancelled_at = values["cancelled_at"]
        cancelled_on = cancelled_at.astimezone(PARIS).date() if cancelled_at else None
        state = f"Annulé le {format_day(cancelled_on, weekday=False)}" if cancelled_on else "Annulé"
    else:
        state = choice_label(Reservation, "status", values["status"])
    origin = choice_label(Reservation, "source", values["source"])
    if values["override_reason"]:
        origin += f" – motif : {values['override_reason']}"
    attendance = values["attendance__status"]
    presence = choice_label(Attendance, "status", attendance) if attendance else "—"
    return HistoryRow(date=day, date_label=format_day(day), activity=values["occurrence__activity__name"],
                      school_year=values["occurrence__activity__school_year__label"], state=state,
                      cancelled=cancelled, origin=origin, presence=presence)


def history_rows(reservations: QuerySet[Reservation], *, stream: bool = False) -> Iterator[HistoryRow]:
    """The display rows of ``history_for``'s reservations (a page of them, or all of them
    read in chunks with `stream`), with the activity, the school year and the attendance."""
    values = reservations.values(*_FIELDS)
    return (_row(row) for row in (values.iterator(chunk_size=500) if stream else values))
