"""Notifications: created once per event, shown in the app, and e-mailed (at least once, never
lost) in the recipient's language.

Creating goes through ``notifications_create``: one insert per batch that skips the conflicts
with the unique (recipient, key) constraint, so a scan that runs twice, or in two workers at
once, notifies each person once. E-mails are enqueued only when the transaction commits, and the
sending task is idempotent: it sends only while the row says ``pending``, under a row lock.
"""

import dataclasses
import logging
from array import array
from collections import defaultdict
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vipcrm.queue import enqueue

from ..enums import EmailStatus, NotificationKind
from ..models import Notification, NotificationSettings

logger = logging.getLogger(__name__)


def reminder_setting(name: str):
    """A reminder setting (``REMINDER_<NAME>``), with the defaults documented in settings."""
    return getattr(settings, f"REMINDER_{name}", DEFAULTS[name])


DEFAULTS = {
    "BATCH_SIZE": 500,
    "EMAIL_MAX_ATTEMPTS": 6,
    "EMAIL_RETRY_SECONDS": 60,
    "EMAIL_SWEEP_AFTER_MINUTES": 15,
    "SITE_URL": "http://127.0.0.1:8000",
    "EMAIL_TIMEOUT_SECONDS": 30,
    "HOUR": 7,
    "DIGEST_WEEKDAY": 1,
    "DIGEST_HOUR": 8,
    "NO_MEETING_AFTER_DAYS": 14,
    "REFERRAL_NOT_CONTACTED_DAYS": 7,
    "CONTACT_VERIFY_DAYS": 365,
    "ESCALATE_AFTER_DAYS": 3,
}


@dataclasses.dataclass(frozen=True)
class NotificationSpec:
    """One notification to create. ``text`` is a lazy translatable string with %-placeholders,
    rendered with ``params`` in the recipient's language."""

    recipient_id: int
    kind: str
    key: str
    text: object
    params: dict = dataclasses.field(default_factory=dict)
    link: str = ""
    subject: object = None  # the model instance the notification is about


class EmailNotSent(Exception):
    """The mail server refused or failed; the attempt is recorded and the task retries."""

    def __init__(self, *, notification_id: int, attempts: int):
        super().__init__(f"notification {notification_id}: attempt {attempts} failed")
        self.notification_id = notification_id
        self.attempts = attempts


def _recipients(ids):
    """Active recipients with their settings (language, e-mail choices): one query."""
    users = get_user_model().objects.filter(pk__in=ids, is_active=True)
    return {user.pk: user for user in users.select_related("notification_settings")}


def settings_of(user) -> NotificationSettings:
    """The user's choices, or the defaults (site language, every e-mail) if they made none."""
    try:
        return user.notification_settings
    except NotificationSettings.DoesNotExist:
        return NotificationSettings(user=user, language=settings.LANGUAGE_CODE)


def notifications_create(*, specs: list[NotificationSpec]) -> list[int]:
    """Creates the notifications that do not exist yet; returns the ids whose e-mail is pending.

    Side effects: the rows (a conflict on (recipient, key) is skipped, never an error); after
    commit, one ``send_notification_email`` task per pending e-mail. Queries: three per call,
    whatever the number of specs.
    """
    if not specs:
        return []
    recipients = _recipients({spec.recipient_id for spec in specs})
    choices = {pk: settings_of(user) for pk, user in recipients.items()}
    # Each message in its recipient's language: one switch of language per language in the
    # batch, not one per notification.
    by_language = defaultdict(list)
    for index, spec in enumerate(specs):
        if spec.recipient_id in recipients:
            by_language[choices[spec.recipient_id].language].append(index)
    messages = {}
    for language, indexes in by_language.items():
        with translation.override(language):
            texts = {}  # each distinct text translated once
            for index in indexes:
                spec = specs[index]
                text = texts.get(id(spec.text))
                if text is None:
                    text = texts[id(spec.text)] = str(spec.text)
                messages[index] = text % spec.params if spec.params else text
    content_types = {}
    rows = []
    for index, spec in enumerate(specs):
        if index not in messages:  # no such active user
            continue
        user, subject = recipients[spec.recipient_id], spec.subject
        if subject is not None and type(subject) not in content_types:
            content_types[type(subject)] = ContentType.objects.get_for_model(subject).pk
        wants_email = bool(user.email) and choices[user.pk].wants_email(spec.kind)
        rows.append(
            _NewNotification(
                recipient_id=user.pk,
                kind=str(spec.kind),
                key=spec.key[:200],
                message=messages[index],
                link=spec.link[:300],
                content_type_id=content_types[type(subject)] if subject is not None else None,
                object_id=subject.pk if subject is not None else None,
                email_status=(EmailStatus.PENDING if wants_email else EmailStatus.NOT_NEEDED).value,
            )
        )
    if not rows:
        return []
    with transaction.atomic():
        _insert_new(rows)
        # Which rows wait for an e-mail: the new ones, and any older one whose task was lost.
        wanted = {(row.recipient_id, row.key) for row in rows}
        pending = sorted(
            pk
            for pk, recipient_id, key, status, attempts in _notifications_with(wanted)
            if status == EmailStatus.PENDING and attempts == 0 and (recipient_id, key) in wanted
        )
        enqueue_emails(ids=pending)
    return pending


class _NewNotification(NamedTuple):
    recipient_id: int
    kind: str
    key: str
    message: str
    link: str
    content_type_id: int | None
    object_id: int | None
    email_status: str


def _insert_new(rows: list[_NewNotification]) -> None:
    """Inserts the rows whose (recipient, key) is not there yet; the others are skipped.

    On PostgreSQL, one ``INSERT … SELECT FROM UNNEST(…) ON CONFLICT DO NOTHING`` of the
    columns as arrays, the rows' creation time the batch's. ``bulk_create`` made a model
    instance of each row and prepared each of its twelve fields: the contacts' scan at full
    scale spent 12.6 of its 31 s in it, SQL included (22 s in all this way). Elsewhere,
    ``bulk_create(ignore_conflicts=True)``, which writes the same."""
    if connection.vendor != "postgresql":
        Notification.objects.bulk_create(
            [Notification(**row._asdict()) for row in rows], ignore_conflicts=True
        )
        return
    columns = _NewNotification._fields
    types = ("integer", "varchar", "varchar", "text", "varchar", "integer", "bigint", "varchar")
    table = connection.ops.quote_name(Notification._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}, email_attempts, created_at) "
            f"SELECT *, 0, %s FROM UNNEST({', '.join(f'%s::{t}[]' for t in types)}) "
            "ON CONFLICT DO NOTHING",
            [timezone.now(), *(list(column) for column in zip(*rows, strict=True))],
        )


def _notifications_with(pairs: set[tuple[int, str]]):
    """(pk, recipient_id, key, email_status, email_attempts) of the notifications with these
    (recipient, key) pairs (and, elsewhere than on PostgreSQL, a few more to skip).

    On PostgreSQL, a lateral join of the pairs to the unique (recipient, key) index: one probe
    a pair, whatever the recipients' history. Lateral, and limited to the one row the unique
    index can hold, so that it stays a loop of probes: as a plain join of 1,000 pairs (a batch
    of corrective actions and their escalations), PostgreSQL hashed the whole table (55 ms a
    batch at 100,000 notifications, growing with them). ``recipient IN (…) AND key IN (…)``
    read every notification of the batch's recipients (a bitmap of their index), more with each
    batch of a long scan and each year of notifications kept; an OR of one ``key IN (…)`` per
    recipient probes the same index but took 160 ms to plan for the 190 recipients of a batch
    of follow-ups. Not filtered on the status either: that would lead PostgreSQL to the small index
    of pending e-mails, which a long scan fills (its dead entries waiting for VACUUM)."""
    if connection.vendor != "postgresql":
        return (
            Notification.objects.filter(
                recipient_id__in={recipient_id for recipient_id, _key in pairs},
                key__in={key for _recipient_id, key in pairs},
            )
            .order_by()
            .values_list("pk", "recipient_id", "key", "email_status", "email_attempts")
        )
    table = connection.ops.quote_name(Notification._meta.db_table)
    pairs = list(pairs)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.id, n.recipient_id, n.key, n.email_status, n.email_attempts "
            "FROM UNNEST(%s::integer[], %s::text[]) AS wanted (recipient_id, key) "
            "CROSS JOIN LATERAL (SELECT id, recipient_id, key, email_status, email_attempts "
            f"FROM {table} WHERE recipient_id = wanted.recipient_id AND key = wanted.key "
            "LIMIT 1) AS n",
            [[recipient_id for recipient_id, _key in pairs], [key for _id, key in pairs]],
        )
        return cursor.fetchall()


def enqueue_emails(*, ids) -> None:
    """Sends each e-mail from a task once the transaction commits (never on a rollback)."""
    from ..tasks import send_notification_email  # tasks call services; this is the way back

    # One callback per call, not one per e-mail: a long scan inside an outer transaction keeps
    # a list of ids, not a closure per notification, until the commit. A broker outage leaves
    # the rows pending, not a failed request: the sweep sends them later.
    ids = array("q", ids)  # 8 bytes an id until the commit, not a Python int and a pointer
    if not ids:
        return

    def send():
        for notification_id in ids:
            enqueue(send_notification_email, notification_id=notification_id)

    transaction.on_commit(send)


def render_email(notification: Notification) -> EmailMultiAlternatives:
    """The e-mail of a notification, in the recipient's language: a plain-text part and HTML."""
    user = notification.recipient
    choices = settings_of(user)
    site_url = reminder_setting("SITE_URL").rstrip("/")
    with translation.override(choices.language):
        context = {
            "notification": notification,
            "recipient": user,
            "kind": NotificationKind(notification.kind).label,
            "url": f"{site_url}{notification.link}" if notification.link else site_url + "/",
            "settings_url": f"{site_url}/notifications/settings/",
        }
        subject = _("VIP CRM: %(kind)s") % {"kind": context["kind"]}
        text = render_to_string("emails/notification.txt", context)
        html = render_to_string("emails/notification.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={"X-VIPCRM-Notification": f"{notification.pk}:{notification.key}"},
    )
    message.attach_alternative(html, "text/html")
    return message


def notification_send_email(*, notification_id: int) -> str:
    """Sends a notification's e-mail if it is still pending; returns what happened.

    Side effects: ``email_status`` (sent, or failed after the last attempt), ``email_attempts``,
    ``emailed_at``. Raises EmailNotSent after recording a failed attempt that will be retried.
    The row lock makes two deliveries of the same task (a redelivery after a lost worker, the
    sweep) send one e-mail.
    """
    failure = None
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient", "recipient__notification_settings")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.email_status != EmailStatus.PENDING:
            return "skipped"
        notification.email_attempts += 1
        try:
            # A bounded wait: the row stays locked while the mail server answers.
            connection = get_connection(timeout=reminder_setting("EMAIL_TIMEOUT_SECONDS"))
            message = render_email(notification)
            message.connection = connection
            message.send()
        except Exception as exc:  # noqa: BLE001 - any mail failure is retried, never lost
            failure = exc
            if notification.email_attempts >= reminder_setting("EMAIL_MAX_ATTEMPTS"):
                notification.email_status = EmailStatus.FAILED
            notification.save(update_fields=["email_status", "email_attempts"])
        else:
            notification.email_status = EmailStatus.SENT
            notification.emailed_at = timezone.now()
            notification.save(update_fields=["email_status", "email_attempts", "emailed_at"])
            return "sent"
    logger.warning("E-mail of notification %s failed: %s", notification_id, failure)
    if notification.email_status == EmailStatus.FAILED:
        return "failed"
    raise EmailNotSent(notification_id=notification_id, attempts=notification.email_attempts)


def pending_emails_enqueue(*, older_than_minutes: int | None = None) -> int:
    """The sweep: re-enqueues pending e-mails older than a few minutes whose task was lost (a
    broker restart, a worker gone). Sending is idempotent, so an extra delivery does no harm."""
    minutes = older_than_minutes
    if minutes is None:
        minutes = reminder_setting("EMAIL_SWEEP_AFTER_MINUTES")
    cutoff = timezone.now() - timezone.timedelta(minutes=minutes)
    batch_size = reminder_setting("BATCH_SIZE")
    count = 0
    last = 0
    while True:
        ids = list(
            Notification.objects.filter(
                email_status=EmailStatus.PENDING, created_at__lt=cutoff, pk__gt=last
            )
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return count
        with transaction.atomic():
            enqueue_emails(ids=ids)
        count += len(ids)
        last = ids[-1]


# --- Reading and settings -------------------------------------------------------------------------


def notification_mark_read(*, notification: Notification, user) -> Notification:
    """Marks one of the user's notifications read (again: no change)."""
    if notification.recipient_id != user.pk:
        raise PermissionError("Not the recipient")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notifications_mark_all_read(*, user) -> int:
    """Marks every unread notification of the user read; returns how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def notification_settings_update(
    *, user, language: str, email_kinds: list[str]
) -> NotificationSettings:
    """Saves the user's language and the kinds they want by e-mail (the rest are muted)."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the languages offered.")})
    known = set(NotificationKind.values)
    unknown = set(email_kinds) - known
    if unknown:
        raise ValidationError({"email_kinds": _("Unknown kind of notification.")})
    muted = sorted(known - set(email_kinds))
    choices, _created = NotificationSettings.objects.update_or_create(
        user=user, defaults={"language": language, "muted_email_kinds": muted}
    )
    return choices
