"""The feedback app's Celery tasks: thin wrappers that take ids and call one service.

Delivery guarantees come from settings (acks late, reject on worker lost, prefetch 1) and from the
services being idempotent: a redelivered scan creates nothing twice (unique notification keys) and
a redelivered e-mail task sends nothing twice (it sends only a row still ``pending``).
"""

from celery import shared_task
from django.conf import settings

from .services import notifications, reminders

# Margin kept below the broker's visibility timeout: a task scheduled further ahead than the
# timeout would be handed to a second worker by Redis while the first still holds it.
VISIBILITY_MARGIN_SECONDS = 300


def visibility_timeout() -> int:
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}
    return int(
        options.get("visibility_timeout")
        or getattr(settings, "CELERY_BROKER_VISIBILITY_TIMEOUT", 3600)
    )


def max_countdown() -> int:
    return max(visibility_timeout() - VISIBILITY_MARGIN_SECONDS, 1)


def retry_countdown(attempts: int) -> float:
    """Exponential backoff for a failed e-mail (base, 2×, 4×, …), never beyond the broker's
    visibility timeout."""
    base = notifications.reminder_setting("EMAIL_RETRY_SECONDS")
    return min(base * 2 ** max(attempts - 1, 0), max_countdown())


@shared_task(name="feedback.run_reminder_scan")
def run_reminder_scan(*, scan: str) -> int:
    """One reminder scan (``feedback.services.reminders.SCANS``), run by beat."""
    if scan not in reminders.SCANS:
        return 0
    return reminders.run_scan(scan=scan)


@shared_task(bind=True, name="feedback.send_notification_email", max_retries=None)
def send_notification_email(self, *, notification_id: int) -> str:
    """Sends one notification's e-mail; a failure is recorded and retried with backoff until
    ``REMINDER_EMAIL_MAX_ATTEMPTS``, after which the row stays, marked failed."""
    try:
        return notifications.notification_send_email(notification_id=notification_id)
    except notifications.EmailNotSent as exc:
        raise self.retry(exc=exc, countdown=retry_countdown(exc.attempts)) from exc


@shared_task(name="feedback.send_pending_emails")
def send_pending_emails() -> int:
    """The sweep: e-mails still pending after a while (their task was lost) are enqueued again."""
    return notifications.pending_emails_enqueue()
