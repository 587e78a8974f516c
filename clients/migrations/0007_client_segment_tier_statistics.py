"""Statistics of how segments and tiers go together among the clients, on PostgreSQL (no
change on SQLite).

PostgreSQL takes columns to be independent: a segment of 5,000 clients filtered by tier A
(5,000 of 100,000) it expected to hold 5000 × 5% = 260 clients, and so read all 5,000 with a
bitmap scan and sorted them by name (17 ms) rather than walk a name-ordered index and stop at
the page's 51st row (0.2 ms). In a client base they are not independent (a segment's large
clients are its tier A). These statistics, gathered by ANALYZE, are the most common
(segment, tier) pairs with their shares: 20 segments × 3 tiers fit in the list, so the planner
also knows a pair that does not occur to be rare (statistics of functional dependencies
instead made it walk the whole name index for such a pair). The ANALYZE here fills them at once.
"""

from django.db import migrations

NAME = "client_segment_tier_stats"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f'CREATE STATISTICS IF NOT EXISTS "{NAME}" (mcv) ON "segment_id", "tier" '
        'FROM "clients_client"'
    )
    schema_editor.execute('ANALYZE "clients_client"')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'DROP STATISTICS IF EXISTS "{NAME}"')


class Migration(migrations.Migration):
    dependencies = [("clients", "0006_client_tier_name")]

    operations = [migrations.RunPython(create, drop)]
