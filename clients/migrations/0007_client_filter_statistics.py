"""Statistics of how the client list's filter columns go together, on PostgreSQL (no change on
SQLite).

PostgreSQL takes columns to be independent: a segment of 5,000 clients filtered by tier A
(5,000 of 100,000) it expected to hold 5000 × 5% = 260 clients, and so read all of them with
a bitmap scan and sorted them by name (17 ms) rather than walk a name-ordered index and stop
at the page's 51st row (1 ms). Segment, region, tier, kind and status are not independent in
a client base (the large clients of a segment are its tier A); these functional-dependency
statistics, gathered by ANALYZE, let the planner see it. The ANALYZE here fills them at once.
"""

from django.db import migrations

NAME = "client_filter_stats"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f'CREATE STATISTICS IF NOT EXISTS "{NAME}" (dependencies) '
        'ON "segment_id", "region_id", "tier", "kind", "status" FROM "clients_client"'
    )
    schema_editor.execute('ANALYZE "clients_client"')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'DROP STATISTICS IF EXISTS "{NAME}"')


class Migration(migrations.Migration):
    dependencies = [("clients", "0006_client_tier_name")]

    operations = [migrations.RunPython(create, drop)]
