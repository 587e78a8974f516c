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


def ensure_postgresql_database(database: dict) -> bool:
    """Creates the PostgreSQL database named in Django's settings if it does not exist yet
    (connecting to the server's `postgres` database). Returns True when it was created."""
    import psycopg2
    from psycopg2 import sql

    params = {
        "dbname": "postgres",
        "host": database.get("HOST") or "localhost",
        "port": database.get("PORT") or 5432,
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
    }
    conn = psycopg2.connect(**{k: v for k, v in params.items() if v is not None})
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database["NAME"]])
            if cursor.fetchone():
                return False
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database["NAME"])))
            return True
    finally:
        conn.close()
