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
from typing import NamedTuple

from django.db.models import Case, DateTimeField, F, Q, Value, When

from espace_citoyen.activities import rules
from espace_citoyen.activities.models import (
    Activity,
    AttendanceStatus,
    BookingRule,
    OccurrenceStatus,
    Reservation,
    ReservationSource,
    ReservationStatus,
)
from espace_citoyen.family.models import Child

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


class BillableDay(NamedTuple):
    reservation_id: int
    household_id: int
    child_id: int
    child_name: str
    activity_id: int
    activity_name: str
    school_year_id: int
    date: datetime.date
    reason: str  # a LineReason value
    late_booking: bool  # booked by an agent past the deadline: surcharge when the tariff has one


# Only the agents' bookings need their time (a surcharge past the deadline): the others'
# timestamps are not even read (400,000 fewer datetimes to parse on a town's month).
_AGENT_BOOKED_AT = Case(When(source=ReservationSource.AGENT, then=F("created_at")), default=Value(None),
                        output_field=DateTimeField())
_FIELDS = ("pk", "child_id", "occurrence__activity_id", "occurrence__date", "status", "agent_booked_at",
           "cancelled_at", "attendance__status")
_CANCELLED, _JUSTIFIED, _PRESENT, _ABSENT = (ReservationStatus.CANCELLED.value, AttendanceStatus.JUSTIFIED.value,
                                             AttendanceStatus.PRESENT.value, AttendanceStatus.ABSENT.value)
_REASONS = {_PRESENT: LineReason.PRESENT.value, _ABSENT: LineReason.ABSENT.value, None: LineReason.BOOKED.value}


def billable_days(*, month: datetime.date) -> list[BillableDay]:
    """Every day to bill on the invoices of ``month`` (see the module), in six queries."""
    start, end = month_bounds(month)
    period = Q(occurrence__date__range=(start, end))
    for earlier in invoiced_months(before=start):
        first, last = month_bounds(earlier)
        period |= Q(occurrence__date__range=(first, last))
    rows = (
        Reservation.objects.filter(period, invoice_line__isnull=True)
        .exclude(occurrence__status=OccurrenceStatus.CLOSED)
        .annotate(agent_booked_at=_AGENT_BOOKED_AT).order_by().values_list(*_FIELDS)
    )
    # Names, households, school years and rules from small tables, not repeated on 400,000 rows.
    activities = {pk: (name, year_id, rule_id) for pk, name, year_id, rule_id in
                  Activity.objects.values_list("pk", "name", "school_year_id", "booking_rule_id")}
    children = {pk: (household_id, f"{first} {last}") for pk, household_id, first, last in
                Child.objects.values_list("pk", "household_id", "first_name", "last_name").iterator(chunk_size=10000)}
    booking_rules = {rule.pk: rule for rule in BookingRule.objects.all()}
    deadlines: dict[tuple[int, datetime.date], datetime.datetime] = {}

    def deadline(rule_id: int, day: datetime.date) -> datetime.datetime:
        key = (rule_id, day)
        if key not in deadlines:
            deadlines[key] = rules.deadline_for(rule=booking_rules[rule_id], day=day)
        return deadlines[key]

    days = []
    late_cancel, booked = LineReason.LATE_CANCEL.value, LineReason.BOOKED.value
    for pk, child_id, activity_id, day, status, agent_booked_at, cancelled_at, attendance in rows.iterator(
            chunk_size=10000):
        name, year_id, rule_id = activities[activity_id]
        if status == _CANCELLED:
            if cancelled_at is None or cancelled_at < deadline(rule_id, day):
                continue
            reason = late_cancel
        elif attendance == _JUSTIFIED:
            continue
        else:
            reason = _REASONS.get(attendance, booked)
        late = agent_booked_at is not None and agent_booked_at >= deadline(rule_id, day)
        household_id, child_name = children[child_id]
        days.append(BillableDay(pk, household_id, child_id, child_name, activity_id, name, year_id, day, reason, late))
    return days
