"""The reminders' guarantees: once per event, never lost, bounded batches, safe countdowns.

The worker tests run a real Celery worker: in-process (``start_worker``) on the broker of the
settings — the filesystem broker by default, Redis when REDIS_URL is set (CI) — and, for the
SIGKILL test, a worker subprocess, which needs a database it can reach (PostgreSQL: CI sets
DATABASE_URL). Locally without PostgreSQL that one test is skipped; under CI it fails instead.
"""

import datetime as dt
import json
import os
import pathlib
import signal
import subprocess
import sys
import threading
import time
import uuid

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.db import OperationalError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from feedback import tasks
from feedback.enums import NotificationKind
from feedback.models import Notification
from feedback.services import notifications, reminders
from tests import factories
from tests.feedback.mail_backends import FlakyBackend
from vipcrm.celery import app as celery_app

TODAY = dt.date(2026, 11, 25)
ROOT = pathlib.Path(__file__).resolve().parents[2]


def due_follow_ups(owner, count, client=None):
    client = client or factories.ClientFactory()
    return [
        factories.FollowUpFactory(client=client, owner=owner, due_on=TODAY) for _ in range(count)
    ]


@pytest.fixture
def committed_db(transactional_db):
    """A database whose writes are committed (other threads and processes see them). Flushing
    after a transactional test also drops the role groups that a migration created: put them
    back."""
    from django.contrib.auth.models import Group

    from vipcrm import roles

    for name in roles.ROLE_LABELS:
        Group.objects.get_or_create(name=name)


# --- Once per event -------------------------------------------------------------------------------


def test_two_scans_at_once_notify_each_person_once(committed_db, employee):
    due_follow_ups(employee, 20)
    barrier = threading.Barrier(2)
    errors = []

    def scan():
        try:
            barrier.wait(timeout=10)
            for _attempt in range(20):
                try:
                    reminders.scan_follow_ups(today=TODAY)
                    break
                except OperationalError:  # SQLite's shared in-memory test database is locked
                    time.sleep(0.05)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert Notification.objects.filter(recipient=employee).count() == 20
    assert Notification.objects.values("key").distinct().count() == 20


def test_a_batch_writes_every_column_and_skips_the_events_already_there(db, employee, colleague):
    from django.contrib.contenttypes.models import ContentType

    colleague.email = ""
    colleague.save()
    follow_up = due_follow_ups(employee, 1)[0]
    old = factories.NotificationFactory(recipient=employee, key="old", message="Sent before")
    text = "Follow-up %(title)s"
    specs = [
        notifications.NotificationSpec(
            recipient_id=person.pk,
            kind=NotificationKind.FOLLOW_UP_DUE,
            key=key,
            text=text,
            params={"title": "Call"},
            link="/work/" + "x" * 400,
            subject=follow_up,
        )
        for person, key in ((employee, "old"), (employee, "new"), (colleague, "new"))
    ]
    before = timezone.now()
    with transaction.atomic():
        pending = notifications.notifications_create(specs=specs + specs[1:2])  # new twice
    new = Notification.objects.get(recipient=employee, key="new")
    assert pending == [new.pk]  # the colleague has no e-mail address; "old" was there
    assert Notification.objects.get(pk=old.pk).message == "Sent before"
    rows = Notification.objects.filter(key="new").order_by("recipient_id")
    assert [
        (n.recipient_id, n.kind, n.message, n.link, n.email_status, n.email_attempts) for n in rows
    ] == [
        (person.pk, "follow_up_due", "Follow-up Call", "/work/" + "x" * 294, status, 0)
        for person, status in sorted(
            [(employee, "pending"), (colleague, "not_needed")], key=lambda row: row[0].pk
        )
    ]
    for note in rows:
        assert note.content_type == ContentType.objects.get_for_model(follow_up)
        assert note.object_id == follow_up.pk and note.subject == follow_up
        assert (note.read_at, note.emailed_at) == (None, None)
        assert before <= note.created_at <= timezone.now()


# --- Never lost -----------------------------------------------------------------------------------


def test_a_rolled_back_transaction_sends_nothing(db, employee, django_capture_on_commit_callbacks):
    due_follow_ups(employee, 1)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        reminders.scan_follow_ups(today=TODAY)
        raise RuntimeError("the scan's transaction fails")
    assert callbacks == []
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_the_e_mail_task_is_enqueued_only_on_commit(
    db, employee, django_capture_on_commit_callbacks
):
    due_follow_ups(employee, 1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reminders.scan_follow_ups(today=TODAY)
        assert mail.outbox == []
    assert len(callbacks) == 1
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1


def test_a_failing_mail_server_keeps_the_notification_and_records_attempts(db, employee, settings):
    settings.EMAIL_BACKEND = "tests.feedback.mail_backends.FlakyBackend"
    settings.REMINDER_EMAIL_MAX_ATTEMPTS = 3
    FlakyBackend.failures_left = 10
    note = factories.NotificationFactory(recipient=employee, email_status="pending")
    for attempt in (1, 2):
        with pytest.raises(notifications.EmailNotSent) as error:
            notifications.notification_send_email(notification_id=note.pk)
        assert error.value.attempts == attempt
    assert notifications.notification_send_email(notification_id=note.pk) == "failed"
    note.refresh_from_db()
    assert (note.email_status, note.email_attempts) == ("failed", 3)
    assert notifications.notification_send_email(notification_id=note.pk) == "skipped"
    assert mail.outbox == []


def test_retry_countdown_backs_off_and_never_exceeds_the_visibility_timeout(settings):
    settings.REMINDER_EMAIL_RETRY_SECONDS = 60
    countdowns = [tasks.retry_countdown(attempt) for attempt in range(1, 30)]
    assert countdowns[:4] == [60, 120, 240, 480]
    assert countdowns == sorted(countdowns)
    assert max(countdowns) <= tasks.visibility_timeout() - tasks.VISIBILITY_MARGIN_SECONDS
    assert tasks.visibility_timeout() == 3600
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 600}
    assert max(tasks.retry_countdown(a) for a in range(1, 30)) <= 300


def test_no_beat_entry_schedules_past_the_visibility_timeout():
    for name, entry in django_settings.CELERY_BEAT_SCHEDULE.items():
        options = entry.get("options", {})
        assert "eta" not in options, name
        assert options.get("countdown", 0) < tasks.visibility_timeout(), name
        assert options.get("expires", 0) <= tasks.visibility_timeout(), name


def test_the_sweep_re_enqueues_pending_e_mails_whose_task_was_lost(
    db, employee, django_capture_on_commit_callbacks
):
    note = factories.NotificationFactory(recipient=employee, email_status="pending")
    Notification.objects.filter(pk=note.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=1)
    )
    fresh = factories.NotificationFactory(recipient=employee, email_status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_pending_emails.delay().get() == 1
    note.refresh_from_db()
    fresh.refresh_from_db()
    assert (note.email_status, fresh.email_status) == ("sent", "pending")
    assert len(mail.outbox) == 1


@pytest.fixture
def real_worker(committed_db):
    """An in-process Celery worker on the configured broker (tasks are not eager here)."""
    from celery.contrib.testing.worker import start_worker

    celery_app.conf.task_always_eager = False
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        yield
    connections.close_all()


def wait_for(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OperationalError:  # SQLite's shared in-memory database, busy for a moment
            pass
        time.sleep(0.2)
    return False


@pytest.mark.worker
def test_real_worker_retries_a_failing_mail_server_until_it_recovers(
    real_worker, employee, settings
):
    settings.EMAIL_BACKEND = "tests.feedback.mail_backends.FlakyBackend"
    settings.REMINDER_EMAIL_RETRY_SECONDS = 0.2
    FlakyBackend.failures_left = 2
    FlakyBackend.calls = 0
    due_follow_ups(employee, 1)
    reminders.scan_follow_ups(today=TODAY)  # commits: the e-mail task goes to the broker
    note = Notification.objects.get(recipient=employee)
    assert wait_for(lambda: Notification.objects.get(pk=note.pk).email_status == "sent")
    note.refresh_from_db()
    assert note.email_attempts == 3
    assert FlakyBackend.calls == 3
    assert len(mail.outbox) == 1


@pytest.mark.worker
def test_real_worker_runs_a_scan_twice_and_notifies_once(real_worker, employee):
    client = factories.ClientFactory()
    for _ in range(3):
        factories.FollowUpFactory(client=client, owner=employee, due_on=timezone.localdate())
    tasks.run_reminder_scan.delay(scan="follow_ups")
    tasks.run_reminder_scan.delay(scan="follow_ups")
    assert wait_for(
        lambda: (
            Notification.objects.filter(email_status="sent").count() == 3 and len(mail.outbox) == 3
        )
    )
    time.sleep(1)  # the second scan, had it notified again, would show by now
    assert Notification.objects.filter(recipient=employee).count() == 3
    assert len(mail.outbox) == 3


# --- A worker killed mid-task ---------------------------------------------------------------------


def _subprocess_database_or_skip():
    if connection.vendor == "postgresql":
        return connection.settings_dict["NAME"]
    reason = "a worker subprocess needs PostgreSQL (DATABASE_URL); the test database is SQLite"
    if os.environ.get("CI"):
        pytest.fail(f"CI must run this test: {reason}")
    pytest.skip(reason)


@pytest.mark.worker
def test_a_worker_killed_mid_task_does_not_lose_the_reminder(committed_db, employee, tmp_path):
    database_name = _subprocess_database_or_skip()
    celery_app.conf.task_always_eager = False
    queue = f"vipcrm-test-{uuid.uuid4().hex[:8]}"
    marker = tmp_path / "hang-marker"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    note = factories.NotificationFactory(recipient=employee, email_status="pending")
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="tests.feedback.worker_settings",
        VIPCRM_TEST_DB_NAME=database_name,
        VIPCRM_TEST_HANG_MARKER=str(marker),
        VIPCRM_TEST_MAIL_DIR=str(mail_dir),
    )
    if not django_settings.REDIS_URL:  # the session's queue folder (tests/conftest.py)
        env["VIPCRM_TEST_BROKER_OPTIONS"] = json.dumps(
            dict(celery_app.conf.broker_transport_options)
        )
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "vipcrm",
            "worker",
            "-Q",
            queue,
            "--pool=prefork",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
            f"--hostname={queue}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        tasks.send_notification_email.apply_async(kwargs={"notification_id": note.pk}, queue=queue)
        assert wait_for(marker.exists, timeout=90), "the worker never started the task"
        time.sleep(0.5)
        child_pid = int(marker.read_text())
        assert child_pid != worker.pid
        os.kill(child_pid, signal.SIGKILL)  # the pool process dies mid-send
        assert wait_for(
            lambda: Notification.objects.get(pk=note.pk).email_status == "sent", timeout=90
        ), "the reminder was lost with the killed worker"
        time.sleep(1)
        note.refresh_from_db()
        assert note.email_attempts == 1  # the killed attempt rolled back with its transaction
        assert len(list(mail_dir.iterdir())) == 1
        assert Notification.objects.filter(recipient=employee).count() == 1
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(10)
        connections.close_all()


# --- Scales ---------------------------------------------------------------------------------------


def count_scan_queries(**kwargs):
    with CaptureQueriesContext(connection) as queries:
        reminders.scan_follow_ups(today=TODAY, **kwargs)
    return len(queries)


def test_a_scan_costs_a_constant_number_of_queries_per_batch(db, employee, settings):
    settings.REMINDER_BATCH_SIZE = 5
    client = factories.ClientFactory()
    due_follow_ups(employee, 5, client=client)
    one_batch = count_scan_queries()
    Notification.objects.all().delete()
    due_follow_ups(employee, 10, client=client)
    three_batches = count_scan_queries()
    # Each batch costs the same; one more query finds that no batch is left.
    per_batch = one_batch - 1
    assert per_batch <= 6
    assert three_batches == 3 * per_batch + 1


def test_a_scan_cost_does_not_grow_with_rows_that_are_not_due(db, employee, settings):
    settings.REMINDER_BATCH_SIZE = 50
    client = factories.ClientFactory()
    due_follow_ups(employee, 3, client=client)
    before = count_scan_queries()
    Notification.objects.all().delete()
    for days in range(1, 200):
        factories.FollowUpFactory(
            client=client, owner=employee, due_on=TODAY + dt.timedelta(days=days)
        )
    factories.FollowUpFactory.create_batch(
        200, client=client, owner=employee, due_on=TODAY, done_at=timezone.now()
    )
    with CaptureQueriesContext(connection) as queries:
        reminders.scan_follow_ups(today=TODAY)
    assert len(queries) == before
    assert Notification.objects.count() == 3
    if connection.vendor == "postgresql":
        sql = queries.captured_queries[0]["sql"]
        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            cursor.execute("SET enable_seqscan = on")
        assert "followup_pending_due_idx" in plan, plan


# --- The schedule ---------------------------------------------------------------------------------


def test_beat_schedules_every_scan_and_the_e_mail_sweep_with_registered_tasks():
    schedule = django_settings.CELERY_BEAT_SCHEDULE
    scheduled = {
        entry["kwargs"]["scan"]
        for entry in schedule.values()
        if entry["task"] == "feedback.run_reminder_scan"
    }
    assert scheduled == set(reminders.SCANS)
    assert any(entry["task"] == "feedback.send_pending_emails" for entry in schedule.values())
    celery_app.loader.import_default_modules()  # what a worker does at start: autodiscovery
    for entry in schedule.values():
        if entry["task"].startswith("feedback."):
            assert entry["task"] in celery_app.tasks, entry["task"]
    # The hours of the settings are the programme's local hours.
    assert celery_app.conf.timezone == django_settings.TIME_ZONE


def test_make_run_starts_exactly_one_beat():
    script = (ROOT / "bin" / "run-all").read_text()
    starts = [
        line
        for line in script.splitlines()
        if "celery" in line and " beat" in line and not line.lstrip().startswith("#")
    ]
    assert len(starts) == 1, starts
    assert "-B" not in script.split()  # no worker with an embedded beat on top
