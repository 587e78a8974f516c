"""Querysets compiled to SQL once per process, then run with new parameters.

Building a queryset and compiling it to SQL costs Django about a millisecond of CPU, more than
most of a page's queries take to run at 100,000 clients. A page that reads ten small sections
(the client card) spent most of its time there. :class:`PreparedValues` builds its ``values()``
queryset once per database, with a stand-in value for each integer parameter, keeps the SQL and
the compiler, and afterwards only puts the request's values in the stand-ins' places and runs
the SQL through Django's cursor (so query logging, ``django_assert_num_queries`` and the
database's converters work as for any queryset)::

    CARD_FOLLOW_UPS = PreparedValues(
        lambda client_id: FollowUp.objects.filter(client_id=client_id).values("title"),
    )
    rows = CARD_FOLLOW_UPS(client_id=client.pk)   # a list of dicts, as list(queryset) gives

The builder must depend on nothing but its parameters, which are integers (ids): not on the
user, the language, today's date or a setting that can change. Each stand-in must appear in
the compiled SQL's parameters (a value the ORM wrote into the SQL text, such as a LIMIT, cannot
be a parameter); compiling refuses otherwise.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

# Stand-ins for the parameters: negative ids no table has, within the range of a 32-bit integer
# column (Django answers a lookup on a value outside a column's range with an empty result
# without asking the database, and would leave no parameter behind).
_STAND_IN = -2_000_000_000


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    slots: tuple[tuple[int, str], ...]  # (position in params, parameter name)
    names: tuple[str, ...]
    compiler: object  # the SQLCompiler whose converters turn the rows into Python values


class PreparedValues:
    """A ``values()`` queryset built by ``build(**int_params)``, compiled once per database."""

    def __init__(self, build: Callable[..., QuerySet]):
        self._build = build
        self._names = tuple(inspect.signature(build).parameters)
        self._compiled: dict[tuple[str, str], _Compiled] = {}
        self._lock = threading.Lock()

    def __call__(self, *, using: str = DEFAULT_DB_ALIAS, **params: int) -> list[dict]:
        if set(params) != set(self._names):
            raise TypeError(f"expected the parameters {', '.join(self._names)}")
        connection = connections[using]
        compiled = self._compiled.get((using, connection.vendor))
        if compiled is None:
            with self._lock:
                compiled = self._compiled[(using, connection.vendor)] = self._compile(using)
        args = list(compiled.params)
        for position, name in compiled.slots:
            value = params[name]
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"{name} must be an integer, not {value!r}")
            args[position] = value
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, args)
            fetched = cursor.fetchall()
        rows = compiled.compiler.results_iter(results=[fetched])
        names = compiled.names
        return [dict(zip(names, row, strict=True)) for row in rows]

    def _compile(self, using: str) -> _Compiled:
        stand_ins = {name: _STAND_IN - index for index, name in enumerate(self._names)}
        queryset = self._build(**stand_ins)
        query = queryset.query
        if not query.values_select and not query.annotation_select and not query.selected:
            raise TypeError("a prepared query is a values() queryset")
        compiler = query.get_compiler(using)
        sql, params = compiler.as_sql()
        by_value = {value: name for name, value in stand_ins.items()}
        slots = tuple(
            (position, by_value[value])
            for position, value in enumerate(params)
            if isinstance(value, int) and value in by_value
        )
        missing = set(self._names) - {name for _, name in slots}
        if missing:
            raise ValueError(
                f"the parameters {', '.join(sorted(missing))} are not parameters of the SQL"
            )
        if query.selected:
            names = tuple(query.selected)
        else:
            names = (*query.extra_select, *query.values_select, *query.annotation_select)
        return _Compiled(sql, tuple(params), slots, names, compiler)
