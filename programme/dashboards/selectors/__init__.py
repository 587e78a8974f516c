"""One selector per dashboard: ``build(scope)`` returns a ``Dashboard`` (figures, tables and
charts) read by the page, the API and the exports alike."""

from dataclasses import dataclass

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


DASHBOARDS = {
    spec.name: spec
    for spec in (
        DashboardSpec(
            "progress",
            _("Programme progress"),
            _("Coverage, the stage funnel, each employee's pace, the burn-down to the deadline."),
            "bi-speedometer2",
            progress,
        ),
        DashboardSpec(
            "retention",
            _("Retention"),
            _("Active clients, client and revenue retention, churn and the clients lost."),
            "bi-arrow-repeat",
            retention,
        ),
        DashboardSpec(
            "quality",
            _("Quality"),
            _("Quality and recommendation scores, open corrective actions, time to resolve."),
            "bi-star-half",
            quality,
        ),
        DashboardSpec(
            "growth",
            _("Growth"),
            _("Opportunities from visits: pipeline, won and lost value, by kind and employee."),
            "bi-graph-up-arrow",
            growth,
        ),
        DashboardSpec(
            "referrals",
            _("Referrals"),
            _("The referral funnel, conversion, new clients and the top referring clients."),
            "bi-people",
            referrals,
        ),
        DashboardSpec(
            "at-risk",
            _("At-risk clients"),
            _("Clients ranked by health score, with the reasons and the assignee."),
            "bi-exclamation-triangle",
            at_risk,
        ),
    )
}
