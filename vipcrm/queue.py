"""Enqueueing Celery tasks without making the user pay for a broker outage.

Every task the services send is backed by a row in the database (a pending e-mail, a queued
programme job), so a message that cannot be published is not lost work: the pending-mail sweep
(feedback.tasks.send_pending_emails) or the job's page picks it up again. While Redis restarts,
publishing fails; here that failure is logged instead of turning a committed request into a 500.
"""

import logging

from django.db import transaction
from kombu.exceptions import KombuError

logger = logging.getLogger(__name__)

# What a broker outage raises when publishing: kombu's errors (celery wraps connection failures
# in kombu.exceptions.OperationalError) and the socket errors underneath. A task run eagerly
# (tests) raises its own errors through apply_async; those are not caught, see ``enqueue``.
BROKER_DOWN = (KombuError, ConnectionError, TimeoutError)


def enqueue(task, **kwargs) -> bool:
    """Publishes ``task`` with keyword arguments; returns False (and logs) when the broker is
    unreachable."""
    if task.app.conf.task_always_eager:
        task.apply_async(kwargs=kwargs)  # runs here and now: its errors are the caller's
        return True
    try:
        task.apply_async(kwargs=kwargs)
    except BROKER_DOWN as error:
        logger.warning(
            "broker unavailable, %s%r not enqueued (the sweep retries it): %s",
            task.name,
            kwargs,
            error,
        )
        return False
    return True


def enqueue_on_commit(task, **kwargs) -> None:
    """``enqueue`` once the current transaction commits (never on a rollback)."""
    transaction.on_commit(lambda: enqueue(task, **kwargs))


def enqueue_now_if_eager(task, **kwargs) -> bool:
    """``enqueue_on_commit``, except that an eager queue (the tests') runs the task here and now,
    inside the transaction, for a page that shows the task's result as soon as there is one (a
    dashboard snapshot, an export). True when the task has run."""
    if task.app.conf.task_always_eager:
        enqueue(task, **kwargs)
        return True
    enqueue_on_commit(task, **kwargs)
    return False
