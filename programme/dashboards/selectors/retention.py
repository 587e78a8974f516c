"""Retention: active clients, client retention and churn, revenue retention, lost clients.

All monthly figures come from one aggregate query over the client volumes (a few conditional
aggregates per month of the period), so the cost does not grow with the number of clients.
"""

from decimal import Decimal

from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.enums import ClientStatus
from clients.models import ClientVolume

from ..base import (
    DATE,
    INT,
    MONEY,
    PERCENT,
    Chart,
    Column,
    Dashboard,
    Figure,
    Table,
    add_months,
    money,
    month_label,
    months,
    percent,
)
from ..health import held_visits, last_reports

DEFINITIONS = [
    (
        _("Active client in month M"),
        _("A client with a recorded volume above zero in month M."),
    ),
    (
        _("Client retention for month M"),
        _(
            "Of the clients active in M−12 (the same month a year earlier), the share still "
            "active in M."
        ),
    ),
    (_("Churn rate for month M"), _("100% minus the client retention for M.")),
    (
        _("Revenue retention for month M"),
        _(
            "What the clients active in M−12 buy in M, against what they bought in M−12 "
            "(net revenue retention: above 100% means they buy more than a year ago)."
        ),
    ),
    (
        _("Lost client"),
        _("A client marked lost, with the date it was lost inside the period."),
    ),
    (
        _("Headline figures"),
        _("The last month of the period; the lost clients count the whole period."),
    ),
]


# The lost clients listed on the page (the most recently lost); the export lists every one.
PAGE_ROWS = 50


def retention(scope, *, limit="page") -> Dashboard:
    """``limit``: how many lost clients to list — a page's worth by default, every one with
    ``None`` (the export). The other tables are short (bounded by months)."""
    if limit == "page":
        limit = PAGE_ROWS
    period = months(scope.start, scope.end)
    result = _monthly_figures(scope, period)

    rows = []
    for i, month in enumerate(period):
        cohort, kept = result[f"cohort_{i}"], result[f"kept_{i}"]
        retention_rate = percent(kept, cohort)
        then = money(result[f"revenue_then_{i}"])
        now = money(result[f"revenue_now_{i}"])
        rows.append(
            {
                "month": month_label(month),
                "active": result[f"active_{i}"],
                "cohort": cohort,
                "kept": kept,
                "retention": retention_rate,
                "churn": Decimal(100) - retention_rate if retention_rate is not None else None,
                "revenue_then": then,
                "revenue_now": now,
                "revenue_retention": percent(now, then),
            }
        )

    lost = _lost_clients(scope)
    last = rows[-1]
    figures = [
        Figure("active", _("Active clients"), last["active"]),
        Figure("retention", _("Client retention"), last["retention"], PERCENT),
        Figure("churn", _("Churn rate"), last["churn"], PERCENT),
        Figure("revenue_retention", _("Revenue retention"), last["revenue_retention"], PERCENT),
        Figure("lost", _("Clients lost in the period"), len(lost)),
    ]
    has_volume = any(r["active"] or r["cohort"] for r in rows)
    return Dashboard(
        name="retention",
        title=_("Retention"),
        figures=figures,
        definitions=DEFINITIONS,
        tables=[
            Table(
                "active",
                _("Active clients per month"),
                [Column("month", _("Month")), Column("active", _("Active clients"), INT)],
                rows if has_volume else [],
                chart=Chart("bar", "month", ["active"]),
                empty=_(
                    "No volumes recorded for these months: enter them on the client card or "
                    "import them from accounting."
                ),
            ),
            Table(
                "retention",
                _("Client retention and churn"),
                [
                    Column("month", _("Month")),
                    Column("cohort", _("Active a year earlier"), INT),
                    Column("kept", _("Still active"), INT),
                    Column("retention", _("Client retention"), PERCENT),
                    Column("churn", _("Churn rate"), PERCENT),
                ],
                rows if has_volume else [],
                chart=Chart("line", "month", ["retention", "churn"]),
                empty=_("No volumes recorded a year before these months."),
            ),
            Table(
                "revenue",
                _("Revenue retention"),
                [
                    Column("month", _("Month")),
                    Column("revenue_then", _("Bought a year earlier"), MONEY),
                    Column("revenue_now", _("The same clients buy now"), MONEY),
                    Column("revenue_retention", _("Revenue retention"), PERCENT),
                ],
                rows if has_volume else [],
                chart=Chart("line", "month", ["revenue_retention"]),
                empty=_("No volumes recorded a year before these months."),
            ),
            Table(
                "lost",
                _("Lost clients"),
                [
                    Column("client", _("Client"), link="client_url"),
                    Column("segment", _("Segment")),
                    Column("lost_on", _("Lost on"), DATE),
                    Column("last_visit", _("Last held visit"), DATE),
                    Column("score_goods", _("Goods"), INT),
                    Column("score_services", _("Services"), INT),
                    Column("score_service", _("Service"), INT),
                    Column("recommendation", _("Recommendation"), INT),
                    Column("last_volume_month", _("Last month with volume")),
                ],
                lost if limit is None else lost[:limit],
                empty=_("No client was lost in this period."),
                note=_("The %(count)s most recently lost; the export has every client.")
                % {"count": limit}
                if limit is not None and len(lost) > limit
                else "",
            ),
        ],
    )


def _monthly_figures(scope, period) -> dict:
    """Every month's figures in one query that reads the volumes of the months needed once:
    an inner query pivots them to one row per client (the amount of each month, a volume being
    unique per client and month), the outer one counts and sums those rows per month. Nothing is
    evaluated per volume row (no ``IN (SELECT …)`` per month), so PostgreSQL runs one hashed
    aggregation instead of a subplan per row."""
    if not period:
        return {}
    needed = sorted(set(period) | {add_months(month, -12) for month in period})
    column = {month: f"m{n}" for n, month in enumerate(needed)}
    per_client = (
        scope.restrict(ClientVolume.objects.filter(period__in=needed))
        .order_by()
        .values("client_id")
        .annotate(**{name: Sum("amount", filter=Q(period=month)) for month, name in column.items()})
    )
    aggregates = {}
    for i, month in enumerate(period):
        now, then = column[month], column[add_months(month, -12)]
        cohort = Q(**{f"{then}__gt": 0})
        aggregates[f"active_{i}"] = Count("client_id", filter=Q(**{f"{now}__gt": 0}))
        aggregates[f"cohort_{i}"] = Count("client_id", filter=cohort)
        aggregates[f"kept_{i}"] = Count("client_id", filter=cohort & Q(**{f"{now}__gt": 0}))
        aggregates[f"revenue_then_{i}"] = Sum(then, filter=cohort)
        aggregates[f"revenue_now_{i}"] = Sum(now, filter=cohort)
    return per_client.aggregate(**aggregates)


def _lost_clients(scope):
    last_report = last_reports()
    rows = (
        scope.clients()
        .filter(
            status=ClientStatus.LOST, lost_on__gte=scope.start, lost_on__lte=scope.period_last_day
        )
        .annotate(
            last_visit_at=Subquery(
                held_visits(client=OuterRef("pk"))
                .order_by("-scheduled_at")
                .values("scheduled_at")[:1]
            ),
            score_goods=Subquery(last_report.values("score_goods")[:1]),
            score_services=Subquery(last_report.values("score_services")[:1]),
            score_service=Subquery(last_report.values("score_service")[:1]),
            recommendation=Subquery(last_report.values("recommendation_score")[:1]),
            last_volume_month=Subquery(
                ClientVolume.objects.filter(client=OuterRef("pk"), amount__gt=0)
                .order_by("-period")
                .values("period")[:1]
            ),
        )
        .values(
            "pk",
            "name",
            "segment__name",
            "lost_on",
            "last_visit_at",
            "score_goods",
            "score_services",
            "score_service",
            "recommendation",
            "last_volume_month",
        )
        .order_by("-lost_on", "name")
    )
    return [
        {
            "client": row["name"],
            "client_url": reverse("clients:client_detail", args=[row["pk"]]),
            "segment": row["segment__name"] or "",
            "lost_on": row["lost_on"],
            "last_visit": timezone.localtime(row["last_visit_at"]).date()
            if row["last_visit_at"]
            else None,
            "score_goods": row["score_goods"],
            "score_services": row["score_services"],
            "score_service": row["score_service"],
            "recommendation": row["recommendation"],
            "last_volume_month": month_label(row["last_volume_month"])
            if row["last_volume_month"]
            else "",
        }
        for row in rows
    ]
