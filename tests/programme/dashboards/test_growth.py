"""Growth against the hand-built company (see conftest.py), April to June 2026."""

from decimal import Decimal as D

PERIOD = {"start": "2026-04", "end": "2026-06"}


def test_growth_figures_for_management(company, director, build):
    board = build(director, "growth", **PERIOD)
    assert {f.key: f.value for f in board.figures} == {
        "open_count": 2,  # Alfa's upsell (1,000) and Omega's cross-sell (5,000)
        "open_value": D("6000.00"),
        "won_count": 1,  # Alfa's cross-sell, 2,500 won on 2026-05-15
        "won_value": D("2500.00"),
        "lost_count": 1,  # Beta's cross-sell, 700, lost on 2026-06-02
        "lost_value": D("700.00"),
        "win_rate": D("50.0"),
    }


def test_growth_by_kind(company, director, build):
    rows = build(director, "growth", **PERIOD).table("kinds").rows
    assert rows == [
        {
            "kind": "Upsell",
            "open_count": 1,
            "open_value": D("1000.00"),
            "won_count": 0,  # Beta's upsell was won in March, before the period
            "won_value": D("0.00"),
            "lost_count": 0,
            "lost_value": D("0.00"),
            "win_rate": None,
        },
        {
            "kind": "Cross-sell",
            "open_count": 1,
            "open_value": D("5000.00"),
            "won_count": 1,
            "won_value": D("2500.00"),
            "lost_count": 1,
            "lost_value": D("700.00"),
            "win_rate": D("50.0"),
        },
    ]


def test_growth_by_employee(company, director, build):
    rows = build(director, "growth", **PERIOD).table("employees").rows
    assert [
        (
            r["employee"],
            r["open_count"],
            r["open_value"],
            r["won_value"],
            r["lost_value"],
            r["win_rate"],
        )
        for r in rows
    ] == [
        ("Ivan Petrov", 1, D("1000.00"), D("2500.00"), D("0.00"), D("100.0")),
        ("Olga Sidorova", 1, D("5000.00"), D("0.00"), D("700.00"), D("0.0")),
    ]


def test_growth_per_month(company, director, build):
    rows = build(director, "growth", **PERIOD).table("months").rows
    assert rows == [
        {"month": "2026-04", "won_value": D("0.00"), "lost_value": D("0.00")},
        {"month": "2026-05", "won_value": D("2500.00"), "lost_value": D("0.00")},
        {"month": "2026-06", "won_value": D("0.00"), "lost_value": D("700.00")},
    ]


def test_growth_for_a_manager(company, manager, build):
    board = build(manager, "growth", **PERIOD)
    assert (board.figure("open_count"), board.figure("open_value")) == (1, D("1000.00"))
    assert build(manager, "growth", start="2026-03", end="2026-03").figure("won_value") == D(
        "300.00"
    )
