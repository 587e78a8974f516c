"""Query expressions the ORM does not have."""

from django.db.models import BooleanField, F, Func, Subquery


class InIds(Func):
    """``column IN (subquery)``, which on PostgreSQL is ``column = ANY(ARRAY(subquery))``.

    PostgreSQL runs ``ARRAY(subquery)`` once, before the scan (an init plan), and can then read
    the column's index for the ids it got, in a bitmap OR with the other conditions of the
    filter. ``IN (subquery)`` is a semi-join instead: at 100,000 clients it hashed the
    subquery and read the whole table to probe it. Meant for short id sets (a person's own
    clients); a filter expression: ``qs.filter(Q(owner=user) | InIds("client", clients))``.

    With ``hashed=True`` the ids are also asked as ``IN (subquery)`` first:
    ``(column IN (subquery) AND column = ANY(ARRAY(subquery)))``. Where PostgreSQL scans the
    whole table rather than reading the index for the array (a small table, or many of its
    rows wanted), it compares each row with every id of an array from a subquery (it hashes
    only an array of constants); ``IN (subquery)`` is probed in a hash of the ids, and only the
    rows found there are compared with the array. The index path is unchanged: the array is
    what the index reads, the rest is rechecked on the rows found.
    """

    output_field = BooleanField()

    def __init__(self, column: str, queryset, *, hashed: bool = False):
        super().__init__(F(column), Subquery(queryset))
        self.hashed = hashed

    def as_sql(self, compiler, connection, **extra_context):
        column, subquery = self.get_source_expressions()
        column_sql, column_params = compiler.compile(column)
        subquery_sql, subquery_params = compiler.compile(subquery)
        return f"{column_sql} IN {subquery_sql}", (*column_params, *subquery_params)

    def as_postgresql(self, compiler, connection, **extra_context):
        column, subquery = self.get_source_expressions()
        column_sql, column_params = compiler.compile(column)
        subquery_sql, subquery_params = compiler.compile(subquery)
        # Subquery's SQL comes in parentheses already: ARRAY(SELECT …).
        in_array = f"{column_sql} = ANY(ARRAY{subquery_sql})"
        if not self.hashed:
            return in_array, (*column_params, *subquery_params)
        return (
            f"({column_sql} IN {subquery_sql} AND {in_array})",
            (*column_params, *subquery_params, *column_params, *subquery_params),
        )


class _CountWithoutGrouping(Func):
    """``COUNT([DISTINCT] column)`` that the ORM does not take for an aggregate: in a subquery
    it adds no GROUP BY (SQL counts the whole selection all the same)."""

    function = "COUNT"
    contains_aggregate = False

    def __init__(self, column: str, *, distinct: bool):
        from django.db.models import IntegerField

        super().__init__(F(column), output_field=IntegerField())
        if distinct:
            self.template = "COUNT(DISTINCT %(expressions)s)"


def SubqueryCount(queryset, column: str = "pk", *, distinct: bool = False) -> Subquery:  # noqa: N802 - an expression
    """``(SELECT COUNT([DISTINCT] column) FROM … WHERE …)``: a count per row shown, with no
    GROUP BY and no LIMIT; an empty selection counts 0, so it needs no ``Coalesce``.

    The ORM's way, ``.values("client").annotate(n=Count(…)).values("n")[:1]``, writes a GROUP
    BY and a LIMIT into each correlated subquery, and PostgreSQL then plans every grouping and
    index path of the counted table for each: three such subqueries on the programme's client
    list took 3 ms to plan and 2.4 ms to read, against 0.4 and 1.7 ms written like this. E.g.
    ``SubqueryCount(held_visits, "employee", distinct=True)`` with ``held_visits`` a queryset
    filtered on ``OuterRef("client_id")``.
    """
    from django.db.models import IntegerField

    counted = queryset.order_by().annotate(_count=_CountWithoutGrouping(column, distinct=distinct))
    return Subquery(counted.values("_count"), output_field=IntegerField())
