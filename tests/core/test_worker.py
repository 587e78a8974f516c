"""A task runs on a real Celery worker: the filesystem broker by default, Redis when REDIS_URL is
set (CI)."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.cache import cache

from vipcrm.celery import app
from vipcrm.tasks import HEARTBEAT_KEY, heartbeat


@pytest.fixture
def real_worker():
    """An in-process worker on the session's test queue (see tests/conftest.py)."""
    app.conf.task_always_eager = False
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


@pytest.mark.worker
def test_a_task_sent_to_the_broker_is_run_by_a_real_worker(real_worker):
    cache.delete(HEARTBEAT_KEY)

    heartbeat.delay()

    deadline = time.monotonic() + 30
    while cache.get(HEARTBEAT_KEY) is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert cache.get(HEARTBEAT_KEY) is not None


@app.task(name="tests.core.mark")
def mark(key):
    cache.set(key, 1, timeout=300)


@pytest.mark.worker
def test_a_burst_of_tasks_is_run_completely(real_worker):
    """Many messages at once, each consumed whole (the embedded broker writes them atomically)."""
    keys = [f"tests:burst:{n}" for n in range(40)]
    cache.delete_many(keys)

    for key in keys:
        mark.delay(key)

    deadline = time.monotonic() + 60
    while len(cache.get_many(keys)) < len(keys) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(cache.get_many(keys)) == len(keys)


def test_a_worker_started_from_the_command_line_knows_every_scheduled_task():
    import subprocess
    import sys

    code = (
        "from vipcrm.celery import app; app.loader.import_default_modules(); "
        "print(sorted(n for n in app.tasks if not n.startswith('celery.')))"
    )
    known = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert repr(entry["task"]) in known


def test_broker_is_the_one_the_environment_names():
    expected = settings.REDIS_URL or "filesystem://"
    assert app.conf.broker_url == expected
