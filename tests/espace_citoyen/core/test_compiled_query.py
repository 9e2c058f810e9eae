"""core.compiled_query: a query of fixed shape compiled once per connection, run with a new
value at each call, gives the objects Django's own evaluation gives."""

import datetime
import threading

import pytest
from django.db import connection, connections
from django.db.models import Count, F, Q
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from espace_citoyen.activities.models import Activity, Occurrence, Reservation, ReservationStatus
from espace_citoyen.core.compiled_query import PLACEHOLDER, CompiledQuery

from ..activities.agenda_factories import make_activity, make_occurrence, make_parent, next_weekday, today

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
    with pytest.raises(ValueError, match="Each placeholder must be one parameter"):
        CompiledQuery(lambda pk: Activity.objects.filter(pk=activity.pk)).objects(activity.pk)
    with pytest.raises(ValueError, match="Each placeholder must be one parameter"):
        CompiledQuery(lambda pk: Activity.objects.filter(Q(pk=pk) | Q(school_year_id=pk))).objects(activity.pk)
    # A field that takes no negative number: Django empties the query before compiling it.
    with pytest.raises(ValueError, match="must compile with the placeholders"):
        CompiledQuery(lambda pk: Activity.objects.filter(pk=pk, capacity=pk)).objects(activity.pk)
    assert PLACEHOLDER < 0  # no row has it


def test_values_out_of_range_or_naive_are_refused(activity):
    query = CompiledQuery(activities)
    with pytest.raises(ValueError, match="out of a database integer"):
        query.objects(2**63)
    assert query.objects(2**63 - 1) == []
    naive = datetime.datetime(2026, 12, 3, 10, 0)
    with pytest.raises(TypeError, match="naive"):
        CompiledQuery(lambda pk, moment: Reservation.objects.filter(pk=pk, created_at__lt=moment)).objects(1, naive)


@pytest.mark.django_db(transaction=True)
def test_each_thread_compiles_on_its_own_connection(activity):
    query = CompiledQuery(activities)
    assert [a.pk for a in query.objects(activity.pk)] == [activity.pk]
    found = {}

    def other_thread():
        try:
            found["rows"] = [a.pk for a in query.objects(activity.pk)]
            found["compiled"] = set(connections["default"].__dict__.get("_compiled_queries", {}))
        finally:
            connection.close()

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert found == {"rows": [activity.pk], "compiled": {query}}
    assert query in connections["default"].__dict__["_compiled_queries"]


def occurrences(activity_ids, start, end):
    return Occurrence.objects.filter(activity_id__in=activity_ids, date__gte=start, date__lte=end).order_by("date", "pk")


def test_lists_dates_and_times_are_put_as_djangos_fields_put_them(activity, django_assert_num_queries):
    other = make_activity(name="Étude surveillée")
    days = [next_weekday(today(), 1, weeks=weeks) for weeks in (1, 2, 3)]
    for day in days:
        make_occurrence(other, day)
    query = CompiledQuery(occurrences)
    every = Occurrence.objects.filter(activity__in=[activity, other])
    first, last = min(o.date for o in every), max(o.date for o in every)
    for ids, start, end in [([activity.pk, other.pk], first, last), ([other.pk], days[1], days[2]),
                            ([activity.pk, other.pk, other.pk], days[0], days[0]), ([other.pk], last, first)]:
        expected = list(occurrences(ids, start, end))
        assert query.sql_with_params(ids, start, end) == occurrences(ids, start, end).query.sql_with_params()
        assert [fields(o) for o in query.objects(ids, start, end)] == [fields(o) for o in expected]
    assert len(query.objects([activity.pk, other.pk], first, last)) == 5
    with django_assert_num_queries(0):  # an empty list: no query, no rows, as Django
        assert query.objects([], first, last) == []
        assert query.sql_with_params([], first, last) is None
        assert query.objects([None], first, last) == []
    assert query.sql_with_params([other.pk, None], first, last) == occurrences(
        [other.pk, None], first, last).query.sql_with_params()


def test_a_datetime_is_put_as_djangos_datetime_fields_put_it(activity):
    _parent, (child,) = make_parent("requete.compilee@example.fr")
    booking = Reservation.objects.create(child=child, occurrence=activity.occurrences.first(),
                                         status=ReservationStatus.BOOKED)

    def booked_before(child_id, moment):
        return Reservation.objects.filter(child_id=child_id, created_at__lt=moment).order_by()

    query = CompiledQuery(booked_before)
    second = datetime.timedelta(seconds=1)
    assert [r.pk for r in query.objects(child.pk, booking.created_at + second)] == [booking.pk]
    assert query.objects(child.pk, booking.created_at) == []
    assert query.objects(child.pk, booking.created_at - second) == []
    moment = timezone.now()
    assert query.sql_with_params(child.pk, moment) == booked_before(child.pk, moment).query.sql_with_params()


def test_many_shapes(activity):
    query = CompiledQuery(occurrences)
    ids = [activity.pk]
    for length in range(1, 80):  # more shapes than are kept: the oldest are compiled again
        ids.append(-length)
        assert len(query.objects(ids, datetime.date(2000, 1, 1), datetime.date(2100, 1, 1))) == 2


def test_values_of_another_kind_are_refused(activity):
    query = CompiledQuery(activities)
    for value in (True, "12", 1.5, None):
        with pytest.raises(TypeError):
            query.objects(value)
