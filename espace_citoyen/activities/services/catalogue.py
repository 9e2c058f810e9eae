"""Catalogue writes: generating the days (occurrences) of an activity, closing a day."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from espace_citoyen.core.business_calendar import _public_holidays, format_day
from espace_citoyen.core.emails import send_templated_email
from espace_citoyen.core.services_map import SERVICE_GROUPS, TownService, ensure_service_groups
from espace_citoyen.family.selectors import notification_emails_for

from ..models import Activity, Occurrence, OccurrenceStatus, Period, ReservationStatus

__all__ = ["activity_planned_dates", "occurrence_close", "occurrences_generate"]


def _is_public_holiday(day: date) -> bool:
    return day in _public_holidays(day.year)


def activity_planned_dates(activity: Activity) -> list[date]:
    """The days an activity runs: its weekly pattern within the school year, restricted by
    its period (school weeks / holidays / all), never on a French public holiday, plus its
    one-off extra dates."""
    year = activity.school_year
    holidays = list(year.holidays.all())

    def in_holidays(day: date) -> bool:
        return any(h.starts_on <= day <= h.ends_on for h in holidays)

    weekdays = {int(d) for d in activity.weekdays or []}
    days: set[date] = set()
    day = year.starts_on
    while day <= year.ends_on:
        if day.weekday() in weekdays and not _is_public_holiday(day):
            holiday = in_holidays(day)
            if (activity.period == Period.ALL
                    or (activity.period == Period.SCHOOL_WEEKS and not holiday)
                    or (activity.period == Period.HOLIDAYS and holiday)):
                days.add(day)
        day += timedelta(days=1)
    days.update(activity.extra_dates.values_list("date", flat=True))
    return sorted(days)


@transaction.atomic
def occurrences_generate(*, activity: Activity, actor=None) -> int:
    """Create the missing days of ``activity`` (idempotent); never deletes nor changes an
    existing day. Returns the number of days created."""
    existing = set(activity.occurrences.values_list("date", flat=True))
    new = [Occurrence(activity=activity, date=day, capacity=activity.capacity)
           for day in activity_planned_dates(activity) if day not in existing]
    Occurrence.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


@transaction.atomic
def occurrence_close(*, occurrence: Occurrence, reason: str, actor=None) -> int:
    """Close one day (strike, school trip…): bookings stay recorded, the day shows as
    closed, and each adult of a family with a booked child (e-mail preference) is told.
    Returns the number of e-mails sent."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("Le motif de fermeture est obligatoire.")
    occurrence = Occurrence.objects.select_for_update(of=("self",)).select_related("activity").get(pk=occurrence.pk)
    occurrence.status = OccurrenceStatus.CLOSED
    occurrence.closed_reason = reason[:200]
    occurrence.save(update_fields=["status", "closed_reason"])
    reservations = occurrence.reservations.filter(status=ReservationStatus.BOOKED).select_related("child")
    children_by_email: dict[str, list[str]] = {}
    for reservation in reservations:
        child = reservation.child
        for email in notification_emails_for(household_id=child.household_id):
            children_by_email.setdefault(email, []).append(f"{child.first_name} {child.last_name}")
    context = {"activity": occurrence.activity.name, "day": format_day(occurrence.date),
               "reason": occurrence.closed_reason}
    for email, children in children_by_email.items():
        send_templated_email(template="activities/emails/occurrence_closed", to=email,
                             context={**context, "children": children})
    return len(children_by_email)


POLE_SCOLAIRE_GROUP = SERVICE_GROUPS[TownService.SCOLAIRE]
_CATALOGUE_MODELS = ("schoolyear", "holidayperiod", "school", "bookingrule", "activity", "extradate", "occurrence")


@transaction.atomic
def catalogue_ensure_group_permissions():
    """Give the "Pôle scolaire" group (created by ensure_service_groups) the rights on the
    catalogue and the attendance sheets (idempotent). Returns the group."""
    ensure_service_groups()
    group, _created = Group.objects.get_or_create(name=POLE_SCOLAIRE_GROUP)
    codenames = [f"{action}_{model}" for model in _CATALOGUE_MODELS for action in ("add", "change", "view")]
    codenames += ["view_attendance", "add_attendance", "change_attendance", "view_reservation", "add_reservation",
                  "change_reservation"]
    group.permissions.add(*Permission.objects.filter(content_type__app_label="activities", codename__in=codenames))
    return group
