"""What a monthly invoicing bills, read in a fixed number of queries whatever the number of
households and days (the run is set-based).

The rules, for each booked day of a child not billed yet:

- the day was closed by the town → not billed;
- cancelled before the booking deadline (or an imported cancellation, which has no date) →
  not billed; cancelled at or after the deadline (an agent's late cancellation) → billed;
- booked and present → billed; absent without justification → billed; absent with a
  medical certificate ("justifié") → not billed; attendance not taken → billed (a later
  justification is credited, see credit notes);
- booked by an agent for the family after the deadline → billed with the activity's late
  surcharge, if its tariff has one.

Days are taken from the invoiced month, and from earlier months already invoiced (days
booked late, or whose invoice was not possible then): those become regularisation lines."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q

from espace_citoyen.activities import rules
from espace_citoyen.activities.models import (
    AttendanceStatus,
    BookingRule,
    OccurrenceStatus,
    Reservation,
    ReservationSource,
    ReservationStatus,
)

from ..models import InvoicingRun, LineReason, RunStatus

__all__ = ["BillableDay", "billable_days", "invoiced_months", "month_bounds"]


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    """First and last day of ``month``'s month."""
    start = month.replace(day=1)
    following = (start + datetime.timedelta(days=32)).replace(day=1)
    return start, following - datetime.timedelta(days=1)


def invoiced_months(*, before: datetime.date) -> list[datetime.date]:
    """Months before ``before`` for which a real run has finished: their days still unbilled
    go on the next invoice as regularisation lines."""
    return sorted(set(
        InvoicingRun.objects.filter(dry_run=False, status=RunStatus.DONE, month__lt=before)
        .values_list("month", flat=True)
    ))


@dataclass(frozen=True, slots=True)
class BillableDay:
    reservation_id: int
    household_id: int
    child_id: int
    child_name: str
    activity_id: int
    activity_name: str
    school_year_id: int
    date: datetime.date
    reason: str  # LineReason
    late_booking: bool  # booked by an agent past the deadline: surcharge when the tariff has one


_FIELDS = (
    "pk", "child_id", "child__household_id", "child__first_name", "child__last_name", "occurrence__activity_id",
    "occurrence__activity__name", "occurrence__activity__school_year_id", "occurrence__activity__booking_rule_id",
    "occurrence__date", "status", "source", "created_at", "cancelled_at", "attendance__status",
)


def billable_days(*, month: datetime.date) -> list[BillableDay]:
    """Every day to bill on the invoices of ``month`` (see the module), in three queries."""
    start, end = month_bounds(month)
    period = Q(occurrence__date__range=(start, end))
    for earlier in invoiced_months(before=start):
        first, last = month_bounds(earlier)
        period |= Q(occurrence__date__range=(first, last))
    rows = (
        Reservation.objects.filter(period, invoice_line__isnull=True)
        .exclude(occurrence__status=OccurrenceStatus.CLOSED)
        .order_by().values_list(*_FIELDS)
    )
    booking_rules = {rule.pk: rule for rule in BookingRule.objects.all()}
    deadlines: dict[tuple[int, datetime.date], datetime.datetime] = {}

    def deadline(rule_id: int, day: datetime.date) -> datetime.datetime:
        key = (rule_id, day)
        if key not in deadlines:
            deadlines[key] = rules.deadline_for(rule=booking_rules[rule_id], day=day)
        return deadlines[key]

    days = []
    for (pk, child_id, household_id, first_name, last_name, activity_id, activity_name, year_id, rule_id, day,
         status, source, created_at, cancelled_at, attendance) in rows.iterator(chunk_size=5000):
        if status == ReservationStatus.CANCELLED:
            if cancelled_at is None or cancelled_at < deadline(rule_id, day):
                continue
            reason = LineReason.LATE_CANCEL
        elif attendance == AttendanceStatus.JUSTIFIED:
            continue
        elif attendance == AttendanceStatus.PRESENT:
            reason = LineReason.PRESENT
        elif attendance == AttendanceStatus.ABSENT:
            reason = LineReason.ABSENT
        else:
            reason = LineReason.BOOKED
        late = source == ReservationSource.AGENT and created_at >= deadline(rule_id, day)
        days.append(BillableDay(
            reservation_id=pk, household_id=household_id, child_id=child_id,
            child_name=f"{first_name} {last_name}", activity_id=activity_id, activity_name=activity_name,
            school_year_id=year_id, date=day, reason=reason.value, late_booking=late,
        ))
    return days
