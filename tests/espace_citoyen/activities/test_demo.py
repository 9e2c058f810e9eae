"""Demo of the activities: built relative to today (a newcomer always finds a day to book, a
full day with a waiting list, days past their deadline, closed days), idempotent, and the
same on any other day: the seed is run again "as of" two other dates."""

from datetime import date, timedelta
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
    OccurrenceStatus,
    Reservation,
    School,
    SchoolYear,
    WaitingListEntry,
)
from espace_citoyen.activities.selectors.agenda import CellState, cells_for
from espace_citoyen.family.models import Child

pytestmark = pytest.mark.django_db


def snapshot():
    return (SchoolYear.objects.count(), HolidayPeriod.objects.count(), School.objects.count(),
            Activity.objects.count(), Occurrence.objects.count(), Reservation.objects.count(),
            WaitingListEntry.objects.count(), Attendance.objects.count(), Dossier.objects.count(),
            sorted(Occurrence.objects.filter(booked_count__gt=0).values_list("pk", "booked_count")),
            sorted(Occurrence.objects.filter(status=OccurrenceStatus.CLOSED).values_list("pk", flat=True)))


def bernard(first_name):
    return Child.objects.get(first_name=first_name, last_name="Bernard")


def states_around(plan) -> dict:
    """{state: [cells]} of both Bernard children from four weeks before to six weeks after the
    plan's day, as the parent sees them that day."""
    found: dict = {}
    for child in (bernard("Chloé"), bernard("Nathan")):
        cells = cells_for(child=child, start=plan.today - timedelta(weeks=4), end=plan.today + timedelta(weeks=6),
                          now=plan.now)
        for day_cells in cells.values():
            for cell in day_cells:
                found.setdefault(cell.tone, []).append(cell)
    return found


def assert_something_to_try(plan):
    """What the issue asks of the demo on any day: a day to book, a full day with a waiting
    list, and days past their deadline, booked and not."""
    found = states_around(plan)
    assert any(c.occurrence.date >= plan.today for c in found.get("available", [])), "a day to book"
    waiting = [c for c in found.get("waiting", []) if c.state == CellState.FULL]
    assert waiting and waiting[0].waiting.child.first_name == "Nathan", "a full day with Nathan on its waiting list"
    assert waiting[0].occurrence.date > plan.today
    full = [c for c in found.get("full", []) if c.occurrence.date > plan.today]
    assert full, "another full day whose waiting list Nathan may join"
    assert any(c.occurrence.date >= plan.today for c in found.get("locked-booked", [])), "a locked booked day"
    assert found.get("locked-free"), "a locked day not booked"
    assert found.get("locked-full"), "last week's full Wednesday"
    closed = found.get("closed", [])
    assert {c.occurrence.closed_reason for c in closed} >= {"Grève du personnel d'animation",
                                                            "Conseil d'école : pas d'étude ce soir-là"}
    assert any(c.occurrence.date < plan.today for c in closed) and any(c.occurrence.date > plan.today for c in closed)


def test_demo_content():
    plan = demo.demo_plan()
    year = SchoolYear.objects.get(label=plan.label)
    assert (year.starts_on, year.ends_on) == (plan.starts_on, plan.ends_on)
    assert year.holidays.count() == 4
    assert set(School.objects.values_list("name", flat=True)) >= {"École élémentaire des Tilleuls",
                                                                    "École maternelle du Parc"}
    canteen = Activity.objects.get(school_year=year, name="Restauration scolaire")
    assert canteen.weekdays == [0, 1, 3, 4] and canteen.capacity == 120
    assert canteen.booking_rule.days_before == 2 and canteen.booking_rule.business_days
    wednesday = Activity.objects.get(school_year=year, name="Accueil de loisirs du mercredi")
    assert not wednesday.booking_rule.business_days and wednesday.capacity == 10
    for first_name in ("Chloé", "Nathan"):
        dossier = Dossier.objects.get(child=bernard(first_name), school_year=year)
        assert dossier.status == DossierStatus.VALIDATED and dossier.activities.exists()
    assert Reservation.objects.filter(child=bernard("Chloé"), occurrence__activity__school_year=year).count() > 20
    for occurrence in Occurrence.objects.filter(activity__school_year=year, booked_count__gt=0):
        assert occurrence.booked_count == occurrence.reservations.filter(status="booked").count()
    assert_something_to_try(plan)
    legacy = Reservation.objects.filter(child=bernard("Chloé"), source="legacy",
                                        occurrence__activity__school_year__label="2025-2026")
    assert legacy.count() == 8 and legacy.filter(status="cancelled").count() == 1
    assert Reservation.objects.filter(child=bernard("Nathan"), source="legacy").count() == 4
    group = Group.objects.get(name="Pôle scolaire")
    assert group.permissions.filter(codename="change_occurrence").exists()
    assert group.permissions.filter(codename="change_attendance").exists()


def test_school_year_dates_match_the_2026_2027_calendar():
    label, starts_on, ends_on, holidays = demo.school_year_dates(2026)
    assert (label, starts_on, ends_on) == ("2026-2027", date(2026, 9, 1), date(2027, 7, 3))
    assert [(start, end) for _name, start, end in holidays] == [
        (date(2026, 10, 17), date(2026, 11, 1)), (date(2026, 12, 19), date(2027, 1, 3)),
        (date(2027, 2, 20), date(2027, 3, 7)), (date(2027, 4, 17), date(2027, 5, 2))]
    # In the summer break the demo shows the coming school year.
    assert demo.demo_plan(date(2027, 7, 20)).label == "2027-2028"
    assert demo.demo_plan(date(2027, 7, 2)).label == "2026-2027"


def test_demo_is_idempotent():
    before = snapshot()
    demo.seed(stdout=StringIO())
    assert snapshot() == before


@pytest.mark.parametrize("today", [date(2027, 3, 10), date(2027, 11, 17)],
                         ids=["later-this-school-year", "next-school-year"])
def test_demo_on_another_day(today):
    """Seeded again "as of" another day (the next school year for the second), the demo again
    offers a day to book, a full day with a waiting list and locked days; seeded twice that day,
    it changes nothing."""
    out = StringIO()
    demo.seed(stdout=out, today=today)
    plan = demo.demo_plan(today)
    assert plan.today == today and f"année {plan.label}" in out.getvalue()
    assert SchoolYear.objects.filter(label=plan.label).exists()
    assert_something_to_try(plan)
    absent = demo.nathan_absent_day(plan)
    assert absent is not None and absent < today
    assert Attendance.objects.filter(reservation__child=bernard("Nathan"), reservation__occurrence__date=absent,
                                     status="absent").exists()
    assert not Attendance.objects.filter(reservation__occurrence__date__gte=today,
                                         reservation__occurrence__activity__school_year__label=plan.label).exists()
    before = snapshot()
    demo.seed(stdout=StringIO(), today=today)
    assert snapshot() == before
