"""Generating the days of an activity across holidays and public holidays; closing a day."""

from datetime import date, time

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from espace_citoyen.accounts.models import ContactMethod
from espace_citoyen.activities.models import (
    Activity,
    BookingRule,
    ExtraDate,
    HolidayPeriod,
    Occurrence,
    OccurrenceStatus,
    Period,
    Reservation,
    SchoolYear,
)
from espace_citoyen.activities.services.catalogue import occurrence_close, occurrences_generate
from espace_citoyen.family.models import Child

pytestmark = pytest.mark.django_db


@pytest.fixture
def year():
    year = SchoolYear.objects.create(label="2090-2091", starts_on=date(2026, 9, 1), ends_on=date(2027, 7, 3))
    # Label is free text; dates reuse the 2026-2027 calendar on a separate year object.
    HolidayPeriod.objects.create(school_year=year, name="Toussaint", starts_on=date(2026, 10, 17), ends_on=date(2026, 11, 1))
    HolidayPeriod.objects.create(school_year=year, name="Noël", starts_on=date(2026, 12, 19), ends_on=date(2027, 1, 3))
    HolidayPeriod.objects.create(school_year=year, name="Printemps", starts_on=date(2027, 4, 17), ends_on=date(2027, 5, 2))
    return year


@pytest.fixture
def rule():
    return BookingRule.objects.create(name="Test J-2", days_before=2, before=time(10), business_days=True)


def make(year, rule, weekdays, period=Period.SCHOOL_WEEKS, capacity=5, name="Cantine test"):
    return Activity.objects.create(school_year=year, name=name, weekdays=weekdays, period=period,
                                   capacity=capacity, booking_rule=rule)


def dates(activity):
    return set(activity.occurrences.values_list("date", flat=True))


def test_school_weeks_skip_holidays_and_public_holidays(year, rule):
    activity = make(year, rule, [0, 1, 2, 3, 4])
    created = occurrences_generate(activity=activity, actor=None)
    days = dates(activity)
    assert created == len(days) > 100
    assert date(2026, 9, 1) in days                      # rentrée
    assert date(2026, 10, 16) in days and date(2026, 10, 19) not in days  # Toussaint holidays
    assert date(2026, 11, 2) in days
    assert date(2026, 11, 11) not in days                 # Armistice (Wednesday)
    assert date(2026, 12, 18) in days and date(2026, 12, 25) not in days and date(2027, 1, 4) in days
    assert date(2027, 3, 29) not in days                  # Easter Monday 2027
    assert date(2027, 5, 6) not in days                   # Ascension 2027
    assert date(2027, 5, 17) not in days                  # Pentecost Monday 2027
    assert date(2027, 5, 3) in days and date(2027, 7, 2) in days
    assert date(2027, 7, 3) not in days                   # Saturday
    assert all(Occurrence.objects.get(activity=activity, date=day).capacity == 5 for day in [date(2026, 9, 1)])


def test_holiday_activity_runs_only_in_holidays(year, rule):
    activity = make(year, rule, [0, 1, 2, 3, 4], period=Period.HOLIDAYS, name="Vacances test")
    occurrences_generate(activity=activity, actor=None)
    days = dates(activity)
    assert date(2026, 10, 19) in days and date(2026, 10, 30) in days
    assert date(2026, 11, 2) not in days
    assert date(2026, 12, 25) not in days and date(2027, 1, 1) not in days  # public holidays inside holidays
    assert date(2026, 12, 21) in days
    assert date(2027, 4, 19) in days


def test_generation_is_idempotent_keeps_booked_days_and_adds_extra_dates(year, rule):
    activity = make(year, rule, [2], name="Mercredi test")
    first = occurrences_generate(activity=activity, actor=None)
    assert occurrences_generate(activity=activity, actor=None) == 0
    day = Occurrence.objects.get(activity=activity, date=date(2026, 11, 18))
    child = Child.objects.get(first_name="Chloé", last_name="Bernard")
    Reservation.objects.create(child=child, occurrence=day)
    Occurrence.objects.filter(pk=day.pk).update(booked_count=1)
    ExtraDate.objects.create(activity=activity, date=date(2026, 11, 14))  # a Saturday outing
    activity.weekdays = []
    activity.save()
    assert occurrences_generate(activity=activity, actor=None) == 1
    assert activity.occurrences.count() == first + 1
    assert Occurrence.objects.get(pk=day.pk).booked_count == 1


def test_check_constraint_refuses_overbooking(year, rule):
    activity = make(year, rule, [2], capacity=1, name="Petit test")
    occurrences_generate(activity=activity, actor=None)
    day = activity.occurrences.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Occurrence.objects.filter(pk=day.pk).update(booked_count=2)


def test_close_day_emails_each_adult_with_email_preference(year, rule, django_capture_on_commit_callbacks):
    activity = make(year, rule, [0, 1, 3, 4], name="Cantine grève")
    occurrences_generate(activity=activity, actor=None)
    day = Occurrence.objects.get(activity=activity, date=date(2026, 12, 3))
    chloe = Child.objects.get(first_name="Chloé", last_name="Bernard")
    nathan = Child.objects.get(first_name="Nathan", last_name="Bernard")
    Reservation.objects.create(child=chloe, occurrence=day)
    Reservation.objects.create(child=nathan, occurrence=day)
    Occurrence.objects.filter(pk=day.pk).update(booked_count=2)
    adults = [m.user for m in chloe.household.memberships.select_related("user__profile").order_by("id")]
    assert len(adults) == 2
    # The second adult prefers the telephone: no e-mail for them.
    adults[1].profile.preferred_contact = ContactMethod.PHONE
    adults[1].profile.save()
    with pytest.raises(ValueError):
        occurrence_close(occurrence=day, reason="  ", actor=None)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sent = occurrence_close(occurrence=day, reason="Grève du personnel de restauration", actor=None)
    day.refresh_from_db()
    assert day.status == OccurrenceStatus.CLOSED
    assert day.closed_reason == "Grève du personnel de restauration"
    assert sent == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [adults[0].email]
    assert "Cantine grève" in message.subject and "jeudi 3 décembre 2026" in message.subject
    assert "Motif : Grève du personnel de restauration" in message.body
    assert "La réservation de Chloé Bernard reste enregistrée" in message.body
    assert "La réservation de Nathan Bernard reste enregistrée" in message.body
    # Bookings stay recorded.
    assert Reservation.objects.filter(occurrence=day, status="booked").count() == 2
