"""ORM queries of fixed shape compiled once per database connection, then run with new values
at each call (issue 14).

Django compiles a queryset into SQL at every evaluation, and building the queryset (its
filters, its Q objects) costs about as much again. For the query that loads the session's
user on every signed-in request (the user, Wagtail's profile and two EXISTS on the
second-factor devices) that was 1.0-1.5 ms of Python on the benchmark machine, against
0.2 ms to run the query; the agenda's three queries spent 2 ms compiling (3 December 2026).

``CompiledQuery(build)`` calls ``build(*placeholders)`` once per connection and shape (the
length of each list of numbers), keeps the SQL and the parameters Django compiled, and at
each call runs that SQL with the caller's values in the placeholders' places. Rows become
objects exactly as Django's ``ModelIterable`` makes them, with the same compiler
(converters, ``select_related`` objects, annotations).

The values may be numbers (an ``int``: a key, compared by the database), lists of numbers
(``__in``), dates and aware datetimes. Each is put in the parameters as Django's fields put
them (the connection's ``adapt_datefield_value``, ``adapt_datetimefield_value``); a number
out of a database integer's range is refused. A query whose lists are empty is empty, as
Django's is. The query runs on the database given (``default``), without asking the
database routers. The built query must hold each placeholder in
exactly one parameter, which is checked at its first compilation: a number must be compared
to a field that accepts negative numbers in a query (not a positive-only field)."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators

# Numbers no row has, in the range of a 32-bit integer column (Django turns a lookup out of
# a field's range into an empty result before compiling it); dates and times no row has.
PLACEHOLDER = -730211984
_DATE_PLACEHOLDER = datetime.date(1111, 1, 1)
_DATETIME_PLACEHOLDER = datetime.datetime(1111, 1, 1, tzinfo=datetime.UTC)
# Shapes kept per connection (the lists' lengths vary: the days of a month).
_MAX_SHAPES = 64
# The numbers a database column can hold (a 64-bit integer at most).
_INT_RANGE = range(-(2**63), 2**63)


def is_database_integer(value: int) -> bool:
    """Whether a database integer column can hold `value` (else no row has it)."""
    return value in _INT_RANGE


def _kind(value) -> str:
    if isinstance(value, bool):
        raise TypeError("A CompiledQuery value is a number, a list of numbers, a date or a datetime.")
    if isinstance(value, int):
        return "int"
    if isinstance(value, datetime.datetime):
        return "datetime"
    if isinstance(value, datetime.date):
        return "date"
    if isinstance(value, list | tuple):
        return "ints"
    raise TypeError("A CompiledQuery value is a number, a list of numbers, a date or a datetime.")


class CompiledQuery:
    """``build(*values)`` returns the queryset for these values; ``objects(*values)`` its
    objects, from SQL compiled once per connection and shape."""

    def __init__(self, build: Callable[..., QuerySet], using: str = DEFAULT_DB_ALIAS):
        self._build = build
        self._using = using  # this database, without asking the database routers

    @staticmethod
    def _adapt(connection, kind: str, value):
        """`value` (one number of a list for "ints") as Django's field puts it in a query's
        parameters."""
        if kind == "date":
            return connection.ops.adapt_datefield_value(value)
        if kind == "datetime":
            if settings.USE_TZ and value.tzinfo is None:
                raise TypeError("A naive datetime: Django would read it in the current time zone, give an aware one.")
            return connection.ops.adapt_datetimefield_value(value)
        if not is_database_integer(value):
            raise ValueError(f"{value} is out of a database integer's range.")
        return int(value)

    def _compile(self, connection, shape: tuple):
        numbers = iter(range(PLACEHOLDER, PLACEHOLDER - 1_000_000, -1))
        placeholders, slots_of = [], []  # a placeholder per argument; (kind, its numbers, date or time)
        for index, (kind, length) in enumerate(shape):
            if kind == "ints":
                values = [next(numbers) for _ in range(length)]
                placeholders.append(values)
                slots_of.append(("ints", values))
            elif kind == "int":
                value = next(numbers)
                placeholders.append(value)
                slots_of.append(("int", [value]))
            else:
                value = (_DATE_PLACEHOLDER if kind == "date" else _DATETIME_PLACEHOLDER) + datetime.timedelta(days=index)
                placeholders.append(value)
                slots_of.append((kind, [value]))
        compiler = self._build(*placeholders).query.get_compiler(connection=connection)
        try:
            sql, params = compiler.as_sql()  # also sets compiler.select, klass_info, annotation_col_map
        except EmptyResultSet:
            if any(kind == "ints" and not length for kind, length in shape):
                return None  # an empty list: no rows, as Django answers without a query
            raise ValueError("The query must compile with the placeholders as parameters.") from None
        except FullResultSet:
            raise ValueError("The query must compile with the placeholders as parameters.") from None
        params = tuple(params)
        slots = []  # per argument: (kind, positions in params)
        for kind, sentinels in slots_of:
            positions = []
            for sentinel in sentinels:
                expected = self._adapt(connection, kind, sentinel)
                found = [i for i, param in enumerate(params) if type(param) is type(expected) and param == expected]
                if len(found) != 1 or str(expected) in sql:
                    raise ValueError(f"Each placeholder must be one parameter of the query: {sql} {params}")
                positions.append(found[0])
            slots.append((kind, positions))
        klass_info, select = compiler.klass_info, compiler.select
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        return {
            "compiler": compiler, "sql": sql, "params": params, "slots": slots,
            "model": klass_info["model"], "start": start, "end": end,
            "init_list": [column[0].target.attname for column in select[start:end]],
            "related": get_related_populators(klass_info, select, self._using),
            "annotations": tuple(compiler.annotation_col_map.items()),
        }

    @staticmethod
    def _values(values: tuple) -> tuple:
        """Each list without None nor its repeated numbers, in order, as Django's `__in`
        sends it."""
        return tuple([item for item in dict.fromkeys(value) if item is not None] if _kind(value) == "ints"
                     else value for value in values)

    def _compiled(self, connection, values: tuple):
        shape = tuple((kind, len(value) if kind == "ints" else 0) for kind, value in
                      ((_kind(value), value) for value in values))
        # Kept on the connection (a thread has its own, and the compiler's converters receive
        # the connection that runs the query): gone with it.
        by_shape = connection.__dict__.setdefault("_compiled_queries", {}).setdefault(self, {})
        if shape not in by_shape:
            if len(by_shape) >= _MAX_SHAPES:
                by_shape.clear()
            by_shape[shape] = self._compile(connection, shape)
        return by_shape[shape]

    def _sql(self, connection, kept, values: tuple) -> tuple[str, tuple]:
        params = list(kept["params"])
        for (kind, positions), value in zip(kept["slots"], values, strict=True):
            for position, item in zip(positions, value if kind == "ints" else [value], strict=True):
                params[position] = self._adapt(connection, kind, item)
        return kept["sql"], tuple(params)

    def sql_with_params(self, *values) -> tuple[str, tuple] | None:
        """The SQL and parameters run for these values (for tests: the same as Django's);
        None when the query is empty (an empty list)."""
        connection, values = connections[self._using], self._values(values)
        kept = self._compiled(connection, values)
        return None if kept is None else self._sql(connection, kept, values)

    def objects(self, *values) -> list:
        connection, values = connections[self._using], self._values(values)
        kept = self._compiled(connection, values)
        if kept is None:
            return []
        sql, params = self._sql(connection, kept, values)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        result = []
        model, start, end, init_list = kept["model"], kept["start"], kept["end"], kept["init_list"]
        # As django.db.models.query.ModelIterable does.
        for row in kept["compiler"].results_iter([rows]):
            obj = model.from_db(self._using, init_list, row[start:end])
            for populator in kept["related"]:
                populator.populate(row, obj)
            for name, position in kept["annotations"]:
                setattr(obj, name, row[position])
            result.append(obj)
        return result
