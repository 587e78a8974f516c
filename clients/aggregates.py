"""A portable string aggregate: Django 5.2 has ``StringAgg`` for PostgreSQL only."""

from django.db.models import Aggregate, CharField


class JoinedNames(Aggregate):
    """The values joined by ", " in one row (``STRING_AGG`` on PostgreSQL, ``GROUP_CONCAT`` on
    SQLite), so a list can show each row's names without a query per section."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ', ')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)
