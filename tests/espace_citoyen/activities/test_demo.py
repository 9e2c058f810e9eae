"""Demo of the activities: content and idempotence."""

from datetime import date
from io import StringIO

import pytest
from django.contrib.auth.models import Group

from espace_citoyen.activities import demo
from espace_citoyen.activities.models import (
    Activity,
    Attendance,
    Dossier,
    DossierStatus,
    HolidayPeriod,
    Occurrence,
    Reservation,
    School,
    SchoolYear,
    WaitingListEntry,
)

pytestmark = pytest.mark.django_db


def snapshot():
    return (SchoolYear.objects.count(), HolidayPeriod.objects.count(), School.objects.count(),
            Activity.objects.count(), Occurrence.objects.count(), Reservation.objects.count(),
            WaitingListEntry.objects.count(), Attendance.objects.count(), Dossier.objects.count(),
            sorted(Occurrence.objects.filter(booked_count__gt=0).values_list("pk", "booked_count")))


def test_demo_content():
    year = SchoolYear.objects.get(label="2026-2027")
    assert (year.starts_on, year.ends_on) == (date(2026, 9, 1), date(2027, 7, 3))
    assert year.holidays.count() == 4
    assert set(School.objects.values_list("name", flat=True)) >= {"École élémentaire des Tilleuls",
                                                                    "École maternelle du Parc"}
    canteen = Activity.objects.get(school_year=year, name="Restauration scolaire")
    assert canteen.weekdays == [0, 1, 3, 4] and canteen.capacity == 120
    assert canteen.booking_rule.days_before == 2 and canteen.booking_rule.business_days
    wednesday = Activity.objects.get(school_year=year, name="Accueil de loisirs du mercredi")
    assert not wednesday.booking_rule.business_days and wednesday.capacity == 10
    full = Occurrence.objects.get(activity=wednesday, date=date(2026, 12, 2))
    assert full.is_full
    assert WaitingListEntry.objects.get(occurrence=full).child.first_name == "Nathan"
    assert not Occurrence.objects.filter(activity=canteen, date=date(2026, 11, 11)).exists()
    assert not Occurrence.objects.filter(activity=canteen, date=date(2026, 10, 20)).exists()
    holidays = Activity.objects.get(school_year=year, name="Accueil de loisirs des vacances")
    assert Occurrence.objects.filter(activity=holidays, date=date(2026, 10, 20)).exists()
    for first_name in ("Chloé", "Nathan"):
        dossier = Dossier.objects.get(child__first_name=first_name, child__last_name="Bernard", school_year=year)
        assert dossier.status == DossierStatus.VALIDATED and dossier.activities.exists()
    assert Reservation.objects.filter(child__first_name="Chloé", child__last_name="Bernard").count() > 20
    for occurrence in Occurrence.objects.filter(activity__school_year=year, booked_count__gt=0):
        assert occurrence.booked_count == occurrence.reservations.filter(status="booked").count()
    legacy = Reservation.objects.filter(child__first_name="Chloé", child__last_name="Bernard", source="legacy",
                                        occurrence__activity__school_year__label="2025-2026")
    assert legacy.count() == 8 and legacy.filter(status="cancelled").count() == 1
    assert Reservation.objects.filter(child__first_name="Nathan", child__last_name="Bernard", source="legacy").count() == 4
    group = Group.objects.get(name="Pôle scolaire")
    assert group.permissions.filter(codename="change_occurrence").exists()
    assert group.permissions.filter(codename="change_attendance").exists()


def test_demo_is_idempotent():
    before = snapshot()
    demo.seed(stdout=StringIO())
    assert snapshot() == before
