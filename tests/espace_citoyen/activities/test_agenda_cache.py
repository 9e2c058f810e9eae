"""The agenda's child, activities and calendar feed, and the history's child and activities,
cached per parent and child (activities/views/cached.py, versions in core.household_versions,
receivers in portal/signals.py): read from the shared cache until one of them changes, then shown
changed at the next request; never served to another household."""

import datetime
import pickle

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from espace_citoyen.activities.models import CalendarFeed, Reservation
from espace_citoyen.family.models import Membership
from home import page_cache

from .agenda_factories import make_activity, make_occurrence, make_parent, next_weekday, page_text, today, validate_dossier

pytestmark = pytest.mark.django_db


@pytest.fixture
def family():
    parent, (chloe,) = make_parent("sophie.cache@example.fr")
    activity = make_activity(capacity=5)
    validate_dossier(chloe, activity)
    occurrence = make_occurrence(activity, next_weekday(today(), 1, weeks=3))
    return parent, chloe, activity, occurrence


def agenda(client, user, child, **params) -> tuple[int, str]:
    client.force_login(user)
    response = client.get(reverse("activities:agenda", args=[child.pk]), params)
    return response.status_code, page_text(response) if response.status_code == 200 else ""


def test_the_child_its_activities_and_the_feed_come_from_the_cache(client, family):
    parent, chloe, _activity, occurrence = family
    status, _text = agenda(client, parent, chloe, jour=occurrence.date.isoformat())
    assert status == 200
    with CaptureQueriesContext(connection) as queries:
        status, text = agenda(client, parent, chloe, jour=occurrence.date.isoformat())
    assert status == 200 and "Restauration scolaire" in text and "Réserver" in text and "jeton=" in text
    tables = " ".join(query["sql"] for query in queries.captured_queries)
    for table in ("family_child", "activities_activity", "activities_calendarfeed", "activities_dossier"):
        assert table not in tables, table


def test_the_bookings_and_waiting_lists_are_read_without_joining_the_days_again(client, family):
    """The month's days are read once; the child's bookings and the waiting lists are read
    into dicts by day (occurrence id), without their models' default order: the bookings'
    joined the days again to sort by date (PostgreSQL's planning cost more than the query)."""
    parent, chloe, _activity, occurrence = family
    Reservation.objects.create(child=chloe, occurrence=occurrence)
    agenda(client, parent, chloe, jour=occurrence.date.isoformat())
    with CaptureQueriesContext(connection) as queries:
        status, text = agenda(client, parent, chloe, jour=occurrence.date.isoformat())
    assert status == 200 and "Réservé" in text
    lookups = [query["sql"] for query in queries.captured_queries
               if query["sql"].startswith(('SELECT "activities_reservation"', 'SELECT "activities_waitinglistentry"'))]
    assert len(lookups) == 2
    for sql in lookups:
        assert "ORDER BY" not in sql and 'JOIN "activities_occurrence"' not in sql, sql


def test_the_days_bookings_and_waiting_lists_are_not_compiled_again(client, family, monkeypatch):
    """core.compiled_query: the agenda's three queries are compiled at the first visit of a
    month's shape, then only run (each month view and week view, the second time)."""
    from django.db.models.sql.compiler import SQLCompiler

    parent, chloe, _activity, occurrence = family
    month, week = {"jour": occurrence.date.isoformat()}, {"vue": "semaine", "semaine": occurrence.date.isoformat()}
    agenda(client, parent, chloe, **month)
    agenda(client, parent, chloe, **week)
    compiled = []
    original = SQLCompiler.as_sql

    def as_sql(self, *args, **kwargs):
        sql, params = original(self, *args, **kwargs)
        compiled.append(sql)
        return sql, params

    monkeypatch.setattr(SQLCompiler, "as_sql", as_sql)
    for params in (month, week):
        status, text = agenda(client, parent, chloe, **params)
        assert status == 200 and "Disponible" in text
    tables = ('FROM "activities_occurrence"', 'FROM "activities_reservation"', 'FROM "activities_waitinglistentry"')
    assert not [sql for sql in compiled if sql.startswith("SELECT") and any(table in sql for table in tables)]


def test_an_activity_added_to_the_dossier_shows_at_once(client, family):
    parent, chloe, activity, occurrence = family
    evening = make_activity(name="Garderie du soir")
    make_occurrence(evening, occurrence.date)
    assert "Garderie du soir" not in agenda(client, parent, chloe, jour=occurrence.date.isoformat())[1]
    chloe.dossiers.get().activities.add(evening)  # a many-to-many change: no row signal
    assert "Garderie du soir" in agenda(client, parent, chloe, jour=occurrence.date.isoformat())[1]


def test_a_child_renamed_and_a_new_deadline_show_at_once(client, family):
    parent, chloe, activity, occurrence = family
    text = agenda(client, parent, chloe, jour=occurrence.date.isoformat())[1]
    assert "Agenda de Chloé" in text
    chloe.first_name = "Chloë"
    chloe.save()
    assert "Agenda de Chloë" in agenda(client, parent, chloe, jour=occurrence.date.isoformat())[1]
    before = agenda(client, parent, chloe, jour=occurrence.date.isoformat())[1]
    rule = activity.booking_rule
    rule.before = datetime.time(8, 30)
    rule.save()
    after = agenda(client, parent, chloe, jour=occurrence.date.isoformat())[1]
    assert ", 10:00" in before and ", 08:30" in after and ", 10:00" not in after


def test_a_renewed_link_shows_at_once(client, family):
    parent, chloe, *_ = family
    text = agenda(client, parent, chloe)[1]
    old = CalendarFeed.objects.get(user=parent, child=chloe).token
    assert f"jeton={old}" in text
    client.post(reverse("activities:agenda_feed_renew", args=[chloe.pk]))
    new = CalendarFeed.objects.get(user=parent, child=chloe).token
    text = agenda(client, parent, chloe)[1]
    assert new != old and f"jeton={new}" in text and f"jeton={old}" not in text


def test_another_household_and_a_parent_who_left_get_404(client, family):
    parent, chloe, *_ = family
    assert agenda(client, parent, chloe)[0] == 200  # now in the cache for this parent
    stranger, _children = make_parent("paul.cache@example.fr", first_name="Paul", last_name="Petit",
                                      children=("Hugo",))
    assert agenda(client, stranger, chloe)[0] == 404
    Membership.objects.filter(user=parent).delete()
    assert agenda(client, parent, chloe)[0] == 404


def test_the_history_filters_follow_a_new_booking_and_stay_in_the_household(client, family):
    parent, chloe, _activity, occurrence = family
    url = reverse("activities:history", args=[chloe.pk])
    client.force_login(parent)
    evening = make_activity(name="Garderie du soir")
    day = make_occurrence(evening, occurrence.date)
    assert "Garderie du soir" not in page_text(client.get(url))  # now in the cache
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    tables = " ".join(query["sql"] for query in queries.captured_queries)
    assert "family_child" not in tables and "activities_activity" not in tables
    Reservation.objects.create(child=chloe, occurrence=day)
    assert "Garderie du soir" in page_text(client.get(url))
    stranger, _children = make_parent("paul.histo@example.fr", first_name="Paul", last_name="Petit",
                                      children=("Hugo",))
    client.force_login(stranger)
    assert client.get(url).status_code == 404


def test_the_cached_value_holds_no_account(client, family, monkeypatch):
    """The feed's token is kept, not the feed row, which carries the user (password hash,
    second-factor device) when the agenda creates it."""
    parent, chloe, *_ = family
    written = []
    original = page_cache._write

    def spy(key, value, **kwargs):
        written.append((key, value))
        original(key, value, **kwargs)

    monkeypatch.setattr(page_cache, "_write", spy)
    status, text = agenda(client, parent, chloe)
    assert status == 200 and "jeton=" in text
    blobs = [pickle.dumps(value) for key, value in written if ":agenda-child:" in key]
    assert len(blobs) == 1
    assert parent.password.encode() not in blobs[0] and b"accounts.user" not in blobs[0].lower()


def test_the_grid_escapes_what_an_agent_typed(client, family):
    parent, chloe, activity, occurrence = family
    activity.name = '<b>"Cantine" & l\'été</b>'
    activity.save()
    client.force_login(parent)
    response = client.get(reverse("activities:agenda", args=[chloe.pk]), {"mois": f"{occurrence.date:%Y-%m}"})
    grid = response.content.decode().split("<tbody>")[1].split("</tbody>")[0]
    assert "&lt;b&gt;&quot;Cantine&quot; &amp; l&#x27;été&lt;/b&gt;" in grid and "<b>" not in grid
