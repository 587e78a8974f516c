"""The client health score, computed in the database (one query, no loop over clients).

Health starts at 100 and loses points for each warning sign; it never goes below 0. The lower
the score, the higher the client ranks on the at-risk list.

===============================  ===================================================  ========
Sign                             Rule                                                 Points
===============================  ===================================================  ========
Long since the last visit        no held VIP visit ever, or the last one more than    −25
                                 180 days ago
                                 the last held visit 91–180 days ago                   −15
Low quality scores               each of the three quality scores (goods, services,   −5 each
                                 service) of the last finished visit report (the
                                 report of the latest visit that has one) at 1–2
Low recommendation score         the last report's "would you recommend us" at 0–6    −15
                                 (a detractor); at 7–8 (a passive)                    −5
Open corrective actions          each open (open or in progress) action, at most 15   −5 each
Overdue corrective actions       each open action past its due date, at most 20       −10 each
Falling volume                   the last 3 complete months against the 3 before:     −20
                                 down by 30 % or more (only if the 3 before had any)
                                 down by 10 % or more, less than 30 %                  −10
Few key contacts                 no current key contact                               −20
                                 only one current key contact (single-threaded)       −15
Monopolised                      the relationship assessment on the client's latest   −10
                                 enrolment is "monopolised"
===============================  ===================================================  ========

Bands: 80–100 healthy, 60–79 watch, below 60 at risk. "Current" key contacts are those who have
not left the company; the "last 3 complete months" end with the month before the current one.
"""

import datetime as dt
from decimal import Decimal

from django.db.models import (
    Case,
    DecimalField,
    F,
    Func,
    IntegerField,
    OuterRef,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, Greatest
from django.utils.translation import gettext_lazy as _

from clients.models import ClientVolume, KeyContact
from feedback.enums import VisitStatus
from feedback.models import CorrectiveAction, Visit, VisitReport
from programme.enums import Assessment

from .base import add_months, local_midnight, month_start

HEALTHY_FROM = 80
AT_RISK_BELOW = 60

# (key, points, description) — shown on the at-risk page as the formula.
HEALTH_RULES = [
    (
        "visit",
        "−25 / −15",
        _(
            "No held VIP visit ever, or the last one more than 180 days ago: −25. "
            "The last held visit 91–180 days ago: −15."
        ),
    ),
    (
        "quality",
        "−5 × 3",
        _(
            "Each of the three quality scores (goods, services, service) of the last finished "
            "visit report at 1 or 2: −5."
        ),
    ),
    (
        "recommendation",
        "−15 / −5",
        _(
            "The last report's recommendation score at 0–6 (a detractor): −15; at 7–8 "
            "(a passive): −5."
        ),
    ),
    ("open_actions", "−5 × n, ≤ −15", _("Each open corrective action: −5, at most −15.")),
    (
        "overdue_actions",
        "−10 × n, ≤ −20",
        _("Each open corrective action past its due date: another −10, at most −20."),
    ),
    (
        "volume",
        "−20 / −10",
        _(
            "Volume of the last 3 complete months against the 3 months before: down by 30% or "
            "more: −20; down by 10% to 30%: −10 (only when the earlier months had volume)."
        ),
    ),
    (
        "contacts",
        "−20 / −15",
        _("No current key contact: −20; only one (a single-threaded client): −15."),
    ),
    (
        "monopolised",
        "−10",
        _("The relationship on the client's latest enrolment is assessed as monopolised: −10."),
    ),
]

PENALTY_FIELDS = [
    "penalty_visit",
    "penalty_quality",
    "penalty_recommendation",
    "penalty_open_actions",
    "penalty_overdue_actions",
    "penalty_volume",
    "penalty_contacts",
    "penalty_monopolised",
]


def held_visits(**lookups):
    """Held visits, e.g. ``held_visits(client=OuterRef("pk"))``.

    "Held" is written as "neither planned nor cancelled" on purpose: SQLite, which keeps no
    statistics unless ANALYZE runs, would otherwise walk the (status, date) index over every
    client's visits for each client — quadratic — instead of the (client, date) index.
    """
    return Visit.objects.filter(**lookups).exclude(
        status__in=(VisitStatus.PLANNED, VisitStatus.CANCELLED)
    )


def last_reports():
    """The client's finished visit reports, the latest visit's first."""
    return VisitReport.objects.filter(visit__client=OuterRef("pk"), status="finished").order_by(
        "-visit__scheduled_at", "-finished_at", "-id"
    )


def subquery_count(queryset):
    """A correlated ``COUNT(*)`` of ``queryset`` as an expression (0 when there is none)."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def subquery_sum(queryset, field):
    summed = queryset.order_by().annotate(s=Func(F(field), function="SUM")).values("s")
    money = DecimalField(max_digits=16, decimal_places=2)
    return Coalesce(Subquery(summed, output_field=money), Value(Decimal("0")), output_field=money)


def _points(*whens):
    return Case(*whens, default=Value(0), output_field=IntegerField())


def _first(queryset, points):
    """The points of the first row of ``queryset`` (0 when there is none)."""
    return Coalesce(Subquery(queryset.annotate(points=points).values("points")[:1]), Value(0))


def _count_points(queryset, *whens, default):
    """Points from ``n``, the number of rows of ``queryset``: one subquery, one row."""
    counted = (
        queryset.order_by()
        .annotate(n=Func(F("pk"), function="COUNT", output_field=IntegerField()))
        .annotate(points=Case(*whens, default=default, output_field=IntegerField()))
        .values("points")
    )
    return Subquery(counted, output_field=IntegerField())


def _money_sum(expression):
    money = DecimalField(max_digits=16, decimal_places=2)
    return Func(expression, function="SUM", output_field=money)


def health_penalties(*, today: dt.date, enrolments) -> dict:
    """The points each rule takes off, as expressions over a Client queryset.

    Each rule is a single correlated subquery, so that the score (their sum) reads each table
    once per client; the facts shown beside the score are separate columns (``annotate_health``).
    """
    this_month = month_start(today)
    recent_from, before_from = add_months(this_month, -3), add_months(this_month, -6)
    last_report = last_reports()
    held = held_visits(client=OuterRef("pk")).order_by("-scheduled_at")
    open_actions = CorrectiveAction.objects.filter(client=OuterRef("pk")).open()
    volume_window = ClientVolume.objects.filter(
        client=OuterRef("pk"), period__gte=before_from, period__lt=this_month
    ).order_by()
    zero = Value(Decimal("0"))
    volume_trend = (
        volume_window.annotate(
            recent=_money_sum(Case(When(period__gte=recent_from, then=F("amount")), default=zero)),
            before=_money_sum(Case(When(period__lt=recent_from, then=F("amount")), default=zero)),
        )
        # Compared in whole numbers (recent × 10 against before × 7) to keep 30 % exact.
        .annotate(
            recent_x10=F("recent") * 10,
            before_x7=F("before") * 7,
            before_x9=F("before") * 9,
        )
        .annotate(
            points=_points(
                When(before__gt=0, recent_x10__lte=F("before_x7"), then=Value(20)),
                When(before__gt=0, recent_x10__lte=F("before_x9"), then=Value(10)),
            )
        )
        .values("points")
    )
    return {
        "penalty_visit": Coalesce(
            Subquery(
                held.annotate(
                    points=_points(
                        When(
                            scheduled_at__lt=local_midnight(today - dt.timedelta(days=180)),
                            then=Value(25),
                        ),
                        When(
                            scheduled_at__lt=local_midnight(today - dt.timedelta(days=90)),
                            then=Value(15),
                        ),
                    )
                ).values("points")[:1]
            ),
            Value(25),  # never visited
        ),
        "penalty_quality": _first(
            last_report,
            _points(When(score_goods__lte=2, then=Value(5)))
            + _points(When(score_services__lte=2, then=Value(5)))
            + _points(When(score_service__lte=2, then=Value(5))),
        ),
        "penalty_recommendation": _first(
            last_report,
            _points(
                When(recommendation_score__lte=6, then=Value(15)),
                When(recommendation_score__lte=8, then=Value(5)),
            ),
        ),
        "penalty_open_actions": _count_points(
            open_actions, When(n__gte=3, then=Value(15)), default=F("n") * 5
        ),
        "penalty_overdue_actions": _count_points(
            open_actions.filter(due_on__lt=today),
            When(n__gte=2, then=Value(20)),
            default=F("n") * 10,
        ),
        "penalty_volume": Coalesce(Subquery(volume_trend, output_field=IntegerField()), Value(0)),
        "penalty_contacts": _count_points(
            KeyContact.objects.filter(client=OuterRef("pk")).current(),
            When(n=0, then=Value(20)),
            When(n=1, then=Value(15)),
            default=Value(0),
        ),
        "penalty_monopolised": _first(
            enrolments.filter(client=OuterRef("pk")).order_by(
                "-programme__starts_on", "-programme_id"
            ),
            _points(When(assessment=Assessment.MONOPOLISED, then=Value(10))),
        ),
    }


def _health(names):
    total = sum((F(name) for name in names[1:]), F(names[0]))
    return Greatest(Value(0), Value(100) - total, output_field=IntegerField())


def annotate_health(clients, *, today: dt.date, enrolments, facts=True):
    """``clients`` with ``health`` (0–100) and, with ``facts``, the points of each rule and the
    facts behind them (last held visit, last recommendation score, open and overdue actions,
    current contacts, volumes, and the assignee of the latest enrolment in ``enrolments``)."""
    penalties = health_penalties(today=today, enrolments=enrolments)
    if not facts:
        return clients.alias(**penalties).annotate(health=_health(PENALTY_FIELDS))
    this_month = month_start(today)
    recent_from, before_from = add_months(this_month, -3), add_months(this_month, -6)
    last_report = last_reports()
    latest_enrolment = enrolments.filter(client=OuterRef("pk")).order_by(
        "-programme__starts_on", "-programme_id"
    )
    open_actions = CorrectiveAction.objects.filter(client=OuterRef("pk")).open()
    volumes = ClientVolume.objects.filter(client=OuterRef("pk"))
    return clients.annotate(
        **penalties,
        last_visit_at=Subquery(
            held_visits(client=OuterRef("pk")).order_by("-scheduled_at").values("scheduled_at")[:1]
        ),
        last_recommendation=Subquery(last_report.values("recommendation_score")[:1]),
        open_actions=subquery_count(open_actions),
        overdue_actions=subquery_count(open_actions.filter(due_on__lt=today)),
        volume_recent=subquery_sum(
            volumes.filter(period__gte=recent_from, period__lt=this_month), "amount"
        ),
        volume_before=subquery_sum(
            volumes.filter(period__gte=before_from, period__lt=recent_from), "amount"
        ),
        current_contacts=subquery_count(KeyContact.objects.filter(client=OuterRef("pk")).current()),
        assignee_id=Subquery(latest_enrolment.values("assignee_id")[:1]),
        assignee_name=Subquery(
            latest_enrolment.annotate(
                person=Concat("assignee__first_name", Value(" "), "assignee__last_name")
            ).values("person")[:1]
        ),
        assignee_username=Subquery(latest_enrolment.values("assignee__username")[:1]),
    ).annotate(health=_health(PENALTY_FIELDS))


def band(health: int) -> str:
    if health >= HEALTHY_FROM:
        return "healthy"
    if health >= AT_RISK_BELOW:
        return "watch"
    return "at_risk"
