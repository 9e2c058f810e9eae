"""What a month bills (selectors/billable.py + the pricing of the plan): one line per child,
activity and day, by the rules of the issue."""

import datetime

import pytest

from espace_citoyen.activities.models import AttendanceStatus, OccurrenceStatus, ReservationSource, ReservationStatus
from espace_citoyen.billing.models import LineReason
from espace_citoyen.billing.selectors.billable import billable_days, month_bounds
from espace_citoyen.billing.services import BillingError
from espace_citoyen.billing.services.invoicing import invoicing_plan
from espace_citoyen.billing.services.pricing import quotient_set

from .conftest import LAST_MONTH, book, make_activity, make_family, make_year, paris, weekdays_of

pytestmark = pytest.mark.django_db

TUESDAYS = weekdays_of(LAST_MONTH, 1)
THURSDAYS = weekdays_of(LAST_MONTH, 3)


def _plan(household):
    plan = invoicing_plan(month=LAST_MONTH)
    mine = [p for p in plan.plans if p.household_id == household.pk]
    return plan, (mine[0] if mine else None)


def _reasons(plan):
    return sorted((line["date"], line["reason"]) for line in plan.lines)


def test_month_bounds():
    assert month_bounds(datetime.date(2026, 2, 14)) == (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))
    assert month_bounds(datetime.date(2026, 12, 31)) == (datetime.date(2026, 12, 1), datetime.date(2026, 12, 31))


def test_each_rule_of_the_issue():
    activity = make_activity()
    _user, household, (child,) = make_family("regles@example.fr")
    days = TUESDAYS[:4] + THURSDAYS[:3]
    book(child, activity, days[0], attendance=AttendanceStatus.PRESENT)
    book(child, activity, days[1], attendance=AttendanceStatus.ABSENT)
    book(child, activity, days[2], attendance=AttendanceStatus.JUSTIFIED)
    # Cancelled well before the deadline (J-2 at 10:00): not billed.
    book(child, activity, days[3], status=ReservationStatus.CANCELLED,
         cancelled_at=paris(days[3] - datetime.timedelta(days=10)))
    # Cancelled by an agent after the deadline: billed.
    book(child, activity, days[4], status=ReservationStatus.CANCELLED, source=ReservationSource.AGENT,
         cancelled_at=paris(days[4], 8))
    closed = book(child, activity, days[5], attendance=AttendanceStatus.PRESENT)
    closed.occurrence.status = OccurrenceStatus.CLOSED
    closed.occurrence.save()
    book(child, activity, days[6])  # attendance not taken: billed

    _plan_all, plan = _plan(household)
    assert _reasons(plan) == sorted([
        (days[0], LineReason.PRESENT), (days[1], LineReason.ABSENT), (days[4], LineReason.LATE_CANCEL),
        (days[6], LineReason.BOOKED),
    ])
    assert all(line["surcharge_cents"] == 0 for line in plan.lines)


def test_imported_cancellation_without_date_is_not_billed():
    activity = make_activity()
    _user, household, (child,) = make_family("import@example.fr")
    book(child, activity, TUESDAYS[0], status=ReservationStatus.CANCELLED, source=ReservationSource.LEGACY)
    book(child, activity, TUESDAYS[1])
    assert [line["date"] for line in _plan(household)[1].lines] == [TUESDAYS[1]]


def test_late_agent_booking_carries_the_surcharge_other_bookings_do_not():
    activity = make_activity(surcharge=150)
    _user, household, (child,) = make_family("majoration@example.fr")
    late, early, parent = TUESDAYS[0], TUESDAYS[1], TUESDAYS[2]
    book(child, activity, late, source=ReservationSource.AGENT, created_at=paris(late, 8))  # same morning
    book(child, activity, early, source=ReservationSource.AGENT, created_at=paris(early - datetime.timedelta(days=10)))
    book(child, activity, parent, source=ReservationSource.PORTAL, created_at=paris(parent, 8))  # cannot happen, no surcharge
    lines = {line["date"]: line for line in _plan(household)[1].lines}
    assert lines[late]["surcharge_cents"] == 150 and lines[late]["amount_cents"] == 500 + 150
    assert lines[early]["surcharge_cents"] == 0
    assert lines[parent]["surcharge_cents"] == 0


def test_no_quotient_pays_the_highest_bracket_and_the_preview_says_so():
    activity = make_activity()
    _user, household, (child,) = make_family("sansqf@example.fr", last_name="Sansquotient")
    book(child, activity, TUESDAYS[0], attendance=AttendanceStatus.PRESENT)
    plan_all, plan = _plan(household)
    assert plan.lines[0]["unit_price_cents"] == 500
    assert plan.no_quotient and "quotient non transmis" in plan.pricing_note
    assert "Sophie Sansquotient" in plan_all.report["warnings"]["no_quotient"]["examples"]


@pytest.mark.parametrize("quotient, price", [(0, 120), (499, 120), (500, 250), (842, 250), (899, 250), (900, 380),
                                             (1300, 500), (5000, 500)])
def test_quotient_bracket(quotient, price, regie_agent):
    year = make_year()
    activity = make_activity(year=year)
    _user, household, (child,) = make_family(f"qf{quotient}@example.fr")
    quotient_set(household=household, school_year=year, quotient=quotient, actor=regie_agent)
    book(child, activity, TUESDAYS[0], attendance=AttendanceStatus.PRESENT)
    plan = _plan(household)[1]
    assert plan.lines[0]["unit_price_cents"] == price
    assert not plan.no_quotient and f"Quotient familial de {quotient} € : tranche " in plan.pricing_note


def test_latest_quotient_row_is_in_force(regie_agent):
    year = make_year()
    activity = make_activity(year=year)
    _user, household, (child,) = make_family("historique@example.fr")
    quotient_set(household=household, school_year=year, quotient=1500, actor=regie_agent)
    quotient_set(household=household, school_year=year, quotient=450, actor=regie_agent, note="Nouvelle attestation")
    book(child, activity, TUESDAYS[0])
    assert _plan(household)[1].lines[0]["unit_price_cents"] == 120
    assert household.quotients.count() == 2  # the history keeps both


def test_hors_commune_price(regie_agent):
    year = make_year()
    activity = make_activity(year=year, outside=700)
    _user, household, (child,) = make_family("poissy@example.fr", postcode="78300")
    quotient_set(household=household, school_year=year, quotient=300, actor=regie_agent)  # ignored outside the town
    book(child, activity, TUESDAYS[0])
    plan = _plan(household)[1]
    assert plan.lines[0]["unit_price_cents"] == 700
    assert plan.outside_town and plan.pricing_note == "Tarif hors commune" and not plan.no_quotient


def test_unknown_address_pays_the_town_price_with_a_warning():
    activity = make_activity()
    _user, household, (child,) = make_family("sansadresse@example.fr", postcode="", last_name="Sansadresse")
    book(child, activity, TUESDAYS[0])
    plan_all, plan = _plan(household)
    assert not plan.outside_town
    assert "Sophie Sansadresse" in plan_all.report["warnings"]["unknown_address"]["examples"]


def test_attendance_not_taken_and_missing_tariff_are_warned():
    priced = make_activity()
    unpriced = make_activity("Atelier sans tarif", tariff=False)
    _user, household, (child,) = make_family("warnings@example.fr")
    book(child, priced, TUESDAYS[0])
    book(child, unpriced, TUESDAYS[0], attendance=AttendanceStatus.PRESENT)
    plan_all, plan = _plan(household)
    assert [line["activity_name"] for line in plan.lines] == ["Cantine test"]
    warnings = plan_all.report["warnings"]
    assert any("Cantine test" in example for example in warnings["attendance_not_taken"]["examples"])
    assert "Atelier sans tarif : 1 jour(s) non facturé(s)" in warnings["no_tariff"]["examples"]


def test_two_children_two_activities_one_line_per_child_activity_and_day():
    canteen, evening = make_activity("Cantine test"), make_activity("Accueil du soir test", prices=(90, 150, 200, 250))
    _user, household, (first, second) = make_family("fratrie@example.fr", children=("Léa", "Tom"))
    for child in (first, second):
        for day in TUESDAYS[:2]:
            book(child, canteen, day, attendance=AttendanceStatus.PRESENT)
    book(second, evening, TUESDAYS[0], attendance=AttendanceStatus.PRESENT)
    plan_all, plan = _plan(household)
    assert len(plan.lines) == 5
    assert plan.total_cents == 4 * 500 + 250
    by_activity = {entry["name"]: entry for entry in plan_all.report["activities"]}
    assert by_activity["Accueil du soir test"]["lines"] >= 1


def test_a_month_not_over_cannot_be_invoiced():
    with pytest.raises(BillingError) as error:
        invoicing_plan(month=datetime.date.today().replace(day=1))
    assert "n'est pas terminé" in error.value.message


def test_billable_days_query_count_does_not_grow(django_assert_max_num_queries):
    activity = make_activity()
    for index in range(6):
        _user, _household, (child,) = make_family(f"volume{index}@example.fr")
        for day in TUESDAYS + THURSDAYS:
            book(child, activity, day, attendance=AttendanceStatus.PRESENT)
    with django_assert_max_num_queries(6):
        days = billable_days(month=LAST_MONTH)
    assert len([d for d in days if d.activity_id == activity.pk]) == 6 * len(TUESDAYS + THURSDAYS)
