"""An ORM query of fixed shape compiled once per database connection, then run with a new
value at each call (issue 14).

Django compiles a queryset into SQL at every evaluation. For the query that loads the
session's user on every signed-in request (the user, Wagtail's profile and two EXISTS on the
second-factor devices) the compilation cost 1.0-1.5 ms of Python on the benchmark machine,
against 0.2 ms to run the query (3 December 2026).

``CompiledQuery(build)`` calls ``build(placeholder)`` once per connection, keeps the SQL and
the parameters Django compiled, and at each call runs that SQL with the caller's value in
the placeholder's place. Rows become objects exactly as Django's ``ModelIterable`` makes
them, with the same compiler (converters, ``select_related`` objects, annotations).

Only for a query whose one varying value is a number compared by the database (a primary
key that may be negative in the query: not a positive-only field): the value is given as
Django would send it (an int), and the built query must hold the placeholder in exactly one
parameter, which is checked at the first call."""

from __future__ import annotations

import weakref
from collections.abc import Callable

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators

# A number no row has, in the range of a 32-bit integer column (Django turns a lookup out
# of a field's range into an empty result before compiling it).
PLACEHOLDER = -730211984


class CompiledQuery:
    """``build(value)`` returns the queryset for one value; ``objects(value)`` its objects."""

    def __init__(self, build: Callable[[int], QuerySet], using: str = DEFAULT_DB_ALIAS):
        self._build = build
        self._using = using
        # One compilation per connection (a thread has its own): the compiler's converters
        # receive the connection that runs the query.
        self._kept: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _compiled(self, connection):
        kept = self._kept.get(connection)
        if kept is None:
            compiler = self._build(PLACEHOLDER).query.get_compiler(connection=connection)
            try:
                sql, params = compiler.as_sql()  # also sets compiler.select, klass_info, annotation_col_map
            except (EmptyResultSet, FullResultSet) as error:  # e.g. the placeholder out of a field's range
                raise ValueError("The query must compile with the placeholder as a parameter.") from error
            slots = [index for index, param in enumerate(params) if type(param) is int and param == PLACEHOLDER]
            if len(slots) != 1 or str(PLACEHOLDER) in sql:
                raise ValueError(f"The placeholder must be one parameter of the query: {sql} {params}")
            klass_info, select = compiler.klass_info, compiler.select
            start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
            kept = self._kept[connection] = {
                "compiler": compiler, "sql": sql, "params": tuple(params), "slot": slots[0],
                "model": klass_info["model"], "start": start, "end": end,
                "init_list": [column[0].target.attname for column in select[start:end]],
                "related": get_related_populators(klass_info, select, self._using),
                "annotations": tuple(compiler.annotation_col_map.items()),
            }
        return kept

    @staticmethod
    def _sql(kept, value) -> tuple[str, tuple]:
        slot = kept["slot"]
        return kept["sql"], kept["params"][:slot] + (value,) + kept["params"][slot + 1:]

    def sql_with_params(self, value: int) -> tuple[str, tuple]:
        """The SQL and parameters run for `value` (for tests: the same as Django's)."""
        return self._sql(self._compiled(connections[self._using]), value)

    def objects(self, value: int) -> list:
        connection = connections[self._using]
        kept = self._compiled(connection)
        sql, params = self._sql(kept, value)
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
