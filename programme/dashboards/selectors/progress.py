"""Programme progress: coverage, the stage funnel, each employee's pace and the burn-down."""

import datetime as dt
import math

from django.db.models import Case, Count, F, Max, Min, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Concat, TruncDate
from django.utils.translation import gettext_lazy as _

from programme.enums import VISITED_STAGES, WORKED_THROUGH_STAGES, ProgrammeStatus, Stage

from ..base import (
    DATE,
    INT,
    PERCENT,
    Chart,
    Column,
    Dashboard,
    Figure,
    Table,
    local_midnight,
    percent,
    score,
)
from ..health import held_visits

PACE_WEEKS = 4

DEFINITIONS = [
    (
        _("List size"),
        _(
            "Clients on the chosen programme's list; with no programme chosen, on the lists of "
            "the active programmes."
        ),
    ),
    (
        _("Coverage"),
        _("The share of the list visited: clients at the stage “visited” or “follow-ups done”."),
    ),
    (
        _("Worked through"),
        _(
            "Clients at “visited”, “follow-ups done”, “declined” or “unreachable”: nothing is "
            "left to do for them in this run. “Clients left” are the rest."
        ),
    ),
    (
        _("Worked through on"),
        _(
            "The day of the client's first held VIP visit in the programme; for a client that "
            "declined or was unreachable, the day its stage last changed."
        ),
    ),
    (
        _("Pace"),
        _("Clients worked through in the last 4 weeks, divided by 4: clients per week."),
    ),
    (
        _("Forecast finish"),
        _(
            "Today plus the clients left divided by the pace. No forecast when nothing was "
            "worked through in the last 4 weeks."
        ),
    ),
    (
        _("Burn-down"),
        _(
            "Clients left at the end of each week since the earliest start, against the ideal "
            "line from the full list at the start to zero at the latest deadline, and the "
            "forecast line at the current pace."
        ),
    ),
]


def _worked_at():
    first_held = held_visits(enrolment=OuterRef("pk")).order_by("scheduled_at")
    return Case(
        When(
            stage__in=WORKED_THROUGH_STAGES,
            then=Coalesce(Subquery(first_held.values("scheduled_at")[:1]), F("stage_changed_at")),
        ),
    )


def _listed(scope):
    """The chosen programme's list; with none chosen, the lists of the active programmes (a
    closed run's progress is history, and would blur the burn-down)."""
    enrolments = scope.enrolments()
    if scope.programme is None:
        enrolments = enrolments.filter(programme__status=ProgrammeStatus.ACTIVE)
    return enrolments


def _counts(recent_from):
    return dict(
        listed=Count("pk"),
        visited=Count("pk", filter=Q(stage__in=VISITED_STAGES)),
        worked=Count("pk", filter=Q(stage__in=WORKED_THROUGH_STAGES)),
        recent=Count("pk", filter=Q(worked_at__gte=recent_from)),
    )


def _pace(recent) -> float:
    return recent / PACE_WEEKS


def _forecast(today, left, pace):
    if left == 0:
        return today
    if pace <= 0:
        return None
    return today + dt.timedelta(days=math.ceil(left / pace * 7))


def progress(scope, *, limit="page") -> Dashboard:
    """Every table is short (bounded by months, stages or people): ``limit`` changes nothing."""
    today = scope.today
    recent_from = local_midnight(today - dt.timedelta(days=PACE_WEEKS * 7))
    listed = _listed(scope)
    enrolments = listed.annotate(worked_at=_worked_at())

    totals = enrolments.aggregate(
        **_counts(recent_from),
        start=Min("programme__starts_on"),
        deadline=Max("programme__deadline"),
    )
    left = totals["listed"] - totals["worked"]
    pace = _pace(totals["recent"])
    forecast = _forecast(today, left, pace) if totals["listed"] else None

    programme_rows = []
    for row in (
        enrolments.values("programme_id", "programme__name", "programme__deadline")
        .annotate(**_counts(recent_from))
        .order_by("programme__deadline", "programme__name")
    ):
        row_left = row["listed"] - row["worked"]
        row_pace = _pace(row["recent"])
        row_forecast = _forecast(today, row_left, row_pace)
        programme_rows.append(
            {
                "programme": row["programme__name"],
                "listed": row["listed"],
                "visited": row["visited"],
                "coverage": percent(row["visited"], row["listed"]),
                "worked": row["worked"],
                "left": row_left,
                "pace": score(row_pace),
                "deadline": row["programme__deadline"],
                "forecast": row_forecast,
                "on_track": _on_track(row_forecast, row["programme__deadline"]),
            }
        )

    stage_counts = dict(
        listed.order_by().values_list("stage").annotate(n=Count("pk")).values_list("stage", "n")
    )
    stage_rows = [
        {
            "stage": str(label),
            "clients": stage_counts.get(value, 0),
            "share": percent(stage_counts.get(value, 0), totals["listed"]),
        }
        for value, label in Stage.choices
    ]

    employee_rows = []
    for row in (
        enrolments.filter(assignee__isnull=False)
        .values("assignee_id", "assignee__username")
        .annotate(
            person=Concat("assignee__first_name", Value(" "), "assignee__last_name"),
            **_counts(recent_from),
        )
        .order_by("assignee__last_name", "assignee__first_name", "assignee__username")
    ):
        row_left = row["listed"] - row["worked"]
        row_pace = _pace(row["recent"])
        employee_rows.append(
            {
                "employee": row["person"].strip() or row["assignee__username"],
                "listed": row["listed"],
                "visited": row["visited"],
                "coverage": percent(row["visited"], row["listed"]),
                "worked": row["worked"],
                "left": row_left,
                "recent": row["recent"],
                "pace": score(row_pace),
                "weeks_left": score(row_left / row_pace) if row_pace else None,
            }
        )

    burn_rows = _burn_down(enrolments, totals, today, pace)

    figures = [
        Figure("listed", _("Clients on the list"), totals["listed"]),
        Figure("visited", _("Visited"), totals["visited"]),
        Figure("coverage", _("Coverage"), percent(totals["visited"], totals["listed"]), PERCENT),
        Figure("worked", _("Worked through"), totals["worked"]),
        Figure("left", _("Clients left"), left),
        Figure("pace", _("Pace (clients per week)"), score(pace), "score"),
        Figure("deadline", _("Deadline"), totals["deadline"], DATE),
        Figure("forecast", _("Forecast finish"), forecast, DATE),
    ]
    return Dashboard(
        name="progress",
        title=_("Programme progress"),
        figures=figures,
        definitions=DEFINITIONS,
        tables=[
            Table(
                "programmes",
                _("Programmes"),
                [
                    Column("programme", _("Programme")),
                    Column("listed", _("On the list"), INT),
                    Column("visited", _("Visited"), INT),
                    Column("coverage", _("Coverage"), PERCENT),
                    Column("worked", _("Worked through"), INT),
                    Column("left", _("Left"), INT),
                    Column("pace", _("Pace per week"), "score"),
                    Column("deadline", _("Deadline"), DATE),
                    Column("forecast", _("Forecast finish"), DATE),
                    Column("on_track", _("On track")),
                ],
                programme_rows,
                empty=_("No client is on a programme list yet: compose a programme's list first."),
            ),
            Table(
                "stages",
                _("Stage funnel"),
                [
                    Column("stage", _("Stage")),
                    Column("clients", _("Clients"), INT),
                    Column("share", _("Share of the list"), PERCENT),
                ],
                stage_rows if totals["listed"] else [],
                chart=Chart("bar", "stage", ["clients"]),
                empty=_("No client is on a programme list yet."),
                note=_(
                    "A client moves not contacted → meeting booked → visited → follow-ups done, "
                    "or ends as declined or unreachable."
                ),
            ),
            Table(
                "employees",
                _("Pace per employee"),
                [
                    Column("employee", _("Employee")),
                    Column("listed", _("Personal list"), INT),
                    Column("visited", _("Visited"), INT),
                    Column("coverage", _("Coverage"), PERCENT),
                    Column("worked", _("Worked through"), INT),
                    Column("left", _("Left"), INT),
                    Column("recent", _("Worked through, last 4 weeks"), INT),
                    Column("pace", _("Pace per week"), "score"),
                    Column("weeks_left", _("Weeks to finish"), "score"),
                ],
                employee_rows,
                chart=Chart("bar", "employee", ["worked", "left"], stacked=True),
                empty=_("No client is assigned yet: split the list into personal lists."),
            ),
            Table(
                "burndown",
                _("Burn-down: clients left"),
                [
                    Column("day", _("Week ending"), DATE),
                    Column("left", _("Clients left"), INT),
                    Column("ideal", _("Ideal"), "score"),
                    Column("forecast", _("Forecast"), "score"),
                ],
                burn_rows,
                chart=Chart("line", "day", ["left", "ideal", "forecast"]),
                empty=_("No client is on a programme list yet."),
            ),
        ],
    )


def _on_track(forecast, deadline):
    if forecast is None:
        return str(_("no forecast"))
    return str(_("yes")) if forecast <= deadline else str(_("no"))


def _burn_down(enrolments, totals, today, pace):
    """Weekly points from the earliest start: clients left (up to today), the ideal line and
    the forecast (from today on). The days worked through are grouped in the database."""
    listed, start, deadline = totals["listed"], totals["start"], totals["deadline"]
    if not listed or start is None:
        return []
    per_day = dict(
        enrolments.filter(stage__in=WORKED_THROUGH_STAGES)
        .annotate(day=TruncDate("worked_at"))
        .order_by()
        .values_list("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    left_today = listed - sum(per_day.values())
    forecast_end = _forecast(today, left_today, pace)
    last = max(deadline, today)
    if forecast_end is not None:
        last = max(last, min(forecast_end, deadline + dt.timedelta(days=365)))
    days = []
    day = start
    while day < last:
        days.append(day)
        day += dt.timedelta(days=7)
    days.append(last)
    if start <= today <= last and today not in days:
        days.append(today)
    days.sort()
    span = (deadline - start).days
    rows = []
    for day in days:
        done = sum(n for worked_day, n in per_day.items() if worked_day and worked_day <= day)
        ideal = listed * max(0, (deadline - day).days) / span if span > 0 else 0
        forecast = None
        if day >= today and pace > 0:
            forecast = max(0.0, left_today - pace / 7 * (day - today).days)
        elif day >= today and left_today == 0:
            forecast = 0.0
        rows.append(
            {
                "day": day,
                "left": listed - done if day <= today else None,
                "ideal": score(ideal),
                "forecast": score(forecast),
            }
        )
    return rows
