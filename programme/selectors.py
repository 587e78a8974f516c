"""Reads that several pages and the API share: the client list with its monopolisation signals,
the staff pool with its load, and the programme's progress. Everything aggregates in the
database: one query per table, whatever the number of rows."""

import datetime as dt
import functools
import math
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from clients.enums import TIER_WEIGHTS
from clients.models import KeyContact
from feedback.enums import VisitStatus
from feedback.models import Visit
from vipcrm.expressions import SubqueryCount
from vipcrm.lists import person_name

from .enums import STAFF_CAPACITY, VISITED_STAGES, WORKED_THROUGH_STAGES, StaffKind, Stage
from .load import cached_counts, cached_load, cached_pool, keep_count, kept_count
from .models import Enrolment, Programme, StaffMember


def client_weight(prefix: str = "client__"):
    """The client's importance weight as a database expression (TIER_WEIGHTS)."""
    return Case(
        *[
            When(**{f"{prefix}tier": tier}, then=Value(weight))
            for tier, weight in TIER_WEIGHTS.items()
        ],
        default=Value(1),
        output_field=IntegerField(),
    )


def enrolment_list(programme: Programme):
    """The programme's client list as its page shows it, a ``values()`` dict per row (see
    ``enrolment_list_rows``); its filters narrow it like any queryset."""
    return _enrolment_list_rows().filter(programme=programme)


@functools.cache
def _enrolment_list_rows():
    """``enrolment_list_rows`` of every enrolment, built once per process: the rows' values and
    their three correlated subqueries took the ORM 2–4 ms to build on each request, and a
    queryset is only a description — each page chains its own filters onto a copy."""
    return enrolment_list_rows(Enrolment.objects.all())


def enrolment_list_rows(enrolments):
    """The rows of the client list, as values (a dict per row, no model instances), with the
    monopolisation signals: ``visit_people`` (how many of our employees
    ever held a visit with the client), ``contact_adders`` (how many people added its current
    key contacts) and ``contact_unknown_adder`` (one of them was added by nobody known, e.g.
    imported). The segment's, the region's and the people's names are not joined: the page has
    them already (its filter bar lists them), and each join cost the query planning time."""
    held = Visit.objects.filter(client=OuterRef("client_id"), status=VisitStatus.HELD)
    current = KeyContact.objects.filter(client=OuterRef("client_id"), left_company=False)
    return enrolments.values(
        "pk",
        "programme_id",
        "client_id",
        "assessment",
        "stage",
        "assignee_id",
        "original_salesperson_id",
        client_name=F("client__name"),
        client_kind=F("client__kind"),
        client_tier=F("client__tier"),
        client_segment_id=F("client__segment_id"),
        client_region_id=F("client__region_id"),
    ).annotate(
        visit_people=SubqueryCount(held, "employee", distinct=True),
        contact_adders=SubqueryCount(current, "added_by", distinct=True),
        # A LIMIT 1 subquery per row shown, not EXISTS: PostgreSQL may turn an EXISTS into a
        # hash of every key contact with no known adder (every imported one) before it reads
        # the page's 51 rows: at 10,000 clients it hashed 36,000 contacts (25 ms, 6 now).
        contact_unknown_adder=Coalesce(
            Subquery(
                current.filter(added_by__isnull=True)
                .order_by()
                .annotate(unknown=Value(True))
                .values("unknown")[:1],
                output_field=BooleanField(),
            ),
            Value(False),
        ),
    )


def kept_list_count(programme: Programme, *, stage: str, tier: str) -> int | None:
    """The list's count filtered by ``stage`` and ``tier`` alone (either may be empty), as its
    page counted it last (capped: ``count_cap + 1`` for more), while no client was added,
    removed, moved to another stage or changed tier (``load.kept_count``); ``None`` when it
    was not counted since. Counted afresh with its rows, the capped count either walked the
    tier's name index probing each client's enrolment (5 ms) or hashed the stage's 60,000
    enrolments (45 ms), as the statistics of the day made PostgreSQL guess: kept, a view after
    no write pays neither, and the first view after a write pays what every view paid."""
    return kept_count(programme, f"list:{stage}:{tier}")


def keep_list_count(programme: Programme, *, stage: str, tier: str, total: int) -> None:
    keep_count(programme, f"list:{stage}:{tier}", total)


def pool_choices(programme: Programme) -> list:
    """The pool as its selects list it, ``[(pk, name), …]`` by last name and username, a
    person's name being the full name, else the username: from the cache while the pool and
    its people's names are unchanged (``load.cached_pool``)."""
    from .forms import pool_users

    return cached_pool(
        programme,
        lambda programme: [
            (pk, person_name(first_name, last_name, username))
            for pk, first_name, last_name, username in pool_users(programme).values_list(
                "pk", "first_name", "last_name", "username"
            )
        ],
    )


def signal_texts() -> tuple:
    """The two signals' texts in the current language (translate them once per page)."""
    from django.utils.translation import gettext as _

    return (
        _("Only one of our people ever met this client"),
        _("All key contacts were added by one person"),
    )


def signals_for(row: dict, texts: tuple | None = None) -> list:
    """The signals shown next to the assessment, from an ``enrolment_list_rows`` row;
    ``texts`` are ``signal_texts()``, given by a page that shows many rows."""
    one_person, one_adder = texts or signal_texts()
    signals = []
    if row["visit_people"] == 1:
        signals.append(one_person)
    if row["contact_adders"] == 1 and not row["contact_unknown_adder"]:
        signals.append(one_adder)
    return signals


def list_load(programme: Programme, *, fresh: bool = False) -> dict:
    """``{assignee_id or None: (clients, weight)}`` over the programme's whole list (the
    unassigned clients under ``None``): one GROUP BY, computed once per change of the list and
    read from the cache in between (``programme.load``); ``fresh`` reads the list."""
    if fresh:
        return _list_load(programme)
    return cached_load(programme, _list_load)


def _list_load(programme: Programme) -> dict:
    return {
        row["assignee"]: (row["count"], row["weight"] or 0)
        for row in Enrolment.objects.filter(programme=programme)
        .order_by()
        .values("assignee")
        .annotate(count=Count("pk"), weight=Sum(client_weight()))
    }


def staff_with_load(programme: Programme, load: dict | None = None) -> list:
    """The pool with each person's clients on this list: ``held_count`` and ``held_weight``.

    One query (the members) and the load, from the cache when the list has not changed since it
    was computed (``list_load``)."""
    held = list_load(programme) if load is None else load
    members = list(
        StaffMember.objects.filter(programme=programme)
        .select_related("employee")
        .order_by("employee__last_name", "employee__username")
    )
    for member in members:
        member.held_count, member.held_weight = held.get(member.employee_id, (0, 0))
    return members


@dataclass(slots=True)
class PoolMember:
    """A member of the staff pool as its page shows it, read as plain values (200 people: no
    model objects to build)."""

    pk: int
    employee_id: int
    kind: str
    name: str  # User.get_full_name(), else the username
    username: str
    held_count: int = 0
    held_weight: int = 0
    share: float = 0
    load_percent: int = 0

    @property
    def capacity(self) -> float:
        return STAFF_CAPACITY.get(self.kind, 0)

    @property
    def kind_label(self) -> str:
        return str(dict(StaffKind.choices).get(self.kind, self.kind))


@dataclass
class PoolLoad:
    members: list  # PoolMember
    total_weight: int
    total_capacity: float


def pool_load(programme: Programme) -> PoolLoad:
    """Each member's load against capacity, with their capacity share of the list's weight: one
    query (the members, as values) and the list's load (``list_load``, from the cache unless the
    list changed)."""
    load = list_load(programme)
    members = [
        PoolMember(pk, employee_id, kind, person_name(first, last, username), username)
        for pk, employee_id, kind, first, last, username in StaffMember.objects.filter(
            programme=programme
        )
        .order_by("employee__last_name", "employee__username")
        .values_list(
            "pk",
            "employee_id",
            "kind",
            "employee__first_name",
            "employee__last_name",
            "employee__username",
        )
    ]
    total_weight = sum(weight for _count, weight in load.values())
    total_capacity = sum(member.capacity for member in members)
    for member in members:
        member.held_count, member.held_weight = load.get(member.employee_id, (0, 0))
        member.share = total_weight * member.capacity / total_capacity if total_capacity else 0
        member.load_percent = round(100 * member.held_weight / member.share) if member.share else 0
    return PoolLoad(members=members, total_weight=total_weight, total_capacity=total_capacity)


def _progress_counts(programme: Programme) -> dict:
    """``{(assignee, stage): clients}``: one GROUP BY over the list's (programme, assignee, stage)
    index, a few rows a person (three COUNTs with a FILTER over an IN list for each of 100,000
    rows took PostgreSQL half as long again). Kept in the cache under the counts token, as the
    list's counts by stage and tier (``kept_list_count``): at 100,000 clients it reads every
    enrolment (30–60 ms, by the index or the table as the planner's statistics of the day
    say), so it runs once per change of the list, not on every view: the first view after a
    change pays what every view paid."""
    return {
        (assignee, stage): count
        for assignee, stage, count in Enrolment.objects.filter(programme=programme)
        .order_by()
        .values_list("assignee", "stage")
        .annotate(count=Count("*"))
    }


@dataclass
class Progress:
    total: int
    visited: int
    worked_through: int
    booked: int
    unassigned: int
    coverage: int  # percent of the list visited
    rows: list  # per employee
    weeks: float
    pace: float  # clients visited per week, the whole pool
    forecast: dt.date | None
    on_time: bool | None


def progress(programme: Programme, today: dt.date | None = None) -> Progress:
    """Coverage, each employee's pace and a forecast of the finish date (a straight line from
    the pace so far)."""
    today = today or timezone.localdate()
    # The list's counts by assignee and stage, added up here into each person's figures; the
    # totals are the sum of the groups, the unassigned clients the group without an assignee.
    per_person = {}
    for (assignee, stage), count in cached_counts(
        programme, "assignee_stage", _progress_counts
    ).items():
        row = per_person.setdefault(
            assignee, {"assigned": 0, "visited": 0, "worked": 0, "booked": 0}
        )
        row["assigned"] += count
        if stage in VISITED_STAGES:
            row["visited"] += count
        if stage in WORKED_THROUGH_STAGES:
            row["worked"] += count
        if stage == Stage.MEETING_BOOKED:
            row["booked"] += count
    totals = {
        name: sum(row[key] for row in per_person.values())
        for name, key in (
            ("total", "assigned"),
            ("visited", "visited"),
            ("worked", "worked"),
            ("booked", "booked"),
        )
    }
    totals["unassigned"] = per_person.get(None, {}).get("assigned", 0)
    started = (
        timezone.localtime(programme.activated_at).date()
        if programme.activated_at
        else programme.starts_on
    )
    weeks = max((today - started).days / 7, 1.0)
    rows = []
    kinds = {value: str(label) for value, label in StaffKind.choices}
    for member in StaffMember.objects.filter(programme=programme).select_related("employee"):
        counts = per_person.get(member.employee_id, {})
        assigned = counts.get("assigned", 0)
        rows.append(
            {
                "employee": member.employee,
                "kind": kinds.get(member.kind, member.kind),
                "assigned": assigned,
                "booked": counts.get("booked", 0),
                "visited": counts.get("visited", 0),
                "remaining": assigned - counts.get("worked", 0),
                "pace": round(counts.get("visited", 0) / weeks, 1),
            }
        )
    total = totals["total"]
    pace = totals["visited"] / weeks
    left = total - totals["worked"]
    if not left:
        forecast = today if total else None
    elif pace > 0:
        forecast = today + dt.timedelta(days=math.ceil(7 * left / pace))
    else:
        forecast = None
    return Progress(
        total=total,
        visited=totals["visited"],
        worked_through=totals["worked"],
        booked=totals["booked"],
        unassigned=totals["unassigned"],
        coverage=round(100 * totals["visited"] / total) if total else 0,
        rows=rows,
        weeks=round(weeks, 1),
        pace=round(pace, 1),
        forecast=forecast,
        on_time=None if forecast is None else forecast <= programme.deadline,
    )
