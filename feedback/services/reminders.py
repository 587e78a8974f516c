"""The reminder scans that Celery beat runs (see ``CELERY_BEAT_SCHEDULE`` in settings).

Each scan reads only the due rows, by an index on the due field, in keyset batches of
``REMINDER_BATCH_SIZE`` ordered by (due field, id): memory and queries are bounded per batch and
the cost grows with the number of due items, not with the size of the table. Each batch becomes
notifications through ``notifications_create``, whose unique (recipient, key) makes every scan safe
to run again, or twice at once: a person is notified once per event. The key of an event carries
what makes it new (the due date, the date of the meeting), so a rescheduled follow-up that falls
due again is reminded again.
"""

import dataclasses
import datetime as dt
from collections import defaultdict

from django.db import models
from django.db.models import Count, F, Func, Q, Value
from django.db.models.lookups import GreaterThan
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.models import KeyContact
from programme.enums import VISITED_STAGES, Stage
from programme.models import Enrolment, Programme

from ..enums import CorrectiveActionStatus, NotificationKind, ReferralStatus, VisitStatus
from ..models import CorrectiveAction, FollowUp, Referral, Visit
from .notifications import NotificationSpec, notifications_create, reminder_setting

OPEN_CA_STATUSES = (CorrectiveActionStatus.OPEN, CorrectiveActionStatus.IN_PROGRESS)

# A pk that no real row has, for reversing a URL once and filling in each row's pk.
_PK_MARK = 918273645


def _home(pk) -> str:
    return "/"


def _link_for(name: str, fallback=_home):
    """pk → the page's path. ``reverse`` runs once, not once per row (on 100,000 due rows it
    cost more than building the notifications); ``fallback`` when the page does not exist."""
    try:
        head, _mark, tail = reverse(name, args=(_PK_MARK,)).rpartition(str(_PK_MARK))
    except NoReverseMatch:  # a page another part of the product has not added yet
        return fallback
    return lambda pk: f"{head}{pk}{tail}"


def _link(name: str, *args, fallback: str = "/") -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # a page another part of the product has not added yet
        return fallback


class _Row(Func):
    """``(a, b)``: a row value, which PostgreSQL compares column by column along an index."""

    function = ""
    template = "(%(expressions)s)"
    output_field = models.Field()


def keyset_batches(queryset, *, order_field: str, batch_size: int | None = None):
    """Yields lists of rows ordered by (order_field, pk), each fetched with one bounded query
    that continues after the last row of the previous batch (no OFFSET, no list of ids).

    The continuation is a row comparison, ``(order_field, id) > (last value, last id)``: with an
    index on (order_field, id) each batch starts at the previous batch's last index entry, even
    when thousands of rows share one value (every meeting at 10:00, every client assigned by one
    split), so the cost of a batch does not depend on how many rows came before it. The
    queryset must exclude the rows whose order_field is NULL (each scan filters on it): a row
    comparison with a NULL is never true."""
    batch_size = batch_size or reminder_setting("BATCH_SIZE")
    field = queryset.model._meta.get_field(order_field)
    pk_field = queryset.model._meta.pk
    last = None
    while True:
        page = queryset
        if last is not None:
            value, pk = last
            page = page.filter(
                GreaterThan(
                    _Row(F(order_field), F("pk")),
                    _Row(Value(value, output_field=field), Value(pk, output_field=pk_field)),
                )
            )
        batch = list(page.order_by(order_field, "pk")[:batch_size])
        if not batch:
            return
        yield batch
        last = (getattr(batch[-1], field.attname), batch[-1].pk)
        if len(batch) < batch_size:
            return


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


# --- Meetings today and tomorrow ------------------------------------------------------------------


def scan_meetings(*, today: dt.date | None = None) -> int:
    """Meetings (planned VIP visits) today and tomorrow, to the employee who holds them."""
    today = _today(today)
    visit_link = _link_for("feedback:visit_detail", fallback=None)
    client_link = _link_for("clients:client_detail")
    count = 0
    for day, kind, text in (
        (
            today,
            NotificationKind.MEETING_TODAY,
            _("Meeting with %(client)s today at %(time)s."),
        ),
        (
            today + dt.timedelta(days=1),
            NotificationKind.MEETING_TOMORROW,
            _("Meeting with %(client)s tomorrow at %(time)s."),
        ),
    ):
        start, end = _day_bounds(day)
        # The (scheduled_at, id) index of planned visits (visit_planned_when_idx).
        due = (
            Visit.objects.filter(
                status=VisitStatus.PLANNED, scheduled_at__gte=start, scheduled_at__lt=end
            )
            .select_related("client")
            .only("id", "employee_id", "client_id", "scheduled_at", "client__name")
        )
        for batch in keyset_batches(due, order_field="scheduled_at"):
            specs = [
                NotificationSpec(
                    recipient_id=visit.employee_id,
                    kind=kind,
                    key=f"{kind}:visit:{visit.pk}:{day.isoformat()}",
                    text=text,
                    params={
                        "client": visit.client.name,
                        "time": timezone.localtime(visit.scheduled_at).strftime("%H:%M"),
                    },
                    link=visit_link(visit.pk) if visit_link else client_link(visit.client_id),
                    subject=visit,
                )
                for visit in batch
            ]
            notifications_create(specs=specs)
            count += len(batch)
    return count


# --- Follow-ups due today and overdue -------------------------------------------------------------


def scan_follow_ups(*, today: dt.date | None = None) -> int:
    """Pending follow-ups due today or overdue, to their owner (once per due date)."""
    today = _today(today)
    link = _link_for("feedback:follow_up_detail")
    # The (due_on, id) index of pending follow-ups (followup_pending_due_idx).
    due = (
        FollowUp.objects.filter(done_at__isnull=True, due_on__lte=today)
        .select_related("client")
        .only("id", "owner_id", "client_id", "title", "due_on", "client__name")
    )
    # Each text made once per scan (and translated once per batch), not once per row.
    due_today = (
        NotificationKind.FOLLOW_UP_DUE,
        _("Follow-up due today for %(client)s: %(title)s"),
    )
    overdue = (
        NotificationKind.FOLLOW_UP_OVERDUE,
        _("Follow-up overdue since %(due)s for %(client)s: %(title)s"),
    )
    count = 0
    for batch in keyset_batches(due, order_field="due_on"):
        specs = []
        for follow_up in batch:
            kind, text = due_today if follow_up.due_on == today else overdue
            specs.append(
                NotificationSpec(
                    recipient_id=follow_up.owner_id,
                    kind=kind,
                    key=f"{kind}:follow_up:{follow_up.pk}:{follow_up.due_on.isoformat()}",
                    text=text,
                    params={
                        "client": follow_up.client.name,
                        "title": follow_up.title,
                        "due": follow_up.due_on.isoformat(),
                    },
                    link=link(follow_up.pk),
                    subject=follow_up,
                )
            )
        notifications_create(specs=specs)
        count += len(batch)
    return count


# --- Enrolments with no meeting booked N days after assignment ---------------------------------


def scan_no_meeting_booked(*, today: dt.date | None = None) -> int:
    """Clients still not contacted N days after they were assigned, to the assignee."""
    days = reminder_setting("NO_MEETING_AFTER_DAYS")
    # Assigned on or before the day N days ago.
    cutoff = _day_bounds(_today(today) - dt.timedelta(days=days - 1))[0]
    client_link = _link_for("clients:client_detail")
    # The (assigned_at, id) index of assigned enrolments not contacted
    # (feedback_enrolment_waiting_idx): one split assigns thousands at the same instant.
    due = (
        Enrolment.objects.filter(
            stage=Stage.NOT_CONTACTED,
            assignee__isnull=False,
            assigned_at__lt=cutoff,
            programme__status="active",
        )
        .select_related("client", "programme")
        .only(
            "id",
            "assignee_id",
            "assigned_at",
            "client_id",
            "programme_id",
            "client__name",
            "programme__name",
        )
    )
    text = _(
        "No meeting booked yet with %(client)s (%(programme)s), "
        "assigned to you %(days)s days ago or more."
    )
    count = 0
    for batch in keyset_batches(due, order_field="assigned_at"):
        specs = [
            NotificationSpec(
                recipient_id=enrolment.assignee_id,
                kind=NotificationKind.NO_MEETING_BOOKED,
                key=(
                    f"no_meeting_booked:enrolment:{enrolment.pk}:{enrolment.assignee_id}:"
                    f"{enrolment.assigned_at:%Y%m%d%H%M%S}"
                ),
                text=text,
                params={
                    "client": enrolment.client.name,
                    "programme": enrolment.programme.name,
                    "days": days,
                },
                link=client_link(enrolment.client_id),
                subject=enrolment,
            )
            for enrolment in batch
        ]
        notifications_create(specs=specs)
        count += len(batch)
    return count


# --- Corrective actions past due, escalated -------------------------------------------------------


def _managers_of_clients(client_ids) -> dict[int, set[int]]:
    """For actions outside a programme: the managers of active programmes listing the client."""
    managers = defaultdict(set)
    rows = (
        Enrolment.objects.filter(client_id__in=client_ids, programme__status="active")
        .order_by()
        .values_list("client_id", "programme__manager_id")
    )
    for client_id, manager_id in rows:
        managers[client_id].add(manager_id)
    return managers


def scan_corrective_actions(*, today: dt.date | None = None) -> int:
    """Open corrective actions past their due date: to the owner, and escalated to the
    programme manager once ``REMINDER_ESCALATE_AFTER_DAYS`` have passed."""
    today = _today(today)
    escalate_on_or_before = today - dt.timedelta(days=reminder_setting("ESCALATE_AFTER_DAYS"))
    link_of = _link_for("feedback:corrective_action_detail")
    # The (due_on, id) index of open actions (ca_open_due_idx).
    due = (
        CorrectiveAction.objects.filter(status__in=OPEN_CA_STATUSES, due_on__lt=today)
        .select_related("client", "programme", "owner")
        .only(
            "id",
            "client_id",
            "programme_id",
            "owner_id",
            "complaint",
            "due_on",
            "client__name",
            "programme__manager_id",
            "owner__username",
            "owner__first_name",
            "owner__last_name",
        )
    )
    overdue_text = _("Corrective action for %(client)s is past due (%(due)s): %(complaint)s")
    escalated_text = _(
        "Escalated: the corrective action for %(client)s owned by %(owner)s "
        "is past due since %(due)s: %(complaint)s"
    )
    count = 0
    for batch in keyset_batches(due, order_field="due_on"):
        orphans = [ca.client_id for ca in batch if ca.programme_id is None]
        client_managers = _managers_of_clients(orphans) if orphans else {}
        specs = []
        for ca in batch:
            link = link_of(ca.pk)
            params = {
                "client": ca.client.name,
                "due": ca.due_on.isoformat(),
                "complaint": ca.complaint[:120],
                "owner": ca.owner.get_full_name() or ca.owner.get_username(),
            }
            specs.append(
                NotificationSpec(
                    recipient_id=ca.owner_id,
                    kind=NotificationKind.CORRECTIVE_ACTION_OVERDUE,
                    key=f"corrective_action_overdue:ca:{ca.pk}:{ca.due_on.isoformat()}",
                    text=overdue_text,
                    params=params,
                    link=link,
                    subject=ca,
                )
            )
            if ca.due_on > escalate_on_or_before:
                continue
            if ca.programme_id:
                managers = {ca.programme.manager_id}
            else:
                managers = client_managers.get(ca.client_id, set())
            for manager_id in managers - {ca.owner_id}:
                specs.append(
                    NotificationSpec(
                        recipient_id=manager_id,
                        kind=NotificationKind.CORRECTIVE_ACTION_ESCALATED,
                        key=f"corrective_action_escalated:ca:{ca.pk}:{ca.due_on.isoformat()}",
                        text=escalated_text,
                        params=params,
                        link=link,
                        subject=ca,
                    )
                )
        notifications_create(specs=specs)
        count += len(batch)
    return count


# --- Referrals not contacted ----------------------------------------------------------------------


def scan_referrals(*, today: dt.date | None = None) -> int:
    """Referrals still new N days after they were given, to their owner."""
    days = reminder_setting("REFERRAL_NOT_CONTACTED_DAYS")
    # Given on or before the day N days ago.
    cutoff = _day_bounds(_today(today) - dt.timedelta(days=days - 1))[0]
    link = _link_for("feedback:referral_detail")
    # The (created_at, id) index of new referrals (referral_new_created_idx).
    due = (
        Referral.objects.filter(status=ReferralStatus.NEW, created_at__lt=cutoff)
        .select_related("referring_client")
        .only(
            "id",
            "owner_id",
            "created_at",
            "person_name",
            "company_name",
            "referring_client_id",
            "referring_client__name",
        )
    )
    text = _("Referral %(person)s (from %(client)s) not contacted for %(days)s days or more.")
    count = 0
    for batch in keyset_batches(due, order_field="created_at"):
        specs = [
            NotificationSpec(
                recipient_id=referral.owner_id,
                kind=NotificationKind.REFERRAL_NOT_CONTACTED,
                key=f"referral_not_contacted:referral:{referral.pk}",
                text=text,
                params={
                    "person": str(referral),
                    "client": referral.referring_client.name,
                    "days": days,
                },
                link=link(referral.pk),
                subject=referral,
            )
            for referral in batch
        ]
        notifications_create(specs=specs)
        count += len(batch)
    return count


# --- Key contacts not verified for a year ---------------------------------------------------------


def _contact_specs(batch, client_link) -> list[NotificationSpec]:
    assignees = defaultdict(set)
    rows = (
        Enrolment.objects.filter(
            client_id__in={contact.client_id for contact in batch},
            programme__status="active",
            assignee__isnull=False,
        )
        .order_by()  # not the default order, which joins the clients only to sort by name
        .values_list("client_id", "assignee_id")
    )
    for client_id, assignee_id in rows:
        assignees[client_id].add(assignee_id)
    text = _("Key contact %(contact)s at %(client)s has not been verified for a year.")
    specs = []
    for contact in batch:
        verified = contact.verified_on.isoformat() if contact.verified_on else "never"
        for assignee_id in sorted(assignees.get(contact.client_id, ())):
            specs.append(
                NotificationSpec(
                    recipient_id=assignee_id,
                    kind=NotificationKind.CONTACT_NOT_VERIFIED,
                    key=f"contact_not_verified:contact:{contact.pk}:{verified}",
                    text=text,
                    params={"contact": contact.full_name, "client": contact.client.name},
                    link=client_link(contact.client_id),
                    subject=contact,
                )
            )
    return specs


def scan_contacts(*, today: dt.date | None = None) -> int:
    """Current key contacts verified more than a year ago (or never, and added more than a year
    ago), to the assignees of the client in active programmes."""
    today = _today(today)
    cutoff = today - dt.timedelta(days=reminder_setting("CONTACT_VERIFY_DAYS"))
    client_link = _link_for("clients:client_detail")
    current = (
        KeyContact.objects.filter(left_company=False)
        .select_related("client")
        .only("id", "client_id", "full_name", "verified_on", "created_at", "client__name")
    )
    count = 0
    # The indexes (verified_on, id) and (created_at, id) of current contacts
    # (feedback_contact_verified_idx, feedback_contact_never_verified_idx).
    for queryset, order_field in (
        (current.filter(verified_on__lt=cutoff), "verified_on"),
        (
            current.filter(verified_on__isnull=True, created_at__lt=_day_bounds(cutoff)[0]),
            "created_at",
        ),
    ):
        for batch in keyset_batches(queryset, order_field=order_field):
            notifications_create(specs=_contact_specs(batch, client_link))
            count += len(batch)
    return count


# --- The weekly digest for each programme manager -------------------------------------------------


@dataclasses.dataclass
class ProgrammeDigest:
    programme: Programme
    clients: int = 0
    visited: int = 0
    visits_last_week: int = 0
    overdue_follow_ups: int = 0
    overdue_corrective_actions: int = 0
    open_complaints: int = 0
    today: dt.date | None = None

    @property
    def coverage(self) -> int:
        """The share of the list visited, in whole percent."""
        return round(100 * self.visited / self.clients) if self.clients else 0

    @property
    def needed_per_week(self) -> float:
        """Visits a week still needed to work the list through by the deadline."""
        remaining = self.clients - self.visited
        days_left = (self.programme.deadline - self.today).days
        if remaining <= 0:
            return 0.0
        if days_left <= 0:
            return float(remaining)
        return round(remaining / max(days_left / 7, 1), 1)

    @property
    def overdue_items(self) -> int:
        return self.overdue_follow_ups + self.overdue_corrective_actions


def weekly_digest_figures(*, programmes, today: dt.date | None = None) -> list[ProgrammeDigest]:
    """The digest's figures for these programmes, aggregated in the database: four grouped
    queries, whatever the number of programmes or rows (each without the models' default
    order, which would join the clients to every enrolment only to sort them)."""
    today = _today(today)
    digests = {p.pk: ProgrammeDigest(programme=p, today=today) for p in programmes}
    ids = list(digests)
    for row in (
        Enrolment.objects.filter(programme_id__in=ids)
        .order_by()
        .values("programme_id")
        .annotate(clients=Count("pk"), visited=Count("pk", filter=Q(stage__in=VISITED_STAGES)))
    ):
        digests[row["programme_id"]].clients = row["clients"]
        digests[row["programme_id"]].visited = row["visited"]
    week_ago = _day_bounds(today - dt.timedelta(days=7))[0]
    for row in (
        Visit.objects.filter(
            enrolment__programme_id__in=ids,
            status=VisitStatus.HELD,
            scheduled_at__gte=week_ago,
            scheduled_at__lt=_day_bounds(today)[1],
        )
        .order_by()
        .values("enrolment__programme_id")
        .annotate(n=Count("pk"))
    ):
        digests[row["enrolment__programme_id"]].visits_last_week = row["n"]
    for row in (
        FollowUp.objects.filter(programme_id__in=ids, done_at__isnull=True, due_on__lt=today)
        .order_by()
        .values("programme_id")
        .annotate(n=Count("pk"))
    ):
        digests[row["programme_id"]].overdue_follow_ups = row["n"]
    for row in (
        CorrectiveAction.objects.filter(programme_id__in=ids, status__in=OPEN_CA_STATUSES)
        .order_by()
        .values("programme_id")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
    ):
        digests[row["programme_id"]].open_complaints = row["open"]
        digests[row["programme_id"]].overdue_corrective_actions = row["overdue"]
    return list(digests.values())


DIGEST_LINE = _(
    "%(programme)s: coverage %(coverage)s%% (%(visited)s of %(clients)s clients visited); "
    "%(visits)s visits in the last 7 days, %(needed)s a week needed to meet the deadline "
    "%(deadline)s; %(overdue)s overdue items (%(overdue_follow_ups)s follow-ups, "
    "%(overdue_cas)s corrective actions); %(complaints)s open complaints."
)


class _DigestText:
    """The digest's message, rendered when ``notifications_create`` switches to the recipient's
    language (a lazy string per programme, joined by lines)."""

    def __init__(self, digests):
        self.digests = digests

    def __str__(self):
        lines = [str(_("Your weekly digest of the VIP programme:"))]
        for digest in self.digests:
            lines.append(
                "• "
                + str(DIGEST_LINE)
                % {
                    "programme": digest.programme.name,
                    "coverage": digest.coverage,
                    "visited": digest.visited,
                    "clients": digest.clients,
                    "visits": digest.visits_last_week,
                    "needed": digest.needed_per_week,
                    "deadline": digest.programme.deadline.isoformat(),
                    "overdue": digest.overdue_items,
                    "overdue_follow_ups": digest.overdue_follow_ups,
                    "overdue_cas": digest.overdue_corrective_actions,
                    "complaints": digest.open_complaints,
                }
            )
        return "\n".join(lines)


def scan_weekly_digest(*, today: dt.date | None = None) -> int:
    """One digest per programme manager per ISO week, over the active programmes they run."""
    today = _today(today)
    year, week, _weekday = today.isocalendar()
    programmes = list(Programme.objects.active().order_by("manager_id", "name", "pk"))
    by_manager = defaultdict(list)
    for digest in weekly_digest_figures(programmes=programmes, today=today):
        by_manager[digest.programme.manager_id].append(digest)
    specs = [
        NotificationSpec(
            recipient_id=manager_id,
            kind=NotificationKind.WEEKLY_DIGEST,
            key=f"weekly_digest:{manager_id}:{year}-W{week:02d}",
            text=_DigestText(digests),
            link=_link("feedback:corrective_action_list"),
        )
        for manager_id, digests in by_manager.items()
    ]
    notifications_create(specs=specs)
    return len(specs)


SCANS = {
    "meetings": scan_meetings,
    "follow_ups": scan_follow_ups,
    "no_meeting_booked": scan_no_meeting_booked,
    "corrective_actions": scan_corrective_actions,
    "referrals": scan_referrals,
    "contacts": scan_contacts,
    "weekly_digest": scan_weekly_digest,
}


def run_scan(*, scan: str, today: dt.date | None = None) -> int:
    return SCANS[scan](today=today)
