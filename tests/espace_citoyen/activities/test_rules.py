"""Deadline computation of the booking rules: business days (weekends, public holidays)
and calendar days."""

import datetime

import pytest

from espace_citoyen.activities import rules
from espace_citoyen.activities.models import Occurrence

from .agenda_factories import make_activity, paris

pytestmark = pytest.mark.django_db


def occurrence(day, **kwargs):
    activity = make_activity(**kwargs)
    return Occurrence.objects.create(activity=activity, date=day, capacity=10)


def test_business_days_skip_pentecost_monday():
    occ = occurrence(datetime.date(2026, 5, 26))  # Tuesday after Pentecost Monday (25 May)
    assert rules.booking_deadline(occurrence=occ) == paris(2026, 5, 21, 10)  # Thursday


def test_business_days_skip_the_weekend():
    occ = occurrence(datetime.date(2026, 3, 3))  # Tuesday 3 March 2026
    assert rules.booking_deadline(occurrence=occ) == paris(2026, 2, 27, 10)  # Friday before
    monday = occurrence(datetime.date(2026, 3, 9), name="Accueil du matin")
    assert rules.booking_deadline(occurrence=monday) == paris(2026, 3, 5, 10)  # Thursday


def test_calendar_days_do_not_skip_weekends_or_holidays():
    occ = occurrence(datetime.date(2026, 5, 26), business_days=False, name="Accueil de loisirs")
    assert rules.booking_deadline(occurrence=occ) == paris(2026, 5, 24, 10)  # Sunday


def test_can_change_until_the_deadline_exclusive():
    occ = occurrence(datetime.date(2026, 3, 3))
    assert rules.can_change(occurrence=occ, now=paris(2026, 2, 27, 9, 59))
    assert not rules.can_change(occurrence=occ, now=paris(2026, 2, 27, 10, 0))
    assert not rules.can_change(occurrence=occ, now=paris(2026, 3, 2, 8))


def test_french_notice():
    occ = occurrence(datetime.date(2026, 3, 5))  # Thursday → Tuesday 3 March 10:00
    assert rules.change_notice(occurrence=occ) == "modifiable jusqu'au mardi 3 mars, 10:00"
    first = occurrence(datetime.date(2026, 4, 3), name="Étude")  # Friday → Wednesday 1 April
    assert rules.change_notice(occurrence=first) == "modifiable jusqu'au mercredi 1er avril, 10:00"
