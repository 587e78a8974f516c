"""Helpers for the command-line database tools (pg_dump, pg_restore) used by bin/backup."""

import os


def libpq_environment(database: dict) -> dict:
    """The environment that points libpq's tools at Django's database, password included
    (through PGPASSWORD, never on the command line)."""
    env = dict(os.environ)
    env.update(
        {
            "PGDATABASE": database["NAME"],
            "PGHOST": str(database.get("HOST") or "localhost"),
            "PGPORT": str(database.get("PORT") or 5432),
            "PGUSER": database.get("USER") or "",
        }
    )
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = database["PASSWORD"]
    return env
