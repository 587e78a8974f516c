"""The health score: each rule on its own, its limits, and the whole company ranked."""

import datetime as dt
from decimal import Decimal

import pytest

from clients.models import Client
from programme.dashboards.health import annotate_health
from programme.models import Enrolment
from tests import factories

from .conftest import TODAY, aware, month


def health_of(client):
    row = annotate_health(
        Client.objects.filter(pk=client.pk), today=TODAY, enrolments=Enrolment.objects.all()
    ).get()
    return row


def healthy_client(**kwargs):
    """A client with nothing wrong: visited last week, two contacts, steady volume."""
    client = factories.ClientFactory(**kwargs)
    factories.KeyContactFactory.create_batch(2, client=client)
    factories.VisitFactory(client=client, status="held", scheduled_at=aware(2026, 6, 8))
    return client


@pytest.mark.django_db
def test_health_of_a_client_with_nothing_wrong_is_100():
    assert health_of(healthy_client()).health == 100


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("visited_on", "points"),
    [
        (dt.date(2026, 3, 17), 0),  # 90 days ago
        (dt.date(2026, 3, 16), 15),  # 91 days
        (dt.date(2025, 12, 17), 15),  # 180 days
        (dt.date(2025, 12, 16), 25),  # 181 days
    ],
)
def test_health_days_since_the_last_held_visit(visited_on, points):
    client = factories.ClientFactory()
    factories.KeyContactFactory.create_batch(2, client=client)
    factories.VisitFactory(
        client=client,
        status="held",
        scheduled_at=aware(visited_on.year, visited_on.month, visited_on.day),
    )
    # A planned or cancelled visit later does not count.
    factories.VisitFactory(client=client, status="planned", scheduled_at=aware(2026, 6, 10))
    row = health_of(client)
    assert (row.penalty_visit, row.health) == (points, 100 - points)


@pytest.mark.django_db
def test_health_never_visited_costs_25():
    client = factories.ClientFactory()
    factories.KeyContactFactory.create_batch(2, client=client)
    assert health_of(client).health == 75


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("scores", "quality", "recommendation"),
    [
        ((5, 5, 5, 10), 0, 0),
        ((2, 3, 1, 9), 10, 0),
        ((1, 2, 2, 8), 15, 5),
        ((3, 3, 3, 7), 0, 5),
        ((4, 4, 4, 6), 0, 15),
        ((None, None, None, None), 0, 0),
    ],
)
def test_health_last_report_scores(scores, quality, recommendation):
    client = healthy_client()
    older = factories.VisitReportFactory(
        visit__client=client,
        status="finished",
        finished_at=aware(2026, 1, 1),
        score_goods=1,
        score_services=1,
        score_service=1,
        recommendation_score=0,
    )
    goods, services, service, recommend = scores
    factories.VisitReportFactory(
        visit__client=client,
        status="finished",
        finished_at=aware(2026, 6, 1),
        score_goods=goods,
        score_services=services,
        score_service=service,
        recommendation_score=recommend,
    )
    # A draft is not a finished report, whatever it says.
    factories.VisitReportFactory(visit__client=client, status="draft", score_goods=1)
    row = health_of(client)
    assert older.pk
    assert (row.penalty_quality, row.penalty_recommendation) == (quality, recommendation)
    assert row.health == 100 - quality - recommendation


@pytest.mark.django_db
def test_health_corrective_actions_are_capped():
    client = healthy_client()
    owner = factories.staff_user()
    for _ in range(4):
        factories.CorrectiveActionFactory(client=client, owner=owner, due_on=TODAY)  # not overdue
    for _ in range(3):
        factories.CorrectiveActionFactory(
            client=client, owner=owner, due_on=TODAY - dt.timedelta(days=1)
        )
    factories.CorrectiveActionFactory(
        client=client, owner=owner, status="resolved", resolved_at=aware(2026, 6, 1)
    )
    row = health_of(client)
    assert (row.open_actions, row.overdue_actions) == (7, 3)
    assert (row.penalty_open_actions, row.penalty_overdue_actions) == (15, 20)
    assert row.health == 65


@pytest.mark.django_db
def test_health_one_overdue_action_costs_15():
    client = healthy_client()
    factories.CorrectiveActionFactory(client=client, due_on=TODAY - dt.timedelta(days=1))
    assert health_of(client).health == 85


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("before", "recent", "points"),
    [
        (300, 300, 0),
        (300, 271, 0),  # down 9.7 %
        (300, 270, 10),  # down exactly 10 %
        (300, 211, 10),  # down 29.7 %
        (300, 210, 20),  # down exactly 30 %
        (300, 0, 20),
        (0, 100, 0),  # nothing before: no trend
    ],
)
def test_health_volume_trend(before, recent, points):
    client = healthy_client()
    # The 3 months before: Dec–Feb; the last 3 complete months: Mar–May; June is not complete.
    for number, (year, month_number) in enumerate([(2025, 12), (2026, 1), (2026, 2)]):
        amount = Decimal(before) if number == 0 else Decimal(0)
        factories.ClientVolumeFactory(
            client=client, period=month(year, month_number), amount=amount
        )
    factories.ClientVolumeFactory(client=client, period=month(2026, 3), amount=Decimal(recent))
    factories.ClientVolumeFactory(client=client, period=month(2026, 6), amount=Decimal(0))
    factories.ClientVolumeFactory(client=client, period=month(2025, 11), amount=Decimal(9999))
    row = health_of(client)
    assert (row.volume_before, row.volume_recent) == (Decimal(before), Decimal(recent))
    assert row.penalty_volume == points


@pytest.mark.django_db
def test_health_key_contacts_and_monopolised():
    client = factories.ClientFactory()
    factories.VisitFactory(client=client, status="held", scheduled_at=aware(2026, 6, 8))
    factories.KeyContactFactory(client=client)
    factories.KeyContactFactory(client=client, left_company=True)
    old = factories.ProgrammeFactory(starts_on=dt.date(2025, 1, 1))
    new = factories.ProgrammeFactory(starts_on=dt.date(2026, 1, 1))
    factories.EnrolmentFactory(programme=old, client=client, assessment="excellent")
    factories.EnrolmentFactory(programme=new, client=client, assessment="monopolised")
    row = health_of(client)
    assert (row.current_contacts, row.penalty_contacts, row.penalty_monopolised) == (1, 15, 10)
    assert row.health == 75


@pytest.mark.django_db
def test_health_never_below_zero():
    client = factories.ClientFactory()  # never visited, no contact: −45
    programme = factories.ProgrammeFactory()
    factories.EnrolmentFactory(programme=programme, client=client, assessment="monopolised")
    for _ in range(3):
        factories.CorrectiveActionFactory(client=client, due_on=TODAY - dt.timedelta(days=3))
    factories.VisitReportFactory(
        visit__client=client,
        visit__status="cancelled",
        visit__cancel_reason="ill",
        status="finished",
        finished_at=aware(2026, 5, 1),
        score_goods=1,
        score_services=1,
        score_service=1,
        recommendation_score=0,
    )
    factories.ClientVolumeFactory(client=client, period=month(2026, 1), amount=Decimal(10))
    row = health_of(client)
    penalties = sum(
        getattr(row, name)
        for name in (
            "penalty_visit",
            "penalty_quality",
            "penalty_recommendation",
            "penalty_open_actions",
            "penalty_overdue_actions",
            "penalty_volume",
            "penalty_contacts",
            "penalty_monopolised",
        )
    )
    assert penalties == 25 + 15 + 15 + 15 + 20 + 20 + 20 + 10
    assert row.health == 0


def test_health_ranks_the_company(company, director, build):
    board = build(director, "at-risk")
    ranked = [(row["client"], row["health"]) for row in board.table("clients").rows]
    assert ranked == [("Gamma", 25), ("Beta", 45), ("Epsilon", 55), ("Omega", 75), ("Alfa", 95)]
