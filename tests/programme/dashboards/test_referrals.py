"""Referrals against the hand-built company (see conftest.py), April to June 2026."""

import datetime as dt
from decimal import Decimal as D

PERIOD = {"start": "2026-04", "end": "2026-06"}


def test_referrals_figures_for_management(company, director, build):
    board = build(director, "referrals", **PERIOD)
    assert {f.key: f.value for f in board.figures} == {
        "received": 6,
        "converted": 1,
        "conversion": D("16.7"),
        "dropped": 1,
        "new_volume": D("80.00"),
    }


def test_referrals_funnel(company, director, build):
    rows = build(director, "referrals", **PERIOD).table("funnel").rows
    assert [(r["step"], r["referrals"], r["share"]) for r in rows] == [
        ("Received", 6, D("100.0")),
        ("Contacted", 5, D("83.3")),
        ("Meeting", 3, D("50.0")),
        ("Became a client", 1, D("16.7")),
        ("Dropped", 1, D("16.7")),
    ]


def test_referrals_new_clients_and_top_referrers(company, director, build):
    board = build(director, "referrals", **PERIOD)
    assert board.table("new_clients").rows == [
        {
            "client": "Epsilon",
            "client_url": f"/clients/{company.epsilon.pk}/",
            "referrer": "Alfa",
            "referrer_url": f"/clients/{company.alfa.pk}/",
            "converted_on": dt.date(2026, 5, 1),
            "volume": D("80.00"),
        }
    ]
    assert [
        (r["client"], r["given"], r["converted"], r["conversion"], r["volume"])
        for r in board.table("top_referrers").rows
    ] == [
        ("Alfa", 3, 1, D("33.3"), D("80.00")),
        ("Beta", 2, 0, D("0.0"), D("0.00")),
        ("Omega", 1, 0, D("0.0"), D("0.00")),
    ]


def test_referrals_per_month_and_employee(company, director, build):
    board = build(director, "referrals", **PERIOD)
    assert [(r["month"], r["received"], r["converted"]) for r in board.table("months").rows] == [
        ("2026-04", 2, 1),
        ("2026-05", 2, 0),
        ("2026-06", 2, 0),
    ]
    assert [
        (r["employee"], r["received"], r["converted"], r["conversion"])
        for r in board.table("employees").rows
    ] == [("Ivan Petrov", 3, 1, D("33.3")), ("Olga Sidorova", 3, 0, D("0.0"))]


def test_referrals_for_a_manager(company, manager, build):
    board = build(manager, "referrals", **PERIOD)
    assert (board.figure("received"), board.figure("conversion")) == (5, D("20.0"))
    assert [r["client"] for r in board.table("top_referrers").rows] == ["Alfa", "Beta"]
