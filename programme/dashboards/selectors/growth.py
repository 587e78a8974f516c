"""Growth: the opportunities found on visits — open pipeline, won and lost value, by kind
(upsell / cross-sell) and by employee."""

from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce, Concat, TruncMonth
from django.utils.translation import gettext_lazy as _

from feedback.enums import OpportunityKind
from feedback.models import Opportunity

from ..base import (
    INT,
    MONEY,
    PERCENT,
    Chart,
    Column,
    Dashboard,
    Figure,
    Table,
    money,
    month_label,
    months,
    percent,
)
from .quality import _month

DEFINITIONS = [
    (
        _("Open pipeline"),
        _(
            "Opportunities open today that were created before the end of the period, with the "
            "sum of their expected values."
        ),
    ),
    (
        _("Won"),
        _(
            "Opportunities won in the period (by the day they were closed, or created if no "
            "closing day was recorded), with the sum of the values won."
        ),
    ),
    (
        _("Lost"),
        _("Opportunities lost in the period, with the sum of their expected values."),
    ),
    (_("Win rate"), _("Won against won plus lost, by count, in the period.")),
    (
        _("Upsell and cross-sell"),
        _(
            "An upsell is more volume on a position the client already buys; a cross-sell is a "
            "new position or topic."
        ),
    ),
    (_("By employee"), _("The opportunity's owner.")),
]


def _aggregates(scope):
    closed_in_period = Q(closed_on__gte=scope.period_start, closed_on__lt=scope.period_end)
    won, lost = Q(status="won") & closed_in_period, Q(status="lost") & closed_in_period
    is_open = Q(status="open")
    return dict(
        open_count=Count("pk", filter=is_open),
        open_value=Sum("expected_value", filter=is_open),
        won_count=Count("pk", filter=won),
        won_value=Sum("won_value", filter=won),
        lost_count=Count("pk", filter=lost),
        lost_value=Sum("expected_value", filter=lost),
    )


def _row(row, **extra):
    return {
        **extra,
        "open_count": row["open_count"],
        "open_value": money(row["open_value"]),
        "won_count": row["won_count"],
        "won_value": money(row["won_value"]),
        "lost_count": row["lost_count"],
        "lost_value": money(row["lost_value"]),
        "win_rate": percent(row["won_count"], row["won_count"] + row["lost_count"]),
    }


def _columns(first):
    return [
        first,
        Column("open_count", _("Open"), INT),
        Column("open_value", _("Open pipeline"), MONEY),
        Column("won_count", _("Won"), INT),
        Column("won_value", _("Value won"), MONEY),
        Column("lost_count", _("Lost"), INT),
        Column("lost_value", _("Value lost"), MONEY),
        Column("win_rate", _("Win rate"), PERCENT),
    ]


def growth(scope, *, limit="page") -> Dashboard:
    """Every table is short (bounded by months, stages or people): ``limit`` changes nothing."""
    opportunities = scope.restrict(
        Opportunity.objects.filter(created_at__lt=scope.period_end)
    ).annotate(closed_on=Coalesce("closed_at", "created_at"))
    aggregates = _aggregates(scope)
    totals = opportunities.aggregate(**aggregates)
    kinds = {
        row["kind"]: row for row in opportunities.order_by().values("kind").annotate(**aggregates)
    }
    zero = dict.fromkeys(aggregates, 0)
    kind_rows = [
        _row(kinds.get(value, zero), kind=str(label)) for value, label in OpportunityKind.choices
    ]
    employee_rows = [
        _row(row, employee=row["person"].strip() or row["owner__username"])
        for row in opportunities.order_by()
        .values("owner_id", "owner__username")
        .annotate(person=Concat("owner__first_name", Value(" "), "owner__last_name"), **aggregates)
        .order_by("owner__last_name", "owner__first_name", "owner__username")
    ]
    by_month = {
        _month(row["month"]): row
        for row in opportunities.filter(
            status__in=("won", "lost"),
            closed_on__gte=scope.period_start,
            closed_on__lt=scope.period_end,
        )
        .annotate(month=TruncMonth(F("closed_on")))
        .order_by()
        .values("month")
        .annotate(
            won_value=Sum("won_value", filter=Q(status="won")),
            lost_value=Sum("expected_value", filter=Q(status="lost")),
        )
    }
    month_rows = [
        {
            "month": month_label(month),
            "won_value": money(by_month.get(month, {}).get("won_value")),
            "lost_value": money(by_month.get(month, {}).get("lost_value")),
        }
        for month in months(scope.start, scope.end)
    ]
    total_row = _row(totals)
    figures = [
        Figure("open_count", _("Open opportunities"), total_row["open_count"]),
        Figure("open_value", _("Open pipeline"), total_row["open_value"], MONEY),
        Figure("won_count", _("Won"), total_row["won_count"]),
        Figure("won_value", _("Value won"), total_row["won_value"], MONEY),
        Figure("lost_count", _("Lost"), total_row["lost_count"]),
        Figure("lost_value", _("Value lost"), total_row["lost_value"], MONEY),
        Figure("win_rate", _("Win rate"), total_row["win_rate"], PERCENT),
    ]
    has_any = bool(employee_rows)
    empty = _("No opportunity yet: they are recorded in visit reports (upsell and cross-sell).")
    return Dashboard(
        name="growth",
        title=_("Growth"),
        figures=figures,
        definitions=DEFINITIONS,
        tables=[
            Table(
                "kinds",
                _("By kind"),
                _columns(Column("kind", _("Kind"))),
                kind_rows if has_any else [],
                chart=Chart("bar", "kind", ["open_value", "won_value", "lost_value"]),
                empty=empty,
            ),
            Table(
                "employees",
                _("By employee"),
                _columns(Column("employee", _("Employee"))),
                employee_rows,
                chart=Chart("bar", "employee", ["open_value", "won_value", "lost_value"]),
                empty=empty,
            ),
            Table(
                "months",
                _("Won and lost value per month"),
                [
                    Column("month", _("Month")),
                    Column("won_value", _("Value won"), MONEY),
                    Column("lost_value", _("Value lost"), MONEY),
                ],
                month_rows if by_month else [],
                chart=Chart("bar", "month", ["won_value", "lost_value"]),
                empty=_("No opportunity was won or lost in this period."),
            ),
        ],
    )
