"""The reminder scans at scale: bounded batches that read the due rows only, through an index.

The benchmark (``make bench``, bench/README.md) times each scan and records its peak memory at
the small and the full data set; these tests pin the shapes that make the time follow the due
rows and the memory stay flat: the same queries for one due row as for many in a batch, the same
queries for every further batch, and on PostgreSQL, plans whose batches walk an index from the
previous batch's last row, with no sequential scan of the big tables.

The due rows of each scan share one due value (every meeting at 10:00, every follow-up due the
same day): the case where a batch that continued by the value alone re-read every row before it.
"""

import datetime as dt
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from feedback.models import Notification
from feedback.services import reminders
from tests import factories
from tests.explain import plan

TODAY = dt.date(2026, 11, 25)


def at(day, hour=10):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


# --- Due rows for each scan: ``count`` more, each notifying the world's employee once ------------


def due_meetings(world, count):
    factories.VisitFactory.create_batch(count, enrolment=world.enrolment, scheduled_at=at(TODAY))


def due_follow_ups(world, count):
    factories.FollowUpFactory.create_batch(
        count, client=world.client, owner=world.enrolment.assignee, due_on=TODAY
    )


def due_enrolments(world, count):
    factories.EnrolmentFactory.create_batch(
        count,
        programme=world.programme,
        assignee=world.enrolment.assignee,
        assigned_at=at(TODAY - dt.timedelta(days=30)),
    )


def due_corrective_actions(world, count):
    # Late by one day: the owner is reminded, nobody is escalated to yet.
    factories.CorrectiveActionFactory.create_batch(
        count,
        client=world.client,
        owner=world.enrolment.assignee,
        programme=world.programme,
        due_on=TODAY - dt.timedelta(days=1),
    )


def due_referrals(world, count):
    factories.ReferralFactory.create_batch(
        count,
        referring_client=world.client,
        owner=world.enrolment.assignee,
        created_at=at(TODAY - dt.timedelta(days=10)),
    )


def due_contacts(world, count):
    factories.KeyContactFactory.create_batch(
        count, client=world.client, verified_on=TODAY - dt.timedelta(days=400)
    )


# scan → (due rows, the model of a batch, its index, the extra queries a batch costs)
SCANS = {
    "meetings": (due_meetings, "feedback_visit", "visit_planned_when_idx", 0),
    "follow_ups": (due_follow_ups, "feedback_followup", "followup_pending_due_idx", 0),
    "no_meeting_booked": (
        due_enrolments,
        "programme_enrolment",
        "feedback_enrolment_waiting_idx",
        0,
    ),
    "corrective_actions": (
        due_corrective_actions,
        "feedback_correctiveaction",
        "ca_open_due_idx",
        0,
    ),
    "referrals": (due_referrals, "feedback_referral", "referral_new_created_idx", 0),
    # The assignees of the batch's clients: one query more.
    "contacts": (due_contacts, "clients_keycontact", "feedback_contact_verified_idx", 1),
}
# A batch: its rows, the recipients, a savepoint, the insert, the pending e-mails, the release.
QUERIES_PER_BATCH = 6
BIG_TABLES = (
    "clients_client",
    "clients_keycontact",
    "programme_enrolment",
    "feedback_visit",
    "feedback_followup",
    "feedback_correctiveaction",
    "feedback_referral",
    "feedback_notification",
)


def run_scan(name):
    """The scan's queries, from a cold content-type cache so every run counts the same."""
    ContentType.objects.clear_cache()
    with CaptureQueriesContext(connection) as captured:
        reminders.run_scan(scan=name, today=TODAY)
    return [query["sql"] for query in captured.captured_queries]


@pytest.mark.parametrize("name", SCANS)
def test_a_batch_of_one_due_row_costs_the_queries_of_a_batch_of_many(world, settings, name):
    settings.REMINDER_BATCH_SIZE = 50
    make_due = SCANS[name][0]
    make_due(world, 1)
    with_one = run_scan(name)
    assert Notification.objects.filter(recipient=world.enrolment.assignee).count() == 1
    Notification.objects.all().delete()
    make_due(world, 39)
    with_many = run_scan(name)
    assert Notification.objects.filter(recipient=world.enrolment.assignee).count() == 40
    assert Notification.objects.count() == 40
    assert len(with_one) == len(with_many)


@pytest.mark.parametrize("name", SCANS)
def test_every_further_batch_costs_the_same_queries(world, settings, name):
    settings.REMINDER_BATCH_SIZE = 5
    make_due, _table, _index, extra = SCANS[name]
    counts, due = [], 0
    for total in (3, 8, 13):  # one, two and three batches
        make_due(world, total - due)
        due = total
        Notification.objects.all().delete()
        counts.append(len(run_scan(name)))
        assert Notification.objects.filter(recipient=world.enrolment.assignee).count() == total
    assert counts[1] - counts[0] == counts[2] - counts[1] == QUERIES_PER_BATCH + extra


# --- EXPLAIN on PostgreSQL -------------------------------------------------------------------


def batches(statements, table):
    return [s for s in statements if s.startswith(f'SELECT "{table}"."id"') and "LIMIT 5" in s]


@pytest.mark.parametrize("name", SCANS)
def test_each_batch_reads_the_due_rows_by_index_from_the_last_row(
    postgresql, world, settings, name
):
    settings.REMINDER_BATCH_SIZE = 5
    make_due, table, index, _extra = SCANS[name]
    make_due(world, 12)
    # 12 due rows in batches of 5: three batches (then the meetings of tomorrow, the contacts
    # never verified: none).
    first, following, last = batches(run_scan(name), table)[:3]
    assert Notification.objects.filter(recipient=world.enrolment.assignee).count() == 12
    assert "OFFSET" not in following
    for sql in (first, following, last):
        explained = plan(sql, sorts=False)
        assert f"using {index} on {table}" in explained, explained
        for big in BIG_TABLES:
            assert f"Seq Scan on {big}" not in explained, explained
    # A further batch starts at the previous batch's last (value, id) in the index itself.
    explained = plan(following, sorts=False)
    assert re.search(r"Index Cond: .*ROW\(\w+, id\) > ROW\(", explained), explained


def test_the_never_verified_contacts_are_read_by_their_own_index(postgresql, world, settings):
    settings.REMINDER_BATCH_SIZE = 5
    contacts = factories.KeyContactFactory.create_batch(12, client=world.client)
    type(contacts[0]).objects.filter(pk__in=[c.pk for c in contacts]).update(
        created_at=at(TODAY - dt.timedelta(days=400))
    )
    statements = run_scan("contacts")
    assert Notification.objects.filter(recipient=world.enrolment.assignee).count() == 12
    never = [s for s in batches(statements, "clients_keycontact") if "IS NULL" in s]
    assert len(never) == 3
    explained = plan(never[1], sorts=False)
    assert "using feedback_contact_never_verified_idx on clients_keycontact" in explained
    assert re.search(r"Index Cond: .*ROW\(created_at, id\) > ROW\(", explained), explained
    assert "Seq Scan on clients_keycontact" not in explained


@pytest.mark.parametrize("name", SCANS)
def test_the_pending_e_mails_are_found_by_the_unique_key_not_the_pending_index(
    postgresql, world, settings, name
):
    # The pending index holds every e-mail a long scan has queued (and the dead entries of those
    # sent since the last VACUUM): read through it, each batch would read every batch before.
    # Read by the recipient alone, each batch read every notification of its recipients, more
    # with every batch before it and every year of notifications kept.
    make_due = SCANS[name][0]
    make_due(world, 3)
    # The employee's history: 300 notifications of other events, known to the planner.
    history = factories.NotificationFactory.build_batch(300, recipient=world.enrolment.assignee)
    Notification.objects.bulk_create(history)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE feedback_notification")
    statements = run_scan(name)
    pending = [s for s in statements if 'FROM "feedback_notification" WHERE' in s]
    assert len(pending) == 1
    # No condition on the status in SQL, so the partial index of pending e-mails cannot serve
    # it; each (recipient, key) pair is one probe of the unique index, its whole condition.
    assert "email_status" not in pending[0].split(" WHERE ")[1]
    explained = plan(pending[0])
    assert "Index Scan using notification_once_per_event on feedback_notification" in explained
    assert re.search(
        r"Index Cond: \(\(recipient_id = wanted\.recipient_id\) AND "
        r"\(\(key\)::text = wanted\.key\)\)",
        explained,
    ), explained
    assert "Filter" not in explained, explained
    assert "notif_email_pending_idx" not in explained
    assert "Seq Scan on feedback_notification" not in explained
    assert Notification.objects.filter(recipient=world.enrolment.assignee).count() == 303


def test_the_assignees_of_a_batch_of_contacts_are_read_by_client(postgresql, world, settings):
    due_contacts(world, 3)
    statements = run_scan("contacts")
    (assignees,) = [s for s in statements if s.startswith('SELECT "programme_enrolment"')]
    assert "ORDER BY" not in assignees
    explained = plan(assignees)
    # By the client: the (client) index or the (programme, client) one, whichever the planner
    # finds cheaper on a few test rows.
    assert re.search(r"Index Cond: \(.*\bclient_id = ", explained), explained
    assert "Seq Scan on programme_enrolment" not in explained
    assert "clients_client" not in explained


def test_the_weekly_digest_counts_by_index_without_joining_the_clients(postgresql, world):
    factories.FollowUpFactory(
        client=world.client,
        owner=world.enrolment.assignee,
        programme=world.programme,
        due_on=TODAY - dt.timedelta(days=3),
    )
    factories.VisitFactory(
        enrolment=world.enrolment, status="held", scheduled_at=at(TODAY - dt.timedelta(days=2))
    )
    statements = [s for s in run_scan("weekly_digest") if "GROUP BY" in s]
    assert len(statements) == 4  # clients and visited, visits of the week, follow-ups, actions
    (digest,) = reminders.weekly_digest_figures(programmes=[world.programme], today=TODAY)
    assert (digest.clients, digest.visits_last_week, digest.overdue_follow_ups) == (2, 1, 1)
    for sql in statements:
        # The models' default order would join the clients to every enrolment to sort them.
        assert "clients_client" not in sql, sql
        explained = plan(sql)
        for big in ("feedback_visit", "feedback_followup", "feedback_notification"):
            assert f"Seq Scan on {big}" not in explained, explained
