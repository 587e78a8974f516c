"""Retention against the hand-built company (see conftest.py), for May and June 2026."""

import datetime as dt
from decimal import Decimal as D

PERIOD = {"start": "2026-05", "end": "2026-06"}


def test_retention_per_month_for_management(company, director, build):
    board = build(director, "retention", **PERIOD)
    rows = board.table("retention").rows
    # May: active in May 2025 were Alfa, Beta, Delta, Omega (840); Delta has stopped buying.
    # June: active in June 2025 were Alfa, Beta, Gamma, Delta, Omega (890); Beta bought 0.
    assert rows == [
        {
            "month": "2026-05",
            "active": 3,
            "cohort": 4,
            "kept": 3,
            "retention": D("75.0"),
            "churn": D("25.0"),
            "revenue_then": D("840.00"),
            "revenue_now": D("750.00"),
            "revenue_retention": D("89.3"),
        },
        {
            "month": "2026-06",
            "active": 3,
            "cohort": 5,
            "kept": 2,
            "retention": D("40.0"),
            "churn": D("60.0"),
            "revenue_then": D("890.00"),
            "revenue_now": D("620.00"),
            "revenue_retention": D("69.7"),
        },
    ]
    assert board.table("active").rows is rows
    assert {f.key: f.value for f in board.figures} == {
        "active": 3,
        "retention": D("40.0"),
        "churn": D("60.0"),
        "revenue_retention": D("69.7"),
        "lost": 1,
    }


def test_retention_lost_clients(company, director, build):
    rows = build(director, "retention", **PERIOD).table("lost").rows
    assert rows == [
        {
            "client": "Delta",
            "client_url": f"/clients/{company.delta.pk}/",
            "segment": "Retail",
            "lost_on": dt.date(2026, 5, 20),
            "last_visit": None,
            "score_goods": None,
            "score_services": None,
            "score_service": None,
            "recommendation": None,
            "last_volume_month": "2025-06",
        }
    ]
    assert build(director, "retention", start="2026-06", end="2026-06").table("lost").rows == []


def test_retention_lost_client_shows_its_last_visit_and_scores(company, director, build):
    from clients.models import Client

    Client.objects.filter(pk=company.beta.pk).update(status="lost", lost_on=dt.date(2026, 6, 5))
    rows = build(director, "retention", **PERIOD).table("lost").rows
    beta = rows[0]
    assert (beta["client"], beta["last_visit"]) == ("Beta", dt.date(2026, 4, 10))
    assert (
        beta["score_goods"],
        beta["score_services"],
        beta["score_service"],
        beta["recommendation"],
    ) == (2, 3, 2, 6)
    assert beta["last_volume_month"] == "2026-05"


def test_retention_for_a_manager(company, manager, build):
    rows = build(manager, "retention", **PERIOD).table("retention").rows
    assert [
        (r["active"], r["cohort"], r["kept"], r["retention"], r["churn"], r["revenue_retention"])
        for r in rows
    ] == [
        (2, 3, 2, D("66.7"), D("33.3"), D("73.5")),
        (2, 4, 1, D("25.0"), D("75.0"), D("30.8")),
    ]


def test_retention_by_segment(company, director, build):
    rows = build(director, "retention", segment=company.retail.pk, **PERIOD).table("retention").rows
    # Retail: Beta, Delta, Omega.
    assert [(r["active"], r["cohort"], r["kept"], r["revenue_now"]) for r in rows] == [
        (2, 3, 2, D("650.00")),
        (1, 3, 1, D("500.00")),
    ]


def test_retention_default_period_is_the_last_12_months(company, director, build):
    rows = build(director, "retention").table("active").rows
    assert [r["month"] for r in rows][0] == "2025-07"
    assert [r["month"] for r in rows][-1] == "2026-06"
    assert [r["active"] for r in rows] == [0, 0, 0, 0, 0, 2, 2, 2, 2, 1, 3, 3]


def test_retention_empty_without_volumes(director, build, db):
    board = build(director, "retention")
    assert board.table("retention").rows == []
    assert board.figure("retention") is None
