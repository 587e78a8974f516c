"""A portable string aggregate: Django 5.2 has ``StringAgg`` for PostgreSQL only."""

from django.db.models import Aggregate, CharField, F, Func, Subquery


class JoinedNames(Aggregate):
    """The values joined by ", " in one row (``STRING_AGG`` on PostgreSQL, ``GROUP_CONCAT`` on
    SQLite), so a list can show each row's names without a query per section."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ', ')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


class _JoinedWithoutGrouping(Func):
    """``STRING_AGG(column, ', ')`` that the ORM does not take for an aggregate: in a
    subquery it adds no GROUP BY (SQL joins the whole selection all the same)."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ', ')"
    contains_aggregate = False
    output_field = CharField()

    def __init__(self, column: str):
        super().__init__(F(column))

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


def SubqueryJoinedNames(queryset, column: str) -> Subquery:  # noqa: N802 - an expression
    """``(SELECT STRING_AGG(column, ', ') FROM … WHERE …)``: each row's names in one value,
    NULL when there are none. The ORM's way, ``.values(key).annotate(n=JoinedNames(…))``,
    writes a GROUP BY into the correlated subquery, which PostgreSQL plans as a grouping for
    each row (see ``vipcrm.expressions.SubqueryCount``)."""
    joined = queryset.order_by().annotate(_names=_JoinedWithoutGrouping(column))
    return Subquery(joined.values("_names"), output_field=CharField())
