"""Builders of the billing tests (until the shared tests/factories.py lands): a school year
around today with four quotient brackets, activities with tariffs, households with a parent
and children, booked days written as rows (so that their dates, sources and attendance are
exactly what a test says), and Régie / Pôle scolaire agents.

Months: ``LAST_MONTH`` is the month before today's (ended, so it may be invoiced);
``MONTH_BEFORE`` the one before it."""

from __future__ import annotations

import datetime
import html

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from espace_citoyen.accounts.models import AccountStatus, Profile
from espace_citoyen.activities.models import (
    Activity,
    Attendance,
    BookingRule,
    Occurrence,
    Reservation,
    ReservationSource,
    ReservationStatus,
    SchoolYear,
)
from espace_citoyen.billing.models import ActivityTariff, QuotientBracket, TariffPrice
from espace_citoyen.billing.services.pricing import billing_ensure_group_permissions
from espace_citoyen.core.business_calendar import PARIS
from espace_citoyen.family.models import Child, Household, Membership

PASSWORD = "Un-mot-de-passe-solide-42"
BOUNDS = (0, 500, 900, 1300)


def today() -> datetime.date:
    return timezone.localdate()


def first_of_month(day: datetime.date, shift: int = 0) -> datetime.date:
    month = day.month - 1 + shift
    return datetime.date(day.year + month // 12, month % 12 + 1, 1)


LAST_MONTH = first_of_month(today(), -1)
MONTH_BEFORE = first_of_month(today(), -2)


def weekdays_of(month: datetime.date, weekday: int) -> list[datetime.date]:
    """Every ``weekday`` (0 = Monday) of ``month``'s month."""
    day, days = month, []
    while day.month == month.month:
        if day.weekday() == weekday:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def paris(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=PARIS)


def make_year(label: str = "T-bill") -> SchoolYear:
    year, _ = SchoolYear.objects.get_or_create(label=label, defaults={
        "starts_on": MONTH_BEFORE - datetime.timedelta(days=70), "ends_on": today() + datetime.timedelta(days=200)})
    for bound in BOUNDS:
        QuotientBracket.objects.get_or_create(school_year=year, lower_bound=bound)
    return year


def make_activity(name: str = "Cantine test", *, year: SchoolYear | None = None, prices=(120, 250, 380, 500),
                  outside: int = 700, surcharge: int = 100, tariff: bool = True) -> Activity:
    """An activity priced 1,20 € / 2,50 € / 3,80 € / 5,00 € by bracket, 7,00 € hors commune,
    1,00 € surcharge (rule: J-2 before 10:00, business days)."""
    year = year or make_year()
    rule, _ = BookingRule.objects.get_or_create(name="T-bill J-2 10h", defaults={
        "days_before": 2, "before": datetime.time(10), "business_days": True})
    activity = Activity.objects.create(school_year=year, name=name, weekdays=[0, 1, 2, 3, 4], capacity=50,
                                       booking_rule=rule)
    if tariff:
        priced = ActivityTariff.objects.create(activity=activity, outside_town_price_cents=outside,
                                               late_surcharge_cents=surcharge)
        for bracket, cents in zip(QuotientBracket.objects.filter(school_year=year).order_by("lower_bound"), prices):
            TariffPrice.objects.create(tariff=priced, bracket=bracket, unit_price_cents=cents)
    return activity


def make_family(email: str, *, children=("Chloé",), last_name="Martin", postcode="78670",
                status=AccountStatus.ACTIVE, preferred="email"):
    user = get_user_model().objects.create_user(email, PASSWORD, first_name="Sophie", last_name=last_name,
                                                status=status)
    Profile.objects.create(user=user, street_number="2", street="rue des Tests", postcode=postcode,
                           city="Villennes-sur-Seine" if postcode == "78670" else "Poissy",
                           preferred_contact=preferred, phone_mobile="06 00 00 00 00")
    household = Household.objects.create()
    Membership.objects.create(household=household, user=user)
    kids = [Child.objects.create(household=household, first_name=name, last_name=last_name,
                                 birth_date=datetime.date(2018, 3, 1)) for name in children]
    return user, household, kids


def book(child: Child, activity: Activity, day: datetime.date, *, status=ReservationStatus.BOOKED,
         source=ReservationSource.PORTAL, created_at: datetime.datetime | None = None,
         cancelled_at: datetime.datetime | None = None, attendance: str | None = None) -> Reservation:
    occurrence, _ = Occurrence.objects.get_or_create(activity=activity, date=day,
                                                     defaults={"capacity": activity.capacity})
    reservation = Reservation.objects.create(child=child, occurrence=occurrence, status=status, source=source,
                                             cancelled_at=cancelled_at)
    Reservation.objects.filter(pk=reservation.pk).update(
        created_at=created_at or paris(day - datetime.timedelta(days=20)))
    if attendance:
        Attendance.objects.create(reservation=reservation, status=attendance)
    reservation.refresh_from_db()
    return reservation


def make_agent(email: str, group):
    user = get_user_model().objects.create_user(email, PASSWORD, first_name="Régis", last_name="Agent",
                                                is_staff=True, status=AccountStatus.ACTIVE)
    user.groups.add(group)
    return user


def page_text(response) -> str:
    return html.unescape(response.content.decode()).replace("\u00a0", " ")


@pytest.fixture
def regie_agent(db):
    return make_agent("regie.tests@ville-villennes-sur-seine.fr", billing_ensure_group_permissions())


@pytest.fixture
def scolaire_agent(db):
    from espace_citoyen.activities.services.catalogue import catalogue_ensure_group_permissions

    return make_agent("scolaire.billing.tests@ville-villennes-sur-seine.fr", catalogue_ensure_group_permissions())


@pytest.fixture
def regie_client(client, otp_login, regie_agent):
    otp_login(client, regie_agent)
    return client


def issue_invoice(household, month=LAST_MONTH, *, actor=None):
    """Invoice ``household`` alone for ``month`` (other households of the database are left
    alone), PDF included. Returns the invoice."""
    from espace_citoyen.billing.models import Invoice
    from espace_citoyen.billing.services.documents import invoice_store_pdf
    from espace_citoyen.billing.services.invoicing import InvoicingPlan, invoicing_plan, invoicing_write

    plan = invoicing_plan(month=month)
    mine = InvoicingPlan(month=plan.month, plans=[p for p in plan.plans if p.household_id == household.pk],
                         report=plan.report)
    invoicing_write(plan=mine, actor=actor)
    invoice = Invoice.objects.get(household=household, month=month)
    invoice_store_pdf(invoice=invoice)
    return invoice


def family_invoice(email: str, *, days: int = 4, activity=None, **family):
    """A household with ``days`` present days last month, invoiced (5,00 € a day: no quotient)."""
    activity = activity or make_activity(f"Cantine {email}")
    user, household, (child,) = make_family(email, **family)
    for day in (weekdays_of(LAST_MONTH, 1) + weekdays_of(LAST_MONTH, 3))[:days]:
        book(child, activity, day, attendance="present")
    return user, issue_invoice(household)


def two_parent_family(email: str, other_email: str, *, days: int):
    """A household of two parents whose child was present ``days`` Tuesdays last month at a
    canteen of its own (5,00 € a day: no quotient), not invoiced yet: (parent, other, household)."""
    user, household, (child,) = make_family(email)
    other = get_user_model().objects.create_user(other_email, PASSWORD, first_name="Alex", status=user.status)
    Membership.objects.create(household=household, user=other)
    activity = make_activity(f"Cantine {email}")
    for day in weekdays_of(LAST_MONTH, 1)[:days]:
        book(child, activity, day, attendance="present")
    return user, other, household


from .online_helpers import stripe_stub  # noqa: E402, F401 - the online payment tests' fixture
