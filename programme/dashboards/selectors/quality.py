"""Quality: the three quality scores and the recommendation score over time, by segment and by
employee; open corrective actions; the median time to resolve one."""

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.db.models import Aggregate, Avg, Count, DurationField, ExpressionWrapper, F, Q, Value
from django.db.models.functions import Concat, TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from feedback.models import CorrectiveAction, VisitReport

from ..base import (
    CENT,
    DATE,
    DAYS,
    INT,
    SCORE,
    TENTH,
    TEXT,
    Chart,
    Column,
    Dashboard,
    Figure,
    Table,
    month_label,
    months,
    percent,
    score,
)

PAGE_ROWS = 50

DEFINITIONS = [
    (
        _("Quality scores"),
        _(
            "The averages of the goods, services and service scores (1–5) of the visit reports "
            "finished in the period."
        ),
    ),
    (
        _("Recommendation score"),
        _("The average answer to “would you recommend us” (0–10) in those reports."),
    ),
    (
        _("Net promoter score"),
        _(
            "The share of answers at 9–10 (promoters) minus the share at 0–6 (detractors), "
            "in points from −100 to 100."
        ),
    ),
    (
        _("Open corrective actions"),
        _(
            "Actions open or in progress today, whatever the period; overdue ones are past "
            "their due date."
        ),
    ),
    (
        _("Median time to resolve"),
        _(
            "The median of the days from opening to resolving, over the corrective actions "
            "resolved in the period (half took less, half took more)."
        ),
    ),
    (_("By employee"), _("The employee who held the visit.")),
]


class Median(Aggregate):
    """PostgreSQL's ``PERCENTILE_CONT(0.5)``, the continuous median."""

    name = "Median"
    template = "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"


def median_duration(queryset, expression) -> dt.timedelta | None:
    """The median of a duration over ``queryset``, computed in the database.

    PostgreSQL has the ordered-set aggregate ``PERCENTILE_CONT``. SQLite has none, so there the
    same median comes from a window query: the rows ordered by the duration, numbered, and the
    middle one (or the mean of the middle two) kept.
    """
    if connection.vendor == "postgresql":
        return queryset.aggregate(m=Median(expression, output_field=DurationField()))["m"]
    inner = queryset.annotate(took=expression).values("took")
    sql, params = inner.query.sql_with_params()
    window_sql = (
        "SELECT AVG(took) FROM ("
        " SELECT took, ROW_NUMBER() OVER (ORDER BY took) AS rn, COUNT(*) OVER () AS cnt"
        f" FROM ({sql}) AS durations"
        ") AS ranked WHERE rn IN ((cnt + 1) / 2, (cnt + 2) / 2)"
    )
    with connection.cursor() as cursor:
        cursor.execute(window_sql, params)
        (value,) = cursor.fetchone()
    # Django stores a duration on SQLite as whole microseconds.
    return None if value is None else dt.timedelta(microseconds=float(value))


def _score_aggregates():
    return dict(
        reports=Count("pk"),
        goods=Avg("score_goods"),
        services=Avg("score_services"),
        service=Avg("score_service"),
        recommendation=Avg("recommendation_score"),
        rated=Count("recommendation_score"),
        promoters=Count("pk", filter=Q(recommendation_score__gte=9)),
        detractors=Count("pk", filter=Q(recommendation_score__lte=6)),
    )


def _score_row(row, **extra):
    return {
        **extra,
        "reports": row["reports"],
        "goods": score(row["goods"], CENT),
        "services": score(row["services"], CENT),
        "service": score(row["service"], CENT),
        "recommendation": score(row["recommendation"], CENT),
        "nps": percent(row["promoters"] - row["detractors"], row["rated"]),
    }


def _score_columns(first):
    return [
        first,
        Column("reports", _("Reports"), INT),
        Column("goods", _("Goods"), SCORE),
        Column("services", _("Services"), SCORE),
        Column("service", _("Service"), SCORE),
        Column("recommendation", _("Recommendation"), SCORE),
        Column("nps", _("Net promoter score"), SCORE),
    ]


def quality(scope, *, limit="page") -> Dashboard:
    """``limit``: how many open corrective actions to list (the most overdue first) — a page's
    worth by default, all with ``None`` (the export)."""
    if limit == "page":
        limit = PAGE_ROWS
    reports = scope.restrict(
        VisitReport.objects.filter(status="finished", **scope.in_period("finished_at")),
        "visit__client",
    )
    totals = reports.aggregate(**_score_aggregates())

    by_month = {
        _month(row["month"]): row
        for row in reports.annotate(month=TruncMonth("finished_at"))
        .order_by()
        .values("month")
        .annotate(**_score_aggregates())
    }
    empty = dict.fromkeys(_score_aggregates(), None) | {
        "reports": 0,
        "rated": 0,
        "promoters": 0,
        "detractors": 0,
    }
    month_rows = [
        _score_row(by_month.get(month, empty), month=month_label(month))
        for month in months(scope.start, scope.end)
    ]
    segment_rows = [
        _score_row(row, segment=row["visit__client__segment__name"] or str(_("No segment")))
        for row in reports.order_by()
        .values("visit__client__segment__name")
        .annotate(**_score_aggregates())
        .order_by("visit__client__segment__name")
    ]
    employee_rows = [
        _score_row(row, employee=row["person"].strip() or row["visit__employee__username"])
        for row in reports.order_by()
        .values("visit__employee_id", "visit__employee__username")
        .annotate(
            person=Concat("visit__employee__first_name", Value(" "), "visit__employee__last_name"),
            **_score_aggregates(),
        )
        .order_by("visit__employee__last_name", "visit__employee__username")
    ]

    actions = scope.restrict(CorrectiveAction.objects.all())
    today = scope.today
    open_counts = actions.open().aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today))
    )
    open_actions = (
        actions.open()
        .order_by("due_on", "id")
        .values(
            "pk",
            "client_id",
            "client__name",
            "area",
            "complaint",
            "owner__first_name",
            "owner__last_name",
            "owner__username",
            "opened_at",
            "due_on",
        )
    )
    if limit is not None:
        open_actions = open_actions[:limit]
    area_labels = dict(CorrectiveAction._meta.get_field("area").choices)
    open_rows = [
        {
            "client": row["client__name"],
            "client_url": reverse("clients:client_detail", args=[row["client_id"]]),
            "area": str(area_labels.get(row["area"], row["area"])),
            "complaint": row["complaint"],
            "owner": f"{row['owner__first_name']} {row['owner__last_name']}".strip()
            or row["owner__username"],
            "opened_on": timezone.localtime(row["opened_at"]).date(),
            "due_on": row["due_on"],
            "overdue_days": (today - row["due_on"]).days if row["due_on"] < today else 0,
        }
        for row in open_actions
    ]
    resolved = actions.filter(resolved_at__isnull=False, **scope.in_period("resolved_at"))
    took = ExpressionWrapper(F("resolved_at") - F("opened_at"), output_field=DurationField())
    median = median_duration(resolved, took)
    median_days = (
        score(Decimal(median.total_seconds()) / Decimal(86400), TENTH)
        if median is not None
        else None
    )

    figures = [
        Figure("reports", _("Visit reports"), totals["reports"]),
        Figure("goods", _("Goods"), score(totals["goods"], CENT), SCORE),
        Figure("services", _("Services"), score(totals["services"], CENT), SCORE),
        Figure("service", _("Service"), score(totals["service"], CENT), SCORE),
        Figure(
            "recommendation",
            _("Recommendation score"),
            score(totals["recommendation"], CENT),
            SCORE,
        ),
        Figure(
            "nps",
            _("Net promoter score"),
            percent(totals["promoters"] - totals["detractors"], totals["rated"]),
            SCORE,
        ),
        Figure("open_actions", _("Open corrective actions"), open_counts["open"]),
        Figure("overdue_actions", _("Overdue corrective actions"), open_counts["overdue"]),
        Figure("resolved_actions", _("Resolved in the period"), resolved.count()),
        Figure("median_days", _("Median days to resolve"), median_days, DAYS),
    ]
    no_reports = _("No visit report was finished in this period.")
    return Dashboard(
        name="quality",
        title=_("Quality"),
        figures=figures,
        definitions=DEFINITIONS,
        tables=[
            Table(
                "months",
                _("Scores over time"),
                _score_columns(Column("month", _("Month"))),
                month_rows if totals["reports"] else [],
                chart=Chart("line", "month", ["goods", "services", "service", "recommendation"]),
                empty=no_reports,
            ),
            Table(
                "segments",
                _("Scores by segment"),
                _score_columns(Column("segment", _("Segment"))),
                segment_rows,
                chart=Chart("bar", "segment", ["goods", "services", "service", "recommendation"]),
                empty=no_reports,
            ),
            Table(
                "employees",
                _("Scores by employee"),
                _score_columns(Column("employee", _("Employee"))),
                employee_rows,
                chart=Chart("bar", "employee", ["goods", "services", "service", "recommendation"]),
                empty=no_reports,
            ),
            Table(
                "actions",
                _("Open corrective actions"),
                [
                    Column("client", _("Client"), TEXT, link="client_url"),
                    Column("area", _("Area")),
                    Column("complaint", _("Complaint")),
                    Column("owner", _("Owner")),
                    Column("opened_on", _("Opened"), DATE),
                    Column("due_on", _("Due"), DATE),
                    Column("overdue_days", _("Days overdue"), INT),
                ],
                open_rows,
                empty=_("No corrective action is open."),
                note=_("The %(count)s due first; the export has every open action.")
                % {"count": limit}
                if limit is not None and open_counts["open"] > limit
                else "",
            ),
        ],
    )


def _month(value):
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)
