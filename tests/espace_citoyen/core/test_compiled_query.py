"""core.compiled_query: a query of fixed shape compiled once per connection, run with a new
value at each call, gives the objects Django's own evaluation gives."""

import pytest
from django.db import connection
from django.db.models import Count, F
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from espace_citoyen.activities.models import Activity
from espace_citoyen.core.compiled_query import PLACEHOLDER, CompiledQuery

from ..activities.agenda_factories import make_activity, make_occurrence, next_weekday, today

pytestmark = pytest.mark.django_db


def activities(pk):
    # A JSON field (a converter on SQLite and PostgreSQL), a select_related object and an
    # annotation: each is made by another part of Django's row handling.
    return (Activity.objects.select_related("school_year", "booking_rule")
            .annotate(days=Count("occurrences"), rule_days=F("booking_rule__days_before")).filter(pk=pk).order_by())


@pytest.fixture
def activity():
    activity = make_activity(name="Centre de loisirs")
    activity.weekdays = [0, 2, 4]
    activity.save()
    for weeks in (1, 2):
        make_occurrence(activity, next_weekday(today(), 2, weeks=weeks))
    return activity


def fields(obj):
    return {field.attname: getattr(obj, field.attname) for field in type(obj)._meta.concrete_fields}


def test_the_objects_are_djangos(activity, django_assert_num_queries):
    query = CompiledQuery(activities)
    expected = activities(activity.pk).get()
    with django_assert_num_queries(1):
        (found,) = query.objects(activity.pk)
        assert fields(found) == fields(expected)
        assert found.weekdays == [0, 2, 4]  # converted from the database's JSON
        assert (found.days, found.rule_days) == (2, expected.booking_rule.days_before)
        assert fields(found.school_year) == fields(expected.school_year)  # no query: selected with it
        assert fields(found.booking_rule) == fields(expected.booking_rule)
    assert found._state.adding is False and found._state.db == "default"
    found.name = "Garderie"
    found.save()  # a usual instance
    assert Activity.objects.get(pk=activity.pk).name == "Garderie"


def test_each_value_gets_its_rows_and_the_sql_is_djangos(activity):
    other = make_activity(name="Étude surveillée")
    query = CompiledQuery(activities)
    assert [a.name for a in query.objects(other.pk)] == ["Étude surveillée"]
    assert [a.name for a in query.objects(activity.pk)] == ["Centre de loisirs"]
    assert query.objects(other.pk + activity.pk + 1000) == []
    assert query.sql_with_params(other.pk) == activities(other.pk).query.sql_with_params()
    with CaptureQueriesContext(connection) as ran:
        query.objects(other.pk)
    assert len(ran.captured_queries) == 1


def test_compiled_once_per_connection(activity, monkeypatch):
    query = CompiledQuery(activities)
    query.objects(activity.pk)
    compiled = []
    original = SQLCompiler.as_sql
    monkeypatch.setattr(SQLCompiler, "as_sql", lambda self, *a, **k: compiled.append(1) or original(self, *a, **k))
    assert [a.pk for a in query.objects(activity.pk)] == [activity.pk]
    assert compiled == []


def test_the_placeholder_must_be_exactly_one_parameter(activity):
    with pytest.raises(ValueError):
        CompiledQuery(lambda pk: Activity.objects.filter(pk=activity.pk)).objects(activity.pk)
    with pytest.raises(ValueError):
        CompiledQuery(lambda pk: Activity.objects.filter(pk=pk, capacity=pk)).objects(activity.pk)
    assert PLACEHOLDER < 0  # no row has it
