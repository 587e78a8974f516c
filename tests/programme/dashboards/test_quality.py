"""Quality against the hand-built company (see conftest.py), April to June 2026."""

import datetime as dt
from decimal import Decimal as D

import pytest

from feedback.models import CorrectiveAction
from programme.dashboards.selectors.quality import median_duration
from tests import factories

from .conftest import aware

PERIOD = {"start": "2026-04", "end": "2026-06"}


def test_quality_figures_for_management(company, director, build):
    board = build(director, "quality", **PERIOD)
    # Reports: Alfa 2026-06-01 (5, 4, 5, 10), Alfa 2026-05-04 (4, 3, 3, 9), Beta (2, 3, 2, 6).
    assert {f.key: f.value for f in board.figures} == {
        "reports": 3,
        "goods": D("3.67"),
        "services": D("3.33"),
        "service": D("3.33"),
        "recommendation": D("8.33"),
        "nps": D("33.3"),  # 2 promoters, 1 detractor of 3
        "open_actions": 2,
        "overdue_actions": 1,
        "resolved_actions": 4,
        "median_days": D("7.5"),  # 3, 5, 10 and 31 days
    }


def test_quality_over_time(company, director, build):
    rows = build(director, "quality", **PERIOD).table("months").rows
    assert rows == [
        {
            "month": "2026-04",
            "reports": 1,
            "goods": D("2.00"),
            "services": D("3.00"),
            "service": D("2.00"),
            "recommendation": D("6.00"),
            "nps": D("-100.0"),
        },
        {
            "month": "2026-05",
            "reports": 1,
            "goods": D("4.00"),
            "services": D("3.00"),
            "service": D("3.00"),
            "recommendation": D("9.00"),
            "nps": D("100.0"),
        },
        {
            "month": "2026-06",
            "reports": 1,
            "goods": D("5.00"),
            "services": D("4.00"),
            "service": D("5.00"),
            "recommendation": D("10.00"),
            "nps": D("100.0"),
        },
    ]


def test_quality_by_segment_and_employee(company, director, build):
    board = build(director, "quality", **PERIOD)
    industry = {
        "reports": 2,
        "goods": D("4.50"),
        "services": D("3.50"),
        "service": D("4.00"),
        "recommendation": D("9.50"),
        "nps": D("100.0"),
    }
    retail = {
        "reports": 1,
        "goods": D("2.00"),
        "services": D("3.00"),
        "service": D("2.00"),
        "recommendation": D("6.00"),
        "nps": D("-100.0"),
    }
    assert board.table("segments").rows == [
        {"segment": "Industry", **industry},
        {"segment": "Retail", **retail},
    ]
    assert board.table("employees").rows == [
        {"employee": "Ivan Petrov", **industry},
        {"employee": "Olga Sidorova", **retail},
    ]


def test_quality_open_corrective_actions(company, director, employee, build):
    rows = build(director, "quality", **PERIOD).table("actions").rows
    assert [(r["client"], r["due_on"], r["overdue_days"]) for r in rows] == [
        ("Beta", dt.date(2026, 6, 1), 14),
        ("Alfa", dt.date(2026, 6, 30), 0),
    ]
    assert rows[0]["owner"] == "Ivan Petrov"
    assert rows[0]["opened_on"] == dt.date(2026, 4, 10)
    assert rows[0]["area"] == "Service"


def test_quality_for_a_manager(company, manager, build):
    board = build(manager, "quality", **PERIOD)
    # Omega's action (5 days) is on another manager's programme.
    assert (board.figure("resolved_actions"), board.figure("median_days")) == (3, D("10.0"))


def test_quality_filtered_by_employee(company, director, colleague, build):
    board = build(director, "quality", employee=colleague.pk, **PERIOD)
    # The colleague's personal list: Beta and Delta.
    assert (board.figure("reports"), board.figure("goods"), board.figure("open_actions")) == (
        1,
        D("2.00"),
        1,
    )
    assert board.figure("median_days") is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("hours", "median_hours"),
    [([], None), ([5], 5), ([1, 9], 5), ([1, 2, 30], 2), ([4, 1, 10, 3], 3.5)],
)
def test_median_duration_in_the_database(hours, median_hours):
    from django.db.models import DurationField, ExpressionWrapper, F

    start = aware(2026, 5, 1, 0)
    for count in hours:
        factories.CorrectiveActionFactory(
            opened_at=start,
            status="resolved",
            resolved_at=start + dt.timedelta(hours=count),
        )
    took = ExpressionWrapper(F("resolved_at") - F("opened_at"), output_field=DurationField())
    median = median_duration(CorrectiveAction.objects.all(), took)
    expected = None if median_hours is None else dt.timedelta(hours=median_hours)
    assert median == expected
