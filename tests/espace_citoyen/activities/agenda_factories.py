"""Builders for the agenda/booking tests: a school year around today, an activity with the
rule "J-2 avant 10h, jours ouvrés", occurrences created directly, validated dossiers."""

import datetime
import html

from django.contrib.auth import get_user_model
from django.utils import timezone

from espace_citoyen.accounts.models import AccountStatus
from espace_citoyen.activities.models import (
    Activity,
    BookingRule,
    Dossier,
    DossierStatus,
    Occurrence,
    SchoolYear,
)
from espace_citoyen.core.business_calendar import PARIS
from espace_citoyen.family.models import Child, Household, Membership

PASSWORD = "Un-mot-de-passe-solide-42"


def today() -> datetime.date:
    return timezone.now().astimezone(PARIS).date()


def next_weekday(start: datetime.date, weekday: int, *, weeks: int = 0) -> datetime.date:
    return start + datetime.timedelta(days=(weekday - start.weekday()) % 7 + 7 * weeks)


def make_parent(email, *, first_name="Sophie", last_name="Durand", status=AccountStatus.ACTIVE, children=("Chloé",)):
    user = get_user_model().objects.create_user(email, PASSWORD, first_name=first_name, last_name=last_name,
                                                status=status)
    household = Household.objects.create()
    Membership.objects.create(household=household, user=user)
    kids = [Child.objects.create(household=household, first_name=name, last_name=last_name,
                                 birth_date=datetime.date(2018, 3, 1)) for name in children]
    return user, kids


def make_activity(*, capacity=10, name="Restauration scolaire", business_days=True, days_before=2, label=None):
    # SchoolYear.label is 9 characters: SQLite would not say so, PostgreSQL (CI) refuses more.
    assert label is None or len(label) <= 9, f"school-year label too long for the column: {label!r}"
    now = today()
    year, _ = SchoolYear.objects.get_or_create(
        label=label or "T-agenda",
        defaults={"starts_on": now - datetime.timedelta(days=120), "ends_on": now + datetime.timedelta(days=300)},
    )
    rule, _ = BookingRule.objects.get_or_create(
        name=f"J-{days_before} avant 10h {'ouvrés' if business_days else 'calendaires'}",
        defaults={"days_before": days_before, "before": datetime.time(10), "business_days": business_days},
    )
    return Activity.objects.create(school_year=year, name=name, weekdays=[0, 1, 3, 4], capacity=capacity,
                                   booking_rule=rule)


def make_occurrence(activity, day, *, capacity=None, **extra) -> Occurrence:
    return Occurrence.objects.create(activity=activity, date=day, capacity=capacity or activity.capacity, **extra)


def validate_dossier(child, *activities) -> Dossier:
    dossier, _ = Dossier.objects.get_or_create(child=child, school_year=activities[0].school_year,
                                               defaults={"status": DossierStatus.VALIDATED})
    dossier.status = DossierStatus.VALIDATED
    dossier.save()
    dossier.activities.add(*activities)
    return dossier


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def paris(y, m, d, hh=0, mm=0) -> datetime.datetime:
    return datetime.datetime(y, m, d, hh, mm, tzinfo=PARIS)
