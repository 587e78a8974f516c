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
def real_worker(tmp_path):
    app.conf.task_always_eager = False
    saved = app.conf.broker_transport_options
    if not settings.REDIS_URL:
        # A queue folder of the test's own, so a running `make run` worker cannot take the task.
        folder = tmp_path / "queue"
        folder.mkdir()
        app.conf.broker_transport_options = {
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
            "store_processed": False,
        }
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker
    app.conf.broker_transport_options = saved


@pytest.mark.worker
def test_a_task_sent_to_the_broker_is_run_by_a_real_worker(real_worker):
    cache.delete(HEARTBEAT_KEY)

    heartbeat.delay()

    deadline = time.monotonic() + 30
    while cache.get(HEARTBEAT_KEY) is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert cache.get(HEARTBEAT_KEY) is not None


def test_broker_is_the_one_the_environment_names():
    expected = settings.REDIS_URL or "filesystem://"
    assert app.conf.broker_url == expected
