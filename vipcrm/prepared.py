"""Queries whose SQL never changes shape, built and compiled by the ORM once per process.

A list page reads its rows by the ids of the page, and My list its rows with six figures: the
same SQL on every request but for a few values (the ids, today). Building such a queryset and
compiling it cost 1.5–2 ms of Python a page on this machine — more than PostgreSQL took to plan
and run it. ``PreparedValues`` builds the queryset once per process and database with
placeholders (``Param``) where the values go, keeps its SQL, and runs that SQL with each
request's values, converting the columns as the ORM would.

On a database other than PostgreSQL (the tests' SQLite), the queryset is built with the values
themselves and run as usual: a list of ids there is one placeholder per id.
"""

from django.db import connections
from django.db.models import BooleanField, Expression, F, Func


class _Marker:
    """Where a value goes in the compiled SQL: passed through as a parameter unchanged."""

    def __init__(self, name: str):
        self.name = name


class Param(Expression):
    """A value of the query given when it runs (``%s``): ``Param(today)`` in the queryset that
    ``PreparedValues`` builds, e.g. ``filter(assignee_id=Param(user_id))`` or a parameter of a
    ``RawSQL``. The value goes to the database as it is: adapt it first where the ORM would
    (``connection.ops.adapt_datefield_value``)."""

    def __init__(self, value, output_field=None):
        super().__init__(output_field=output_field)
        self.value = value

    def as_sql(self, compiler, connection):
        return "%s", [self.value]


class InParam(Func):
    """``column IN (ids)`` with the ids as one parameter: ``column = ANY(%s::bigint[])`` on
    PostgreSQL (one SQL whatever the number of ids), one placeholder per id elsewhere."""

    output_field = BooleanField()

    def __init__(self, column: str, ids):
        super().__init__(F(column))
        self.ids = ids

    def as_sql(self, compiler, connection, **extra_context):
        (column,) = self.get_source_expressions()
        column_sql, column_params = compiler.compile(column)
        ids = list(self.ids)
        if not ids:
            return "1 = 0", ()
        return f"{column_sql} IN ({', '.join(['%s'] * len(ids))})", (*column_params, *ids)

    def as_postgresql(self, compiler, connection, **extra_context):
        (column,) = self.get_source_expressions()
        column_sql, column_params = compiler.compile(column)
        array_type = column.output_field.cast_db_type(connection)
        ids = self.ids if isinstance(self.ids, _Marker) else list(self.ids)
        return f"{column_sql} = ANY(%s::{array_type}[])", (*column_params, ids)


class PreparedValues:
    """``build(**values)`` — a ``.values(…)`` queryset with each value where it goes
    (``Param``, ``InParam``, or a ``RawSQL``'s parameters) — compiled once per database, then
    run as ``prepared(**values)``: the rows as dicts, in the database's order."""

    def __init__(self, build, *names: str):
        self.build = build
        self.names = names
        self._compiled = {}

    def __call__(self, using: str = "default", **values) -> list[dict]:
        connection = connections[using]
        if connection.vendor != "postgresql":
            return list(self.build(**values).using(using))
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = self._compiled[using] = self._compile(using, connection)
        sql, params, columns, compiler, converters = compiled
        params = [values[p.name] if isinstance(p, _Marker) else p for p in params]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            rows = compiler.apply_converters(rows, converters)
        return [dict(zip(columns, row, strict=True)) for row in rows]

    def _compile(self, using, connection):
        queryset = self.build(**{name: _Marker(name) for name in self.names})
        compiler = queryset.query.get_compiler(using=using, connection=connection)
        sql, params = compiler.as_sql()
        # What a values() queryset names its columns: its fields, then its annotations.
        query = queryset.query
        columns = [*query.extra_select, *query.values_select, *query.annotation_select]
        converters = compiler.get_converters([column for column, *_ in compiler.select])
        return sql, tuple(params), columns, compiler, converters
