"""One selector per dashboard: ``build(scope)`` returns a ``Dashboard`` (figures, tables and
charts) read by the page, the API and the exports alike."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from .at_risk import at_risk
from .growth import growth
from .progress import progress
from .quality import quality
from .referrals import referrals
from .retention import retention


@dataclass(frozen=True)
class DashboardSpec:
    name: str
    title: object
    summary: object
    icon: str
    build: object
    # Each table's key and title, known without building the dashboard: an export is asked
    # for (and its progress page titled) before the worker builds it. A test holds them equal
    # to the built tables'.
    tables: dict = field(default_factory=dict)


DASHBOARDS = {
    spec.name: spec
    for spec in (
        DashboardSpec(
            "progress",
            _("Programme progress"),
            _("Coverage, the stage funnel, each employee's pace, the burn-down to the deadline."),
            "bi-speedometer2",
            progress,
            {
                "programmes": _("Programmes"),
                "stages": _("Stage funnel"),
                "employees": _("Pace per employee"),
                "burndown": _("Burn-down: clients left"),
            },
        ),
        DashboardSpec(
            "retention",
            _("Retention"),
            _("Active clients, client and revenue retention, churn and the clients lost."),
            "bi-arrow-repeat",
            retention,
            {
                "active": _("Active clients per month"),
                "retention": _("Client retention and churn"),
                "revenue": _("Revenue retention"),
                "lost": _("Lost clients"),
            },
        ),
        DashboardSpec(
            "quality",
            _("Quality"),
            _("Quality and recommendation scores, open corrective actions, time to resolve."),
            "bi-star-half",
            quality,
            {
                "months": _("Scores over time"),
                "segments": _("Scores by segment"),
                "employees": _("Scores by employee"),
                "actions": _("Open corrective actions"),
            },
        ),
        DashboardSpec(
            "growth",
            _("Growth"),
            _("Opportunities from visits: pipeline, won and lost value, by kind and employee."),
            "bi-graph-up-arrow",
            growth,
            {
                "kinds": _("By kind"),
                "employees": _("By employee"),
                "months": _("Won and lost value per month"),
            },
        ),
        DashboardSpec(
            "referrals",
            _("Referrals"),
            _("The referral funnel, conversion, new clients and the top referring clients."),
            "bi-people",
            referrals,
            {
                "funnel": _("Funnel"),
                "months": _("Referrals per month"),
                "new_clients": _("New clients from referrals"),
                "top_referrers": _("Top referring clients"),
                "employees": _("By employee"),
            },
        ),
        DashboardSpec(
            "at-risk",
            _("At-risk clients"),
            _("Clients ranked by health score, with the reasons and the assignee."),
            "bi-exclamation-triangle",
            at_risk,
            {
                "bands": _("Clients by health"),
                "clients": _("Clients ranked by health"),
            },
        ),
    )
}
