"""Trigram indexes for the client search on PostgreSQL (no change on SQLite).

The search filter uses ``icontains``, which Django writes on PostgreSQL as
``UPPER(col::text) LIKE UPPER('%…%')``; these GIN indexes on the same expressions let that
search use an index over 100,000 clients and 400,000 key contacts instead of reading them all.
"""

from django.db import migrations

INDEXES = [
    ("client_name_trgm_idx", "clients_client", "name"),
    ("client_legal_name_trgm_idx", "clients_client", "legal_name"),
    ("contact_full_name_trgm_idx", "clients_keycontact", "full_name"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("clients", "0002_import_batch")]

    operations = [migrations.RunPython(create, drop)]
