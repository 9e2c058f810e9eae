"""Staff reads of the "Réservations des familles" back office: find a child, and the days of
the child's validated-dossier activities for a month, as an agent sees them (an agent may
still change a day whose booking deadline is past; a closed or full day cannot be booked)."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from espace_citoyen.family.models import Child, Membership

from ..models import Occurrence, Reservation, WaitingListEntry, WaitingStatus
from .agenda import CellState, cells_for

__all__ = ["AgentDay", "AgentState", "child_for_staff", "children_search", "days_for_agent"]


class AgentState:
    BOOKED = "booked"
    AVAILABLE = "available"
    FULL = "full"
    CLOSED = "closed"
    LOCKED = "locked"
    OFFERED = "offered"


AGENT_STATE_LABELS = {
    AgentState.BOOKED: "Réservé",
    AgentState.AVAILABLE: "Disponible",
    AgentState.FULL: "Complet",
    AgentState.CLOSED: "Fermé",
    AgentState.LOCKED: "Délai dépassé",
    AgentState.OFFERED: "Place proposée à la famille",
}


@dataclass
class AgentDay:
    """One day of one activity of the child, with what an agent may do on it."""

    occurrence: Occurrence
    state: str
    past_deadline: bool
    reservation: Reservation | None
    offers: int

    @property
    def date(self) -> datetime.date:
        return self.occurrence.date

    @property
    def activity(self):
        return self.occurrence.activity

    @property
    def label(self) -> str:
        label = AGENT_STATE_LABELS[self.state]
        if self.past_deadline and self.state in (AgentState.BOOKED, AgentState.FULL):
            label += " (délai dépassé)"
        return label

    @property
    def can_cancel(self) -> bool:
        return self.state == AgentState.BOOKED

    @property
    def can_book(self) -> bool:
        return self.state in (AgentState.AVAILABLE, AgentState.LOCKED)


def _children_queryset() -> QuerySet[Child]:
    adults = Membership.objects.select_related("user").order_by("joined_at", "id")
    return Child.objects.select_related("household").prefetch_related(
        Prefetch("household__memberships", queryset=adults))


def children_search(*, query: str = "") -> QuerySet[Child]:
    """Children whose first or last name contains every word of ``query`` (case-insensitive),
    ordered by name, with their household's adults prefetched. An empty query lists all."""
    queryset = _children_queryset()
    for word in (query or "").split():
        queryset = queryset.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return queryset.order_by("last_name", "first_name", "id")


def child_for_staff(*, child_id: int) -> Child:
    """Any child, for the Pôle scolaire; 404 when it does not exist."""
    return get_object_or_404(_children_queryset(), pk=child_id)


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, month, 1), datetime.date(year, month, calendar.monthrange(year, month)[1])


def days_for_agent(*, child: Child, year: int, month: int, now=None) -> list[AgentDay]:
    """The month's days of the child's validated-dossier activities, by date then activity."""
    start, end = month_bounds(year, month)
    cells = cells_for(child=child, start=start, end=end, now=now)
    ids = [cell.occurrence.pk for day_cells in cells.values() for cell in day_cells]
    offers: dict[int, int] = {}
    for occ_id in WaitingListEntry.objects.filter(occurrence_id__in=ids, status=WaitingStatus.OFFERED).values_list(
            "occurrence_id", flat=True):
        offers[occ_id] = offers.get(occ_id, 0) + 1
    days = []
    for date in sorted(cells):
        for cell in cells[date]:
            occ = cell.occurrence
            past_deadline = cell.state == CellState.LOCKED
            held = offers.get(occ.pk, 0)
            if cell.state == CellState.CLOSED:
                state = AgentState.CLOSED
            elif cell.reservation is not None:
                state = AgentState.BOOKED
            elif cell.waiting is not None and cell.waiting.status == WaitingStatus.OFFERED:
                state = AgentState.OFFERED
            elif occ.booked_count + held >= occ.capacity:
                state = AgentState.FULL
            elif past_deadline:
                state = AgentState.LOCKED
            else:
                state = AgentState.AVAILABLE
            days.append(AgentDay(occurrence=occ, state=state, past_deadline=past_deadline,
                                 reservation=cell.reservation, offers=held))
    return days
