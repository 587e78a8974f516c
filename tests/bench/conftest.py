import os

import pytest
from django.db import connection


@pytest.fixture
def postgresql(db):
    """Skips on SQLite, except in CI (which runs on PostgreSQL), where it fails."""
    if connection.vendor != "postgresql":
        if os.environ.get("CI"):
            pytest.fail("CI runs on PostgreSQL; this test must run there")
        pytest.skip("needs PostgreSQL (DATABASE_URL); CI runs it")
