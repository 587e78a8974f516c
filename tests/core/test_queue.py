"""vipcrm.queue: a task sent after commit, or at once by the tests' eager queue."""

from unittest import mock

from celery import shared_task
from django.db import transaction

from vipcrm import queue

RAN = []


@shared_task(name="tests.core.record")
def record(*, value):
    RAN.append(value)


def test_an_eager_queue_runs_the_task_now_inside_the_transaction(db):
    RAN.clear()
    with transaction.atomic():
        assert queue.enqueue_now_if_eager(record, value=1) is True
        assert RAN == [1]


def test_a_real_queue_sends_the_task_once_the_transaction_commits(
    db, django_capture_on_commit_callbacks
):
    record.app.conf.task_always_eager = False
    with (
        mock.patch.object(record, "apply_async") as send,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        assert queue.enqueue_now_if_eager(record, value=2) is False
        send.assert_not_called()
    assert len(callbacks) == 1
    send.assert_called_once_with(kwargs={"value": 2})
