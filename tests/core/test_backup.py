"""`make backup` / `make restore`: a backup restores to the same rows."""

import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

from tests import factories

ROOT = Path(__file__).resolve().parents[2]


def run(script, *args, **env):
    environment = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, f"bin/{script}", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_sqlite_backup_and_restore_round_trip(tmp_path):
    live = tmp_path / "live.sqlite3"
    with sqlite3.connect(live) as db:
        db.execute("create table t (x integer)")
        db.executemany("insert into t values (?)", [(1,), (2,), (3,)])
    url = f"sqlite:///{live}"

    backup = run("backup", str(tmp_path / "copy.sqlite3"), DATABASE_URL=url)
    with sqlite3.connect(live) as db:
        db.execute("delete from t")
    restore = run("restore", str(tmp_path / "copy.sqlite3"), DATABASE_URL=url)

    assert backup.returncode == 0, backup.stderr
    assert restore.returncode == 0, restore.stderr
    with sqlite3.connect(live) as db:
        assert db.execute("select count(*), sum(x) from t").fetchone() == (3, 6)


ON_POSTGRESQL = connection.vendor == "postgresql"


# Skipped only outside CI: CI runs on PostgreSQL, and there a missing PostgreSQL fails.
@pytest.mark.skipif(not ON_POSTGRESQL and not os.environ.get("CI"), reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_postgresql_backup_restores_into_a_fresh_database(tmp_path, world):
    assert ON_POSTGRESQL, "CI runs on PostgreSQL; this test must run there"
    settings_dict = connection.settings_dict
    base = (
        f"postgres://{settings_dict['USER']}@{settings_dict['HOST'] or '127.0.0.1'}:"
        f"{settings_dict['PORT'] or 5432}"
    )
    factories.ClientFactory.create_batch(5)
    from clients.models import Client
    from programme.models import Enrolment

    expected = (Client.objects.count(), Enrolment.objects.count())
    dump = tmp_path / "vipcrm.dump"
    scratch = f"vipcrm_restore_{uuid.uuid4().hex[:8]}"

    backup = run("backup", str(dump), DATABASE_URL=f"{base}/{settings_dict['NAME']}")
    assert backup.returncode == 0, backup.stderr
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{scratch}"')
    try:
        restore = run("restore", str(dump), DATABASE_URL=f"{base}/{scratch}")
        assert restore.returncode == 0, restore.stderr
        counts = subprocess.run(
            [
                "psql",
                f"{base}/{scratch}",
                "-tAc",
                "select (select count(*) from clients_client), "
                "(select count(*) from programme_enrolment)",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert counts == f"{expected[0]}|{expected[1]}"
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
