"""Redis restarted while the app runs: pages keep answering, a reminder scan run meanwhile loses
nothing (its rows are written, the e-mails stay pending), and after the restart a real worker
delivers them (the pending-mail sweep re-enqueues what could not be published).

Runs a private ``redis-server`` on a free port: skipped where there is none, failed under CI.
"""

import datetime as dt
import os
import shutil
import socket
import subprocess
import time

import pytest
from django.core import mail
from django.core.cache import caches
from django.db import connections
from django.urls import reverse

from feedback.models import Notification
from feedback.services import notifications, reminders
from programme.models import ProgrammeJob
from tests import factories
from tests.feedback.test_reminder_guarantees import wait_for
from vipcrm.celery import app as celery_app

TODAY = dt.date(2026, 11, 25)


def _redis_server_or_skip() -> str:
    binary = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if os.path.exists("/usr/bin/redis-server") else None
    )
    if binary is None:
        reason = "no redis-server binary to restart"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run this test: {reason}")
        pytest.skip(reason)
    return binary


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """One redis-server process that the test stops and starts again on the same port."""

    def __init__(self, binary, port, folder):
        self.binary, self.port, self.folder = binary, port, folder
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603 - our own binary and arguments
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


def _reset_publishing(app):
    """Forgets the app's pooled broker connections, so that publishing uses the broker now set.
    (Not closed: kombu keeps the pools in a registry by URL, and the next test reuses them.)"""
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@pytest.fixture
def private_redis(tmp_path, settings):
    binary = _redis_server_or_skip()
    redis = PrivateRedis(binary, _free_port(), tmp_path)
    redis.start()
    saved = {
        name: celery_app.conf[name]
        for name in ("broker_url", "broker_transport", "broker_transport_options")
    }
    celery_app.conf.broker_url = redis.url
    celery_app.conf.broker_transport = None
    celery_app.conf.broker_transport_options = {"visibility_timeout": 3600}
    # Publishing gives up quickly while Redis is away (the default retries for seconds).
    saved_policy = celery_app.conf.task_publish_retry_policy
    celery_app.conf.task_publish_retry_policy = {"max_retries": 1, "interval_start": 0}
    _reset_publishing(celery_app)
    settings.CACHES = {
        "default": {
            "BACKEND": "vipcrm.cache.ResilientRedisCache",
            "LOCATION": redis.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    yield redis
    redis.stop()
    for name, value in saved.items():
        celery_app.conf[name] = value
    celery_app.conf.task_publish_retry_policy = saved_policy
    _reset_publishing(celery_app)


@pytest.fixture
def committed_db(transactional_db):
    from django.contrib.auth.models import Group

    from vipcrm import roles

    for name in roles.ROLE_LABELS:
        Group.objects.get_or_create(name=name)


@pytest.fixture
def worker_on_private_redis(private_redis, committed_db):
    from celery.contrib.testing.worker import start_worker

    celery_app.conf.task_always_eager = False
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        yield private_redis
    connections.close_all()


@pytest.mark.worker
def test_redis_restart_keeps_pages_up_and_delivers_the_reminders_after(
    worker_on_private_redis, world, employee, logged_in
):
    redis = worker_on_private_redis
    http = logged_in(employee)
    caches["default"].set("probe", "up")
    assert caches["default"].get("probe") == "up"  # the cache really is this Redis
    for _ in range(3):
        factories.FollowUpFactory(client=world.client, owner=employee, due_on=TODAY)

    redis.stop()

    page = http.get(reverse("clients:client_list"))
    assert page.status_code == 200 and "Alfa Steel" in page.content.decode()
    assert caches["default"].get("probe", "missed") == "missed"
    reminders.scan_follow_ups(today=TODAY)  # commits; publishing its e-mails fails quietly
    pending = Notification.objects.filter(recipient=employee)
    assert pending.count() == 3
    assert set(pending.values_list("email_status", flat=True)) == {"pending"}
    assert mail.outbox == []

    redis.start()

    # The sweep (beat runs it every few minutes) re-enqueues what could not be published.
    assert notifications.pending_emails_enqueue(older_than_minutes=0) == 3
    assert wait_for(
        lambda: Notification.objects.filter(recipient=employee, email_status="sent").count() == 3
    )
    assert len(mail.outbox) == 3
    assert {message.to[0] for message in mail.outbox} == {employee.email}
    assert http.get(reverse("clients:client_list")).status_code == 200


@pytest.mark.worker
def test_a_request_that_enqueues_a_job_while_redis_is_down_does_not_fail(
    private_redis, committed_db, world, manager, logged_in, monkeypatch
):
    """Publishing in an on_commit hook while the broker is away is logged, never a 500: the job
    is saved, queued, and its page says so."""
    monkeypatch.setattr("programme.services.splitting.LARGE_LIST", -1)
    factories.EnrolmentFactory(programme=world.programme, assignee=None)
    celery_app.conf.task_always_eager = False
    private_redis.stop()

    response = logged_in(manager).post(reverse("programme:split_start", args=[world.programme.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("programme:split_detail", args=[world.programme.pk])
    job = ProgrammeJob.objects.get(programme=world.programme)
    assert job.status == ProgrammeJob.Status.PENDING
