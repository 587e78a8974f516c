"""At-risk clients: the active clients ranked by health score (lowest first), with the reasons."""

from decimal import Decimal

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clients.enums import ClientStatus
from clients.models import Client

from ..base import DATE, INT, SCORE, Chart, Column, Dashboard, Figure, Table, score
from ..health import (
    AT_RISK_BELOW,
    HEALTH_RULES,
    HEALTHY_FROM,
    PENALTY_FIELDS,
    annotate_health,
)

PAGE_ROWS = 50

DEFINITIONS = [
    (
        _("Health score"),
        _(
            "100 minus the points below, never below 0. Healthy: 80 and above; watch: 60–79; "
            "at risk: below 60. Computed today, whatever the period."
        ),
    ),
    *[(format_lazy("{} {}", _("Rule"), points), text) for _key, points, text in HEALTH_RULES],
    (
        _("Assignee"),
        _("The employee of the client's latest enrolment in the selected programmes."),
    ),
]


def _reasons(row) -> str:
    """The warning signs behind a score, in words (formatting only: the score is the database's)."""
    reasons = []
    if row["penalty_visit"]:
        if row["last_visit_at"] is None:
            reasons.append(gettext("never visited"))
        else:
            reasons.append(gettext("last visit long ago"))
    if row["penalty_quality"]:
        reasons.append(gettext("low quality scores"))
    if row["penalty_recommendation"]:
        reasons.append(
            gettext("recommendation score %(score)s") % {"score": row["last_recommendation"]}
        )
    if row["penalty_open_actions"]:
        reasons.append(
            gettext("%(count)s open corrective action(s)") % {"count": row["open_actions"]}
        )
    if row["penalty_overdue_actions"]:
        reasons.append(gettext("%(count)s overdue") % {"count": row["overdue_actions"]})
    if row["penalty_volume"]:
        reasons.append(gettext("volume falling"))
    if row["penalty_contacts"]:
        if row["current_contacts"] == 0:
            reasons.append(gettext("no key contact"))
        else:
            reasons.append(gettext("only one key contact"))
    if row["penalty_monopolised"]:
        reasons.append(gettext("monopolised"))
    return "; ".join(reasons)


def _summary(histogram):
    scored = sum(histogram.values())
    return {
        "scored": scored,
        "at_risk": sum(n for health, n in histogram.items() if health < AT_RISK_BELOW),
        "watch": sum(
            n for health, n in histogram.items() if AT_RISK_BELOW <= health < HEALTHY_FROM
        ),
        "healthy": sum(n for health, n in histogram.items() if health >= HEALTHY_FROM),
        "average": Decimal(sum(health * n for health, n in histogram.items())) / scored
        if scored
        else None,
    }


def at_risk(scope, *, limit="page") -> Dashboard:
    """``limit``: how many of the ranked clients to list — a page's worth by default, every
    one with ``None`` (the export)."""
    if limit == "page":
        limit = PAGE_ROWS
    active = scope.clients().filter(status=ClientStatus.ACTIVE)
    enrolments = scope.enrolments()
    scores = annotate_health(active, today=scope.today, enrolments=enrolments, facts=False)
    if limit is None:
        # How many clients have each score (at most 101 rows, whatever the number of clients).
        histogram = dict(
            scores.order_by()
            .values_list("health")
            .annotate(n=Count("pk"))
            .values_list("health", "n")
        )
        ranked = annotate_health(active, today=scope.today, enrolments=enrolments)
    else:
        # The score is computed once per client: one query ranks every client by it (two
        # integers a row, sorted by the database), the histogram is counted from those rows and
        # the facts are read for the first rows only.
        histogram = {}
        first = []
        for pk, health in scores.order_by("health", "name", "pk").values_list("pk", "health"):
            histogram[health] = histogram.get(health, 0) + 1
            if len(first) < limit:
                first.append(pk)
        ranked = annotate_health(
            Client.objects.filter(pk__in=first), today=scope.today, enrolments=enrolments
        )
    summary = _summary(histogram)
    ranked = ranked.order_by("health", "name", "pk")
    rows = []
    for client in ranked.values(
        "pk",
        "name",
        "segment__name",
        "tier",
        "health",
        "last_visit_at",
        "last_recommendation",
        "open_actions",
        "overdue_actions",
        "current_contacts",
        "assignee_id",
        "assignee_name",
        "assignee_username",
        "volume_recent",
        "volume_before",
        *PENALTY_FIELDS,
    ):
        assignee = (client["assignee_name"] or "").strip() or client["assignee_username"] or ""
        rows.append(
            {
                "client": client["name"],
                "client_url": reverse("clients:client_detail", args=[client["pk"]]),
                "segment": client["segment__name"] or "",
                "tier": client["tier"],
                "health": client["health"],
                "reasons": _reasons(client),
                "last_visit": timezone.localtime(client["last_visit_at"]).date()
                if client["last_visit_at"]
                else None,
                "open_actions": client["open_actions"],
                "current_contacts": client["current_contacts"],
                "assignee": assignee,
                "assignee_url": (
                    reverse("dashboards:dashboard", args=["at-risk"])
                    + "?"
                    + urlencode({**scope.query_string(), "employee": client["assignee_id"]})
                )
                if client["assignee_id"]
                else None,
            }
        )
    bands = [
        {"band": str(_("At risk (below 60)")), "clients": summary["at_risk"]},
        {"band": str(_("Watch (60–79)")), "clients": summary["watch"]},
        {"band": str(_("Healthy (80–100)")), "clients": summary["healthy"]},
    ]
    figures = [
        Figure("scored", _("Active clients scored"), summary["scored"]),
        Figure("at_risk", _("At risk"), summary["at_risk"]),
        Figure("watch", _("Watch"), summary["watch"]),
        Figure("healthy", _("Healthy"), summary["healthy"]),
        Figure("average", _("Average health"), score(summary["average"]), SCORE),
    ]
    return Dashboard(
        name="at-risk",
        title=_("At-risk clients"),
        figures=figures,
        definitions=DEFINITIONS,
        tables=[
            Table(
                "bands",
                _("Clients by health"),
                [Column("band", _("Health")), Column("clients", _("Clients"), INT)],
                bands if summary["scored"] else [],
                chart=Chart("bar", "band", ["clients"]),
                empty=_("No active client in scope."),
            ),
            Table(
                "clients",
                _("Clients ranked by health"),
                [
                    Column("client", _("Client"), link="client_url"),
                    Column("health", _("Health"), INT),
                    Column("reasons", _("Reasons")),
                    Column("segment", _("Segment")),
                    Column("tier", _("Tier")),
                    Column("last_visit", _("Last held visit"), DATE),
                    Column("open_actions", _("Open corrective actions"), INT),
                    Column("current_contacts", _("Key contacts"), INT),
                    Column("assignee", _("Assignee"), link="assignee_url"),
                ],
                rows,
                empty=_("No active client in scope."),
                note=_("The %(count)s lowest scores; the export has every client.")
                % {"count": limit}
                if limit is not None and summary["scored"] > limit
                else "",
            ),
        ],
    )
