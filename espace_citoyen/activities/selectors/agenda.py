"""Reads of a child's agenda: the days of the activities of the child's validated
dossiers, each with its state for that child. The child always comes from
``family.selectors.child_for`` (scoped to the caller)."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.db.models import F, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from espace_citoyen.core.business_calendar import MONTHS_FR, PARIS, WEEKDAYS_FR
from espace_citoyen.core.compiled_query import CompiledQuery
from espace_citoyen.family.models import Child

from .. import rules
from ..models import (
    Activity,
    CalendarFeed,
    DossierStatus,
    Occurrence,
    OccurrenceStatus,
    Reservation,
    ReservationStatus,
    WaitingListEntry,
    WaitingStatus,
)


class CellState:
    BOOKED = "booked"
    AVAILABLE = "available"
    FULL = "full"
    CLOSED = "closed"
    LOCKED = "locked"  # past the booking deadline: see Cell.booked for what it means for the child
    OFFERED = "offered"


# What a parent reads, in words (never by colour alone). A day past its deadline says
# whether the child is booked, as the .ics feed and the agent's screen do.
STATE_LABELS = {
    CellState.BOOKED: "Réservé",
    CellState.AVAILABLE: "Disponible",
    CellState.FULL: "Complet",
    CellState.CLOSED: "Fermé",
    CellState.OFFERED: "Place proposée",
}
LOCKED_LABELS = {
    "locked-booked": "Réservé — plus modifiable",
    "locked-full": "Complet — plus modifiable",
    "locked-free": "Non réservé — plus modifiable",
}
# The tones of the legend, in its order: (tone, label). Each has its icon and colour.
LEGEND = [
    ("booked", "Réservé"),
    ("available", "Disponible"),
    ("full", "Complet"),
    ("waiting", "Liste d'attente"),
    ("closed", "Fermé"),
    ("locked-booked", "Réservé, plus modifiable"),
    ("locked-free", "Non réservé, plus modifiable"),
]


@dataclass
class Cell:
    occurrence: Occurrence
    state: str
    booked: bool
    reservation: Reservation | None
    waiting: WaitingListEntry | None
    deadline_text: str  # "modifiable jusqu'au mardi 3 mars, 10:00", empty when locked/closed
    offers: int = 0  # places of the day held for waiting-list offers (any family)
    absence: object = None  # the AbsenceReport of the reservation, if any
    reportable: bool = False  # booked, past the deadline, today or later: "Signaler une absence"

    @property
    def tone(self) -> str:
        """The state as the legend shows it (icon and colour), finer than ``state``."""
        if self.state == CellState.LOCKED:
            if self.booked:
                return "locked-booked"
            return "locked-full" if self.occurrence.is_full else "locked-free"
        if self.state == CellState.OFFERED or (self.state == CellState.FULL and self.waiting is not None):
            return "waiting"
        return self.state

    @property
    def label(self) -> str:
        tone = self.tone
        if tone in LOCKED_LABELS:
            return LOCKED_LABELS[tone]
        if tone == "waiting" and self.state == CellState.FULL:
            return "Complet — sur liste d'attente"
        return STATE_LABELS[self.state]

    @property
    def short_label(self) -> str:
        """The state in a word, for the month grid on wide screens (the icon tells whether the
        day can still be changed, the legend says so; the full label is read to screen readers)."""
        tone = self.tone
        if tone == "locked-booked":
            return "Réservé"
        if tone == "locked-full":
            return "Complet"
        if tone == "locked-free":
            return "Non réservé"
        if tone == "waiting" and self.state == CellState.FULL:
            return "Liste d'attente"
        return STATE_LABELS[self.state]

    @property
    def icon(self) -> str:
        """The icon of the legend for this tone (locked-full shares locked-free's)."""
        return "locked-free" if self.tone == "locked-full" else self.tone

    @property
    def activity(self) -> Activity:
        return self.occurrence.activity


@dataclass
class Day:
    date: datetime.date
    in_month: bool
    cells: list
    # Set by the view (its "today" and chosen day): read once per day by the template.
    is_today: bool = False
    is_selected: bool = False

    @property
    def iso(self) -> str:
        return self.date.isoformat()

    @property
    def label(self) -> str:
        """ "Mardi 3 mars": the day's name for screen readers, without the template's
        locale-aware date filter (called for every day of the month grid)."""
        text = f"{WEEKDAYS_FR[self.date.weekday()]} {self.date.day} {MONTHS_FR[self.date.month - 1]}"
        return text[:1].upper() + text[1:]

    @property
    def reportable(self) -> list:
        """Cells of the day for which an absence can be reported."""
        return [cell for cell in self.cells if cell.reportable]


def activities_for(*, child: Child):
    """Activities of the child's validated dossiers."""
    return (Activity.objects.filter(dossiers__child=child, dossiers__status=DossierStatus.VALIDATED)
            .select_related("booking_rule", "school_year").distinct().order_by("name"))


def occurrence_for_child(*, child: Child, occurrence_id: int) -> Occurrence:
    """An occurrence of an activity of the child's validated dossiers, else 404."""
    return get_object_or_404(
        Occurrence.objects.select_related("activity__booking_rule", "activity__school_year")
        .filter(activity__in=activities_for(child=child)),
        pk=occurrence_id,
    )


def reservation_for_child(*, child: Child, occurrence_id: int) -> Reservation:
    return get_object_or_404(Reservation.objects.select_related("occurrence__activity__booking_rule", "child"),
                             child=child, occurrence_id=occurrence_id, status=ReservationStatus.BOOKED)


def waiting_entry_for_child(*, child: Child, entry_id: int) -> WaitingListEntry:
    return get_object_or_404(WaitingListEntry.objects.select_related("occurrence__activity__booking_rule", "child"),
                             child=child, pk=entry_id)


def _pending_offer(now) -> Q:
    """An offer not yet expired (as booking.offers_count): it holds its place."""
    return Q(offer_expires_at__gt=now) | Q(offer_expires_at__isnull=True)


# The agenda's three queries, compiled once per shape (core.compiled_query: compiling them
# took 2 ms of a 15 ms page, 3 December 2026).
_MONTH_OCCURRENCES = CompiledQuery(lambda activity_ids, start, end: Occurrence.objects.filter(
    activity_id__in=activity_ids, date__gte=start, date__lte=end).order_by("date"))
_BOOKED = CompiledQuery(lambda child_id, occurrence_ids: Reservation.objects.filter(
    child_id=child_id, occurrence_id__in=occurrence_ids, status=ReservationStatus.BOOKED)
    .select_related("absence_report").order_by())
_WAITING_AND_OFFERS = CompiledQuery(lambda child_id, occurrence_ids, now: WaitingListEntry.objects.filter(
    Q(child_id=child_id, status__in=[WaitingStatus.WAITING, WaitingStatus.OFFERED])
    | (Q(status=WaitingStatus.OFFERED) & _pending_offer(now)), occurrence_id__in=occurrence_ids).order_by())


def cells_for(*, child: Child, start: datetime.date, end: datetime.date, now=None, activities=None) -> dict:
    """{date: [Cell, ...]} for the child's activities between start and end (included).
    `activities`: activities_for(child=child) when the caller has them already (the agenda
    page): the days are then read without joins, each given its activity."""
    now = now or timezone.now()
    today = now.astimezone(PARIS).date()
    if activities is None:
        occurrences = list(
            Occurrence.objects.filter(activity__in=activities_for(child=child), date__gte=start, date__lte=end)
            .select_related("activity__booking_rule").order_by("date", "activity__name")
        )
    else:
        by_id = {activity.pk: activity for activity in activities}
        occurrences = _MONTH_OCCURRENCES.objects(list(by_id), start, end)
        for occurrence in occurrences:
            occurrence.activity = by_id[occurrence.activity_id]
        occurrences.sort(key=lambda occurrence: (occurrence.date, occurrence.activity.name))
    ids = [o.pk for o in occurrences]
    # Read into dicts by day (occurrence id), without the models' default order: a booking's
    # (by date) joined the days again, a waiting-list entry's sorted for nothing (PostgreSQL
    # planned the bookings' three-table join in 1.9 ms on 3 December 2026, against 0.6).
    reservations = {r.occurrence_id: r for r in _BOOKED.objects(child.pk, ids)}
    # One query for the child's waiting-list entries and every family's pending offers.
    waiting: dict[int, WaitingListEntry] = {}
    offers: dict[int, int] = {}
    for entry in _WAITING_AND_OFFERS.objects(child.pk, ids, now):
        if entry.child_id == child.pk:  # waiting or offered: the query reads no other of the child's
            waiting[entry.occurrence_id] = entry
        if entry.status == WaitingStatus.OFFERED and (entry.offer_expires_at is None or entry.offer_expires_at > now):
            offers[entry.occurrence_id] = offers.get(entry.occurrence_id, 0) + 1
    result: dict[datetime.date, list] = {}
    for occ in occurrences:
        reservation = reservations.get(occ.pk)
        entry = waiting.get(occ.pk)
        open_ = rules.can_change(occurrence=occ, now=now)
        if occ.status == OccurrenceStatus.CLOSED:
            state = CellState.CLOSED
        elif not open_:
            state = CellState.LOCKED
        elif reservation:
            state = CellState.BOOKED
        elif entry and entry.status == WaitingStatus.OFFERED and (entry.offer_expires_at is None
                                                                  or entry.offer_expires_at > now):
            state = CellState.OFFERED
        elif occ.booked_count + offers.get(occ.pk, 0) >= occ.capacity:
            state = CellState.FULL
        else:
            state = CellState.AVAILABLE
        deadline_text = rules.change_notice(occurrence=occ) if state not in (CellState.CLOSED, CellState.LOCKED) else ""
        absence = getattr(reservation, "absence_report", None) if reservation else None
        result.setdefault(occ.date, []).append(
            Cell(occurrence=occ, state=state, booked=bool(reservation), reservation=reservation, waiting=entry,
                 deadline_text=deadline_text, offers=offers.get(occ.pk, 0), absence=absence,
                 reportable=state == CellState.LOCKED and bool(reservation) and occ.date >= today)
        )
    return result


def month_for(*, child: Child, year: int, month: int, now=None, activities=None) -> list[list[Day]]:
    """Weeks (Monday first) of the month, each a list of 7 Days."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    cells = cells_for(child=child, start=weeks[0][0], end=weeks[-1][-1], now=now, activities=activities)
    return [[Day(date=d, in_month=d.month == month, cells=cells.get(d, [])) for d in week] for week in weeks]


def week_for(*, child: Child, monday: datetime.date, now=None, activities=None) -> list[Day]:
    days = [monday + datetime.timedelta(days=i) for i in range(7)]
    cells = cells_for(child=child, start=days[0], end=days[-1], now=now, activities=activities)
    return [Day(date=d, in_month=True, cells=cells.get(d, [])) for d in days]


def booked_reservations_for_feed(*, child: Child):
    return (Reservation.objects.filter(child=child, status=ReservationStatus.BOOKED)
            .select_related("occurrence__activity").order_by("occurrence__date"))


def child_by_feed_token(*, child_id: int, token: str) -> Child:
    """The child whose calendar feed has this token, else 404 (no login: calendar apps).

    The feed belongs to a person: it answers only while that person's account is active and
    they are still an adult of the child's household."""
    if not token:
        raise Http404
    feed = get_object_or_404(
        CalendarFeed.objects.select_related("child").filter(
            user__is_active=True, child__household__memberships__user_id=F("user_id")),
        child_id=child_id, token=token)
    return feed.child
