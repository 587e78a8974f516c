"""The benchmark's data set, built on PostgreSQL with a few INSERT … SELECT generate_series.

``python -m bench.dataset --scale full`` builds (or reuses, when the marker table says the
database already holds this scale) a company at a market leader's size:

========================  ===========  ==========
what                      full         small
========================  ===========  ==========
clients                   100,000      10,000
key contacts              400,000      40,000
staff (programme pool)    200          20
visits, each with report  1,000,000    100,000
monthly volumes (24/cl.)  2,400,000    240,000
follow-ups (~1 % due)     1,000,000    100,000
notifications             100,000      10,000
========================  ===========  ==========

One active programme has every client enrolled and assigned, round-robin over the staff pool, so
``employee`` has exactly ``clients / staff`` (500) clients on their personal list; client 1 (on
that list) has 50 visits. The demo logins (manager, employee, employee2, director, admin;
password from ``settings.VIPCRM["DEMO_PASSWORD"]``) exist, so pages can be opened by hand.

Rows get explicit ids (1..n), so every foreign key is arithmetic, not a join; the sequences are
moved past them at the end. Every CheckConstraint of the models holds (monopolised clients go to
someone other than their original salesperson, lost clients have a date, and so on).

The build refuses SQLite, and refuses a database that holds clients but no benchmark marker:
it empties the domain tables first, so it never runs over real data.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import asdict, dataclass

MARKER_TABLE = "bench_dataset"


class BenchError(Exception):
    """A reason the benchmark cannot run here, said plainly."""


@dataclass(frozen=True)
class Scale:
    name: str
    clients: int
    contacts: int
    staff: int
    visits: int
    months: int
    follow_ups: int
    notifications: int
    card_visits: int = 50

    @property
    def per_employee(self) -> int:
        return self.clients // self.staff


SCALES = {
    "full": Scale("full", 100_000, 400_000, 200, 1_000_000, 24, 1_000_000, 100_000),
    "small": Scale("small", 10_000, 40_000, 20, 100_000, 24, 100_000, 10_000),
    # For the harness's own tests: seconds, not minutes.
    "tiny": Scale("tiny", 200, 800, 4, 400, 3, 400, 40),
}

DEMO_USERS = {
    # id: (username, first, last, group or None, superuser)
    1: ("admin", "Admin", "", None, True),
    2: ("manager", "Anna", "Smirnova", "Programme managers", False),
    3: ("director", "Boris", "Orlov", "Management", False),
    4: ("employee", "Ivan", "Petrov", "Programme staff", False),
    5: ("employee2", "Olga", "Sidorova", "Programme staff", False),
}
FIRST_STAFF_ID = 4  # employee and employee2 are the first two of the staff pool
SEGMENTS, REGIONS, POSITIONS = 20, 30, 50

# Tables emptied before a build, children first (CASCADE covers the rest).
DOMAIN_TABLES = [
    "feedback_notification",
    "feedback_followup",
    "feedback_referral",
    "feedback_opportunity",
    "feedback_correctiveactionstep",
    "feedback_correctiveaction",
    "feedback_contactcheck",
    "feedback_visitreportrevision",
    "feedback_visitreport_met_contacts",
    "feedback_visitreport",
    "feedback_visit_contacts",
    "feedback_visit",
    "feedback_calendarfeed",
    "feedback_notificationsettings",
    "programme_assignmentchange",
    "programme_enrolment",
    "programme_staffmember",
    "programme_programme",
    "clients_clientvolume",
    "clients_clientposition",
    "clients_keycontact",
    "clients_client",
    "clients_position",
    "clients_region",
    "clients_segment",
    "authtoken_token",
    "django_admin_log",
    "auth_user_groups",
    "auth_user",
]


def _literal(value) -> str:
    """A string as an SQL literal (the statements with modulo signs take no parameters)."""
    from psycopg2.extensions import QuotedString

    return QuotedString(str(value)).getquoted().decode()


def _pick(words: list[str], expr: str) -> str:
    """SQL choosing one of ``words`` by an integer expression."""
    quoted = ",".join("'" + w.replace("'", "''") + "'" for w in words)
    return f"(ARRAY[{quoted}])[1 + (({expr}) % {len(words)})]"


NAME_WORDS = [
    "Alfa", "Beta", "Gamma", "Delta", "Sever", "Volga", "Ural", "Baltika",
    "Sibir", "Neva", "Orion", "Vega", "Polus", "Kama", "Don", "Altai",
]  # fmt: skip
TRADE_WORDS = [
    "Steel", "Foods", "Logistics", "Trade", "Energy", "Pharma", "Build", "Agro", "Textile",
    "Motors", "Chem", "Retail", "Paper", "Glass", "Timber",
]  # fmt: skip
FIRST_NAMES = ["Ivan", "Olga", "Pavel", "Maria", "Sergey", "Elena", "Dmitry", "Anna", "Oleg"]
LAST_NAMES = ["Ivanov", "Petrova", "Sidorov", "Smirnova", "Kuznetsov", "Popova", "Volkov", "Orlova"]
CITIES = ["Moscow", "Kazan", "Samara", "Perm", "Tver", "Omsk", "Tula", "Sochi", "Ufa"]


def statements(scale: Scale, password_hash: str, group_ids: dict[str, int]) -> list[tuple]:
    """The build as (label, SQL, params): one INSERT … SELECT per table."""
    n, s = scale.clients, scale.staff
    assignee = f"(((c - 1) % {s}) + {FIRST_STAFF_ID})"
    salesperson = f"((c % {s}) + {FIRST_STAFF_ID})"
    card = scale.card_visits
    # Visit j's client: the first `card` visits are client 1's, the rest go round the others.
    visit_client = f"(CASE WHEN j <= {card} THEN 1 ELSE 2 + (j - {card + 1}) % {n - 1} END)"
    out: list[tuple] = []
    add = out.append

    users = []
    for uid, (username, first, last, _group, superuser) in DEMO_USERS.items():
        users.append((uid, username, first, last, superuser))
    add(
        (
            "users",
            "INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name,"
            " email, is_staff, is_active, date_joined) VALUES "
            + ",".join(["(%s, %s, %s, %s, %s, %s, %s, %s, true, now())"] * len(users)),
            [
                v
                for uid, username, first, last, superuser in users
                for v in (
                    uid,
                    password_hash,
                    superuser,
                    username,
                    first,
                    last,
                    f"{username}@example.com",
                    superuser,
                )
            ],
        )
    )
    first_extra = FIRST_STAFF_ID + 2
    add(
        (
            "staff users",
            "INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name,"
            " email, is_staff, is_active, date_joined)"
            f" SELECT u, {_literal(password_hash)}, false, 'staff' || lpad(u::text, 4, '0'),"
            f" {_pick(FIRST_NAMES, 'u')}, {_pick(LAST_NAMES, 'u / 9')},"
            " 'staff' || u || '@example.com', false, true, now()"
            f" FROM generate_series({first_extra}, {FIRST_STAFF_ID + s - 1}) u",
            [],
        )
    )
    memberships = [
        (uid, group_ids[group]) for uid, (_u, _f, _l, group, _s) in DEMO_USERS.items() if group
    ]
    add(
        (
            "user groups",
            "INSERT INTO auth_user_groups (user_id, group_id) VALUES "
            + ",".join(["(%s, %s)"] * len(memberships))
            + "; INSERT INTO auth_user_groups (user_id, group_id)"
            + f" SELECT u, {int(group_ids['Programme staff'])}"
            f" FROM generate_series({first_extra}, {FIRST_STAFF_ID + s - 1}) u",
            [v for pair in memberships for v in pair],
        )
    )
    add(
        (
            "segments, regions, positions",
            f"INSERT INTO clients_segment (id, name) SELECT g, 'Segment ' || lpad(g::text, 2, '0')"
            f" FROM generate_series(1, {SEGMENTS}) g;"
            f" INSERT INTO clients_region (id, name) SELECT g, 'Region ' || lpad(g::text, 2, '0')"
            f" FROM generate_series(1, {REGIONS}) g;"
            " INSERT INTO clients_position (id, name, code, description, unit, is_active)"
            " SELECT g, 'Position ' || lpad(g::text, 2, '0'), 'P' || g, '', 'pcs', true"
            f" FROM generate_series(1, {POSITIONS}) g",
            [],
        )
    )
    add(
        (
            "clients",
            "INSERT INTO clients_client (id, kind, name, legal_name, tax_number,"
            " registration_number, legal_address, city, tier, status, lost_on, notes, created_at,"
            " updated_at, original_salesperson_id, region_id, segment_id)"
            " SELECT c, CASE WHEN c % 10 = 0 THEN 'private' ELSE 'corporate' END,"
            f" {_pick(NAME_WORDS, 'c * 7')} || ' ' || {_pick(TRADE_WORDS, 'c / 16')} || ' ' || c,"
            f" 'LLC ' || {_pick(NAME_WORDS, 'c * 7')} || ' ' || {_pick(TRADE_WORDS, 'c / 16')},"
            " (7700000000 + c)::text, (1000000000000 + c)::text, '', "
            f" {_pick(CITIES, 'c')},"
            " CASE WHEN c % 20 = 0 THEN 'A' WHEN c % 5 = 0 THEN 'B' ELSE 'C' END,"
            " CASE WHEN c % 25 = 3 THEN 'lost' ELSE 'active' END,"
            " CASE WHEN c % 25 = 3 THEN CURRENT_DATE - (c % 300) END, '',"
            " now() - (c % 1000) * interval '1 day', now(),"
            f" {salesperson}, 1 + c % {REGIONS}, 1 + c % {SEGMENTS}"
            f" FROM generate_series(1, {n}) c",
            [],
        )
    )
    add(
        (
            "key contacts",
            "INSERT INTO clients_keycontact (id, full_name, role, job_title, phone, email,"
            " birthday, verified_on, left_company, left_on, notes, created_at, updated_at,"
            " added_by_id, client_id)"
            f" SELECT k, {_pick(FIRST_NAMES, 'k')} || ' ' || {_pick(LAST_NAMES, 'k / 9')},"
            f" {_pick(['decision_maker', 'influencer', 'user', 'gatekeeper'], 'k')},"
            " 'Head of ' || k % 97, '+7 900 ' || lpad((k % 10000000)::text, 7, '0'),"
            " 'contact' || k || '@example.com', NULL,"
            " CASE WHEN k % 3 = 0 THEN NULL ELSE CURRENT_DATE - (k % 700) END,"
            " k % 10 = 0, CASE WHEN k % 10 = 0 THEN CURRENT_DATE - (k % 500) END, '',"
            " now(), now(), NULL, c"
            f" FROM (SELECT k, 1 + (k - 1) % {n} AS c"
            f" FROM generate_series(1, {scale.contacts}) k) t",
            [],
        )
    )
    add(
        (
            "positions bought",
            "INSERT INTO clients_clientposition (id, annual_volume, since, client_id, position_id)"
            f" SELECT (c - 1) * 2 + p, 1000 + (c * p) % 90000, CURRENT_DATE - (c % 2000),"
            f" c, 1 + (c + p * 7) % {POSITIONS}"
            f" FROM generate_series(1, {n}) c CROSS JOIN generate_series(1, 2) p",
            [],
        )
    )
    add(
        (
            "volumes",
            "INSERT INTO clients_clientvolume (id, period, amount, client_id)"
            f" SELECT (c - 1) * {scale.months} + m,"
            " (date_trunc('month', CURRENT_DATE) - make_interval(months => m))::date,"
            " 100 + ((c * 37 + m * 11) % 100000) / 10.0, c"
            f" FROM generate_series(1, {n}) c CROSS JOIN generate_series(1, {scale.months}) m",
            [],
        )
    )
    add(
        (
            "programme and staff pool",
            "INSERT INTO programme_programme (id, name, starts_on, deadline, status,"
            " activated_at, closed_at, close_reason, created_at, manager_id, previous_id,"
            " load_token, counts_token)"
            " VALUES (1, 'VIP programme (benchmark)', CURRENT_DATE - 180, CURRENT_DATE + 180,"
            " 'active', now() - interval '180 days', NULL, '', now(), 2, NULL,"
            " gen_random_uuid(), gen_random_uuid());"
            " INSERT INTO programme_staffmember (id, kind, added_at, employee_id, programme_id)"
            f" SELECT u - {FIRST_STAFF_ID - 1},"
            " CASE WHEN u % 4 = 0 THEN 'shared' ELSE 'dedicated' END, now(), u, 1"
            f" FROM generate_series({FIRST_STAFF_ID}, {FIRST_STAFF_ID + s - 1}) u",
            [],
        )
    )
    stage = _pick(
        ["visited"] * 12
        + ["follow_ups_done"] * 3
        + ["meeting_booked"] * 2
        + ["not_contacted", "declined", "unreachable"],
        "c",
    )
    add(
        (
            "enrolments",
            "INSERT INTO programme_enrolment (id, assessment, assessment_note, assigned_at, stage,"
            " stage_changed_at, added_at, version, assignee_id, client_id,"
            " original_salesperson_id, programme_id)"
            " SELECT c,"
            f" {_pick(['excellent'] * 6 + ['uncertain'] * 2 + ['monopolised', ''], 'c')}, '',"
            f" now() - interval '170 days', {stage}, now() - (c % 150) * interval '1 day',"
            f" now() - interval '175 days', 2, {assignee}, c, {salesperson}, 1"
            f" FROM generate_series(1, {n}) c;"
            " INSERT INTO programme_assignmentchange (id, changed_at, reason, source,"
            " changed_by_id, from_user_id, to_user_id, enrolment_id)"
            f" SELECT c, now() - interval '170 days', '', 'auto_split', 2, NULL, {assignee}, c"
            f" FROM generate_series(1, {n}) c",
            [],
        )
    )
    add(
        (
            "visits",
            "INSERT INTO feedback_visit (id, scheduled_at, place, status, cancel_reason,"
            " reschedule_reason, created_at, updated_at, client_id, created_by_id, employee_id,"
            " enrolment_id)"
            " SELECT j, CASE WHEN j % 20 = 0 THEN date_trunc('hour', now()) + (j % 30 + 1)"
            " * interval '1 day' ELSE date_trunc('hour', now()) - (1 + (j::bigint * 7919) % 540)"
            " * interval '1 day' END,"
            " 'Office', CASE WHEN j % 20 = 0 THEN 'planned' ELSE 'held' END, '', '',"
            " now(), now(), c, u, u, c"
            f" FROM (SELECT j, {visit_client} AS c FROM generate_series(1, {scale.visits}) j) v,"
            f" LATERAL (SELECT ((v.c - 1) % {s}) + {FIRST_STAFF_ID} AS u) a",
            [],
        )
    )
    add(
        (
            "visit reports",
            "INSERT INTO feedback_visitreport (id, status, relationship_after, relationship_notes,"
            " market_position, prospects, outlook, score_goods, score_services, score_service,"
            " recommendation_score, quality_comments, finished_at, created_at, updated_at,"
            " version, author_id, visit_id, draft)"
            " SELECT id, CASE WHEN status = 'held' THEN 'finished' ELSE 'draft' END,"
            f" {_pick(['strong', 'good', 'good', 'neutral', 'at_risk'], 'id')}, '', '', '',"
            f" {_pick(['growing', 'stable', 'stable', 'declining'], 'id')},"
            " 1 + id % 5, 1 + (id / 5) % 5, 1 + (id / 25) % 5, id % 11, '',"
            " CASE WHEN status = 'held' THEN scheduled_at + interval '1 day' END,"
            " scheduled_at, scheduled_at, 1, employee_id, id, '{}'::jsonb"
            " FROM feedback_visit",
            [],
        )
    )
    add(
        (
            "follow-ups",
            "INSERT INTO feedback_followup (id, title, due_on, done_at, reschedule_reason,"
            " created_at, client_id, created_by_id, done_by_id, owner_id, programme_id, report_id)"
            " SELECT k, 'Send the offer ' || k,"
            " CASE WHEN k % 100 = 0 THEN CURRENT_DATE - (k / 100) % 7"
            " WHEN k % 100 < 20 THEN CURRENT_DATE + 1 + k % 60"
            " ELSE CURRENT_DATE - (k % 300) END,"
            " CASE WHEN k % 100 >= 20 THEN now() - (k % 300) * interval '1 day' END, '',"
            " now() - interval '200 days', c, u,"
            " CASE WHEN k % 100 >= 20 THEN u END, u, 1, r"
            f" FROM (SELECT k, 1 + (k - 1) % {scale.visits} AS r FROM"
            f" generate_series(1, {scale.follow_ups}) k) f,"
            f" LATERAL (SELECT {visit_client.replace('j', 'f.r')} AS c) vc,"
            f" LATERAL (SELECT ((vc.c - 1) % {s}) + {FIRST_STAFF_ID} AS u) a",
            [],
        )
    )
    add(
        (
            "corrective actions, opportunities, referrals",
            # One in ten clients: a complaint, two opportunities, a referral.
            "INSERT INTO feedback_correctiveaction (id, area, complaint, action, due_on, status,"
            " opened_at, resolved_at, client_informed_at, client_id, opened_by_id, owner_id,"
            " programme_id, report_id)"
            f" SELECT k, {_pick(['goods', 'services', 'service', 'other'], 'k')},"
            " 'Late delivery ' || k, '', CURRENT_DATE - 30 + k % 60,"
            f" {_pick(['open', 'in_progress', 'resolved', 'client_informed'], 'k')},"
            " now() - interval '60 days',"
            " CASE WHEN k % 4 >= 2 THEN now() - interval '10 days' END,"
            " CASE WHEN k % 4 = 3 THEN now() - interval '5 days' END,"
            f" c, {assignee}, {assignee}, 1, NULL"
            f" FROM (SELECT k, 1 + ((k - 1) * 10) % {n} AS c"
            f" FROM generate_series(1, {max(n // 10, 1)}) k) t;"
            "INSERT INTO feedback_opportunity (id, kind, topic, description, expected_value,"
            " status, won_value, lost_reason, created_at, closed_at, client_id,"
            " client_position_id, owner_id, position_id, programme_id, report_id)"
            " SELECT k, CASE WHEN k % 2 = 0 THEN 'upsell' ELSE 'cross_sell' END,"
            " CASE WHEN k % 2 = 0 THEN '' ELSE 'Service contract' END, '', 10000 + k % 50000,"
            f" {_pick(['open', 'open', 'won', 'lost'], 'k')},"
            " CASE WHEN k % 4 = 2 THEN 5000 + k % 40000 END,"
            " CASE WHEN k % 4 = 3 THEN 'Price' ELSE '' END, now() - (k % 150) * interval '1 day',"
            " CASE WHEN k % 4 >= 2 THEN now() - (k % 30) * interval '1 day' END, c,"
            f" CASE WHEN k % 2 = 0 THEN (c - 1) * 2 + 1 END, {assignee}, NULL, 1, NULL"
            f" FROM (SELECT k, 1 + ((k - 1) * 5) % {n} AS c"
            f" FROM generate_series(1, {max(n // 5, 1)}) k) t;"
            "INSERT INTO feedback_referral (id, person_name, company_name, phone, email, notes,"
            " status, drop_reason, created_at, contacted_at, closed_at, became_client_id,"
            " owner_id, programme_id, referring_client_id, referring_contact_id, report_id)"
            f" SELECT k, {_pick(FIRST_NAMES, 'k + 3')} || ' ' || {_pick(LAST_NAMES, 'k')},"
            " 'Prospect ' || k, '', '', '',"
            f" {_pick(['new', 'contacted', 'meeting', 'dropped'], 'k')},"
            " CASE WHEN k % 4 = 3 THEN 'Not interested' ELSE '' END,"
            " now() - (k % 120) * interval '1 day',"
            " CASE WHEN k % 4 >= 1 THEN now() - (k % 60) * interval '1 day' END,"
            " CASE WHEN k % 4 = 3 THEN now() - (k % 30) * interval '1 day' END,"
            f" NULL, {assignee}, 1, c, NULL, NULL"
            f" FROM (SELECT k, 1 + ((k - 1) * 10 + 3) % {n} AS c"
            f" FROM generate_series(1, {max(n // 10, 1)}) k) t",
            [],
        )
    )
    kinds = ["follow_up_due", "follow_up_overdue", "meeting_tomorrow", "no_meeting_booked"]
    add(
        (
            "notifications",
            "INSERT INTO feedback_notification (id, kind, key, message, link, object_id,"
            " created_at, read_at, email_status, email_attempts, emailed_at, content_type_id,"
            " recipient_id)"
            f" SELECT k, {_pick(kinds, 'k')}, 'bench:' || k, 'Reminder ' || k, '', NULL,"
            " now() - (k % 90) * interval '1 day' - (k % 1440) * interval '1 minute',"
            " CASE WHEN k % 2 = 0 THEN now() - (k % 80) * interval '1 day' END,"
            " 'not_needed', 0, NULL, NULL,"
            f" ((k - 1) % {s}) + {FIRST_STAFF_ID}"
            f" FROM generate_series(1, {scale.notifications}) k",
            [],
        )
    )
    return out


SEQUENCED_TABLES = [t for t in DOMAIN_TABLES if t not in ("auth_user_groups",)] + [
    "auth_user_groups"
]


def _is_postgresql(connection) -> bool:
    return connection.vendor == "postgresql"


def require_postgresql(connection) -> None:
    if not _is_postgresql(connection):
        raise BenchError(
            "The benchmark runs on PostgreSQL only: set DATABASE_URL, e.g. "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/vipcrm_bench make bench "
            f"(this database is {connection.vendor})."
        )


def ensure_database(database: dict) -> bool:
    """Creates the PostgreSQL database named in the settings if it does not exist.

    Returns True when it was created. Refuses SQLite with a clear message.
    """
    engine = database["ENGINE"]
    if not engine.startswith("django.db.backends.postgresql"):
        raise BenchError(
            "The benchmark runs on PostgreSQL only, not on "
            f"{engine.rsplit('.', 1)[-1]}: set DATABASE_URL, e.g. "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/vipcrm_bench make bench"
        )
    from vipcrm.dbtools import ensure_postgresql_database

    return ensure_postgresql_database(database)


def marker(connection) -> dict | None:
    """What the marker table says was built here, or None."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [MARKER_TABLE])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(f"SELECT scale, counts, seconds FROM {MARKER_TABLE} WHERE id = 1")
        row = cursor.fetchone()
    if row is None:
        return None
    counts = row[1] if isinstance(row[1], dict) else json.loads(row[1])
    return {"scale": row[0], "counts": counts, "seconds": row[2]}


def expected_counts(scale: Scale) -> dict:
    return {
        "clients_client": scale.clients,
        "clients_keycontact": scale.contacts,
        "feedback_visit": scale.visits,
        "feedback_visitreport": scale.visits,
        "clients_clientvolume": scale.clients * scale.months,
        "feedback_followup": scale.follow_ups,
        "feedback_notification": scale.notifications,
        "programme_enrolment": scale.clients,
        "programme_staffmember": scale.staff,
    }


def actual_counts(connection, tables) -> dict:
    with connection.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (our own table names)
            counts[table] = cursor.fetchone()[0]
    return counts


def is_built(connection, scale: Scale) -> bool:
    """The database holds this scale's data set: the marker says so and the counts agree."""
    found = marker(connection)
    if not found or found["scale"] != scale.name:
        return False
    expected = expected_counts(scale)
    return actual_counts(connection, expected) == expected


def build(scale: Scale, *, connection=None, force: bool = False, log=print) -> dict:
    """Builds the data set (or reuses it) and returns what happened: reused, seconds, counts."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import connection as default_connection
    from django.db import transaction

    from clients import lookups
    from feedback import people

    connection = connection or default_connection
    require_postgresql(connection)
    # The cached segments, regions and people may be another build's: this one writes them by
    # SQL, past the signals that keep the cache.
    lookups.forget()
    people.forget()
    if not force and is_built(connection, scale):
        log(f"bench: reusing the {scale.name} data set already in the database")
        return {"reused": True, "seconds": marker(connection)["seconds"], "scale": scale.name}
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [MARKER_TABLE])
        has_marker = cursor.fetchone()[0]
        cursor.execute("SELECT EXISTS (SELECT 1 FROM clients_client)")
        has_clients = cursor.fetchone()[0]
    if has_clients and not has_marker:
        raise BenchError(
            "This database holds clients that the benchmark did not create; it empties the "
            "tables before building, so it refuses. Point DATABASE_URL at a database of its own "
            "(e.g. vipcrm_bench)."
        )
    from django.conf import settings

    password_hash = make_password(settings.VIPCRM["DEMO_PASSWORD"])
    group_ids = dict(Group.objects.values_list("name", "id"))
    started = time.perf_counter()
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        # Django's foreign keys are deferred; checks still pending (from earlier writes in the
        # same transaction) would forbid TRUNCATE, so they run now, and every check runs as the
        # rows go in.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute(f"TRUNCATE {', '.join(DOMAIN_TABLES)} RESTART IDENTITY CASCADE")
        for label, statement, params in statements(scale, password_hash, group_ids):
            step = time.perf_counter()
            cursor.execute(statement, params or None)  # None: '%' is modulo
            log(f"bench: {label}: {time.perf_counter() - step:.1f} s")
        for table in DOMAIN_TABLES:
            if table in ("auth_user_groups", "authtoken_token"):
                continue
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"
            )
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (id int PRIMARY KEY, scale text NOT NULL,"
            " counts jsonb NOT NULL, seconds double precision NOT NULL,"
            " built_at timestamptz NOT NULL)"
        )
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    with connection.cursor() as cursor:
        step = time.perf_counter()
        # VACUUM as well: a database in use has been vacuumed (by autovacuum), and without it
        # every index-only scan visits the table for each row (the visibility map is empty).
        # VACUUM cannot run in a transaction (a test's): there, ANALYZE alone.
        vacuum = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        cursor.execute(vacuum)
        log(f"bench: {vacuum.lower()}: {time.perf_counter() - step:.1f} s")
        seconds = round(time.perf_counter() - started, 1)
        counts = expected_counts(scale)
        cursor.execute(
            f"INSERT INTO {MARKER_TABLE} (id, scale, counts, seconds, built_at)"
            " VALUES (1, %s, %s, %s, now()) ON CONFLICT (id) DO UPDATE SET scale = EXCLUDED.scale,"
            " counts = EXCLUDED.counts, seconds = EXCLUDED.seconds, built_at = now()",
            [scale.name, json.dumps(counts), seconds],
        )
    log(f"bench: built the {scale.name} data set in {seconds} s")
    return {"reused": False, "seconds": seconds, "scale": scale.name}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", default=os.environ.get("SCALE", "full"), choices=SCALES)
    parser.add_argument("--force", action="store_true", help="rebuild even if present")
    parser.add_argument(
        "--prepare-database",
        action="store_true",
        help="only create the database if it does not exist (before migrations)",
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vipcrm.settings")
    import django

    django.setup()
    from django.conf import settings

    try:
        if args.prepare_database:
            if ensure_database(settings.DATABASES["default"]):
                print(f"bench: created the database {settings.DATABASES['default']['NAME']}")
            return 0
        result = build(SCALES[args.scale], force=args.force)
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    print(json.dumps(result | {"scale_spec": asdict(SCALES[args.scale])}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
