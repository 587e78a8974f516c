"""Query expressions the ORM does not have."""

from django.db.models import BooleanField, F, Func, Subquery


class InIds(Func):
    """``column IN (subquery)``, which on PostgreSQL is ``column = ANY(ARRAY(subquery))``.

    PostgreSQL runs ``ARRAY(subquery)`` once, before the scan (an init plan), and can then read
    the column's index for the ids it got, in a bitmap OR with the other conditions of the
    filter. ``IN (subquery)`` is a semi-join instead: at 100,000 clients it hashed the
    subquery and read the whole table to probe it. Meant for short id sets (a person's own
    clients); a filter expression: ``qs.filter(Q(owner=user) | InIds("client", clients))``.
    """

    output_field = BooleanField()

    def __init__(self, column: str, queryset):
        super().__init__(F(column), Subquery(queryset))

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
        return f"{column_sql} = ANY(ARRAY{subquery_sql})", (*column_params, *subquery_params)
