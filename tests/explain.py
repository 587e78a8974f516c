"""EXPLAIN on PostgreSQL for the tests that pin a query's plan (index use, no sequential scan of
a big table). The ``postgresql`` fixture (tests/conftest.py) skips them on SQLite, and fails them
in CI, which runs on PostgreSQL."""

from django.db import connection


def plan(sql, *, sorts=True):
    """The plan as the planner would choose it on a big table: a handful of test rows would
    otherwise always be read whole (and sorted), so sequential scans, and with ``sorts=False``
    sorts (incremental ones too), are made a last resort. What remains shows which index can
    serve the query."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        if not sorts:
            cursor.execute("SET LOCAL enable_sort = off; SET LOCAL enable_incremental_sort = off")
        cursor.execute("EXPLAIN " + sql)
        text = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan; RESET enable_sort; RESET enable_incremental_sort")
    return text
