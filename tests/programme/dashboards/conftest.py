"""A small hand-built company whose every dashboard figure is worked out by hand in the tests.

Today is fixed at 2026-06-15 (a Monday). Programme "VIP 2026" (``manager``) lists Alfa, Beta,
Gamma, Delta and Epsilon; "Other run" (``other_manager``) lists Omega.

========  ========  ===========  ================  ==========================================
client    segment   assignee     stage             notes
========  ========  ===========  ================  ==========================================
Alfa      Industry  employee     follow-ups done   held visits 2026-05-04 and 2026-06-01
Beta      Retail    colleague    visited           held visit 2026-04-10, one overdue action
Gamma     Industry  employee     not contacted     monopolised, no contact, volume falling
Delta     Retail    colleague    declined          lost on 2026-05-20
Epsilon   Industry  —            not contacted     became a client through Alfa's referral
Omega     Retail    —            not contacted     other manager's programme
========  ========  ===========  ================  ==========================================
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from tests import factories

TODAY = dt.date(2026, 6, 15)


def aware(year, month, day, hour=12):
    return timezone.make_aware(dt.datetime(year, month, day, hour))


def month(year, number):
    return dt.date(year, number, 1)


@dataclass
class Company:
    programme: object
    other_programme: object
    industry: object
    retail: object
    alfa: object
    beta: object
    gamma: object
    delta: object
    epsilon: object
    omega: object


def _volumes(client, amounts):
    for (year, number), amount in amounts.items():
        factories.ClientVolumeFactory(
            client=client, period=month(year, number), amount=Decimal(amount)
        )


def _visit(client, enrolment, employee, when, scores=None):
    visit = factories.VisitFactory(
        client=client, enrolment=enrolment, employee=employee, scheduled_at=when, status="held"
    )
    if scores is not None:
        goods, services, service, recommendation = scores
        factories.VisitReportFactory(
            visit=visit,
            author=employee,
            status="finished",
            finished_at=when + dt.timedelta(hours=3),
            score_goods=goods,
            score_services=services,
            score_service=service,
            recommendation_score=recommendation,
        )
    return visit


@pytest.fixture
def company(employee, colleague, manager, other_manager, director):
    industry = factories.SegmentFactory(name="Industry")
    retail = factories.SegmentFactory(name="Retail")
    programme = factories.ProgrammeFactory(
        manager=manager,
        name="VIP 2026",
        starts_on=dt.date(2026, 3, 2),
        deadline=dt.date(2026, 8, 31),
    )
    other = factories.ProgrammeFactory(
        manager=other_manager,
        name="Other run",
        starts_on=dt.date(2026, 4, 1),
        deadline=dt.date(2026, 9, 30),
    )
    factories.StaffMemberFactory(programme=programme, employee=employee)
    factories.StaffMemberFactory(programme=programme, employee=colleague, kind="shared")

    def client(name, segment, **kwargs):
        return factories.ClientFactory(name=name, segment=segment, **kwargs)

    alfa = client("Alfa", industry)
    beta = client("Beta", retail)
    gamma = client("Gamma", industry)
    delta = client("Delta", retail, status="lost", lost_on=dt.date(2026, 5, 20))
    epsilon = client("Epsilon", industry)
    omega = client("Omega", retail)

    def enrol(client, programme, stage, assignee=None, assessment="", changed=None):
        return factories.EnrolmentFactory(
            programme=programme,
            client=client,
            assignee=assignee,
            stage=stage,
            assessment=assessment,
            stage_changed_at=changed or aware(2026, 3, 2),
        )

    e_alfa = enrol(alfa, programme, "follow_ups_done", employee, "excellent", aware(2026, 6, 12))
    e_beta = enrol(beta, programme, "visited", colleague, "uncertain", aware(2026, 4, 10))
    enrol(gamma, programme, "not_contacted", employee, "monopolised")
    enrol(delta, programme, "declined", colleague, changed=aware(2026, 6, 10))
    enrol(epsilon, programme, "not_contacted")
    enrol(omega, other, "not_contacted")

    # Visits and reports: (goods, services, service, recommendation).
    _visit(alfa, e_alfa, employee, aware(2026, 6, 1, 10), (5, 4, 5, 10))
    _visit(alfa, None, employee, aware(2026, 5, 4, 10), (4, 3, 3, 9))
    _visit(beta, e_beta, colleague, aware(2026, 4, 10, 10), (2, 3, 2, 6))
    factories.VisitFactory(client=gamma, employee=employee, scheduled_at=aware(2026, 6, 20))

    # Key contacts: Alfa 2, Beta 1, Gamma none current (one left), Omega 2.
    factories.KeyContactFactory.create_batch(2, client=alfa)
    factories.KeyContactFactory(client=beta)
    factories.KeyContactFactory(client=gamma, left_company=True)
    factories.KeyContactFactory.create_batch(2, client=omega)

    _volumes(
        alfa,
        {
            (2025, 5): 100,
            (2025, 6): 100,
            (2025, 12): 100,
            (2026, 1): 100,
            (2026, 2): 100,
            (2026, 3): 100,
            (2026, 4): 100,
            (2026, 5): 100,
            (2026, 6): 120,
        },
    )
    _volumes(beta, {(2025, 5): 200, (2025, 6): 200, (2026, 5): 150, (2026, 6): 0})
    _volumes(
        gamma, {(2025, 6): 50, (2025, 12): 100, (2026, 1): 100, (2026, 2): 100, (2026, 3): 100}
    )
    _volumes(delta, {(2025, 5): 40, (2025, 6): 40})
    _volumes(epsilon, {(2026, 6): 80})
    _volumes(omega, {(2025, 5): 500, (2025, 6): 500, (2026, 5): 500, (2026, 6): 500})

    # Corrective actions.
    def action(client, opened, **kwargs):
        return factories.CorrectiveActionFactory(
            client=client, owner=employee, opened_at=opened, **kwargs
        )

    action(beta, aware(2026, 4, 10), due_on=dt.date(2026, 6, 1))  # open, overdue
    action(alfa, aware(2026, 6, 1), due_on=dt.date(2026, 6, 30), status="in_progress")
    action(
        alfa,
        aware(2026, 5, 1, 10),
        due_on=dt.date(2026, 5, 10),
        status="resolved",
        resolved_at=aware(2026, 5, 4, 10),
    )
    action(
        alfa,
        aware(2026, 5, 1, 10),
        due_on=dt.date(2026, 5, 10),
        status="client_informed",
        resolved_at=aware(2026, 5, 11, 10),
        client_informed_at=aware(2026, 5, 12, 10),
    )
    action(
        gamma,
        aware(2026, 5, 2, 10),
        due_on=dt.date(2026, 5, 10),
        status="resolved",
        resolved_at=aware(2026, 6, 2, 10),
    )
    action(
        omega,
        aware(2026, 6, 1, 10),
        due_on=dt.date(2026, 6, 10),
        status="resolved",
        resolved_at=aware(2026, 6, 6, 10),
    )
    action(  # resolved before the period: not in the median
        gamma,
        aware(2026, 1, 1, 10),
        due_on=dt.date(2026, 1, 10),
        status="resolved",
        resolved_at=aware(2026, 2, 1, 10),
    )

    # Opportunities.
    alfa_position = factories.ClientPositionFactory(client=alfa)

    def opportunity(client, owner, kind, created, **kwargs):
        if kind == "upsell":
            kwargs.setdefault("client_position", factories.ClientPositionFactory(client=client))
        return factories.OpportunityFactory(
            client=client, owner=owner, kind=kind, created_at=created, **kwargs
        )

    opportunity(
        alfa,
        employee,
        "upsell",
        aware(2026, 5, 1),
        client_position=alfa_position,
        expected_value=Decimal("1000"),
    )
    opportunity(
        alfa,
        employee,
        "cross_sell",
        aware(2026, 5, 2),
        expected_value=Decimal("2000"),
        status="won",
        won_value=Decimal("2500"),
        closed_at=aware(2026, 5, 15),
    )
    opportunity(
        beta,
        colleague,
        "cross_sell",
        aware(2026, 5, 3),
        expected_value=Decimal("700"),
        status="lost",
        lost_reason="Too expensive",
        closed_at=aware(2026, 6, 2),
    )
    opportunity(
        beta,
        colleague,
        "upsell",
        aware(2026, 3, 1),
        expected_value=Decimal("400"),
        status="won",
        won_value=Decimal("300"),
        closed_at=aware(2026, 3, 20),
    )
    opportunity(omega, colleague, "cross_sell", aware(2026, 6, 1), expected_value=Decimal("5000"))
    opportunity(gamma, employee, "cross_sell", aware(2026, 7, 5), expected_value=Decimal("100"))

    # Referrals.
    def referral(referrer, owner, created, **kwargs):
        return factories.ReferralFactory(
            referring_client=referrer, owner=owner, created_at=created, **kwargs
        )

    referral(
        alfa,
        employee,
        aware(2026, 4, 5),
        status="converted",
        became_client=epsilon,
        contacted_at=aware(2026, 4, 6),
        closed_at=aware(2026, 5, 1),
    )
    referral(alfa, employee, aware(2026, 5, 10), status="meeting", contacted_at=aware(2026, 5, 11))
    referral(
        alfa,
        employee,
        aware(2026, 5, 12),
        status="dropped",
        contacted_at=aware(2026, 5, 13),
        drop_reason="Not interested",
        closed_at=aware(2026, 5, 20),
    )
    referral(beta, colleague, aware(2026, 6, 1))
    referral(beta, colleague, aware(2026, 6, 2), status="contacted", contacted_at=aware(2026, 6, 3))
    referral(
        omega, colleague, aware(2026, 4, 20), status="meeting", contacted_at=aware(2026, 4, 21)
    )
    referral(alfa, employee, aware(2026, 3, 1))  # before the period

    return Company(
        programme=programme,
        other_programme=other,
        industry=industry,
        retail=retail,
        alfa=alfa,
        beta=beta,
        gamma=gamma,
        delta=delta,
        epsilon=epsilon,
        omega=omega,
    )


@pytest.fixture
def build():
    """``build(user, name, **filters)``: the dashboard as of TODAY."""
    from programme.dashboards.filters import dashboard_filter
    from programme.dashboards.selectors import DASHBOARDS

    def _build(user, name, **filters):
        filterset = dashboard_filter(user, {k: str(v) for k, v in filters.items()}, today=TODAY)
        return DASHBOARDS[name].build(filterset.scope)

    return _build
