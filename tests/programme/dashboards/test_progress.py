"""Programme progress against the hand-built company (see conftest.py)."""

import datetime as dt
from decimal import Decimal as D

from .conftest import TODAY


def figures(board):
    return {f.key: f.value for f in board.figures}


def test_progress_figures_for_management(company, director, build):
    board = build(director, "progress")
    assert figures(board) == {
        "listed": 6,
        "visited": 2,
        "coverage": D("33.3"),
        "worked": 3,
        "left": 3,
        # Alfa (first held visit 2026-06-01) and Delta (declined 2026-06-10) in the last 4 weeks.
        "pace": D("0.5"),
        "deadline": dt.date(2026, 9, 30),
        "forecast": TODAY + dt.timedelta(days=42),
    }


def test_progress_per_programme(company, director, build):
    rows = build(director, "progress").table("programmes").rows
    assert rows == [
        {
            "programme": "VIP 2026",
            "listed": 5,
            "visited": 2,
            "coverage": D("40.0"),
            "worked": 3,
            "left": 2,
            "pace": D("0.5"),
            "deadline": dt.date(2026, 8, 31),
            "forecast": dt.date(2026, 7, 13),
            "on_track": "yes",
        },
        {
            "programme": "Other run",
            "listed": 1,
            "visited": 0,
            "coverage": D("0.0"),
            "worked": 0,
            "left": 1,
            "pace": D("0.0"),
            "deadline": dt.date(2026, 9, 30),
            "forecast": None,
            "on_track": "no forecast",
        },
    ]


def test_progress_stage_funnel(company, director, build):
    rows = build(director, "progress").table("stages").rows
    assert [(r["stage"], r["clients"], r["share"]) for r in rows] == [
        ("Not contacted", 3, D("50.0")),
        ("Meeting booked", 0, D("0.0")),
        ("Visited", 1, D("16.7")),
        ("Follow-ups done", 1, D("16.7")),
        ("Declined", 1, D("16.7")),
        ("Unreachable", 0, D("0.0")),
    ]


def test_progress_per_employee(company, director, build):
    rows = build(director, "progress").table("employees").rows
    assert rows == [
        {
            "employee": "Ivan Petrov",
            "listed": 2,
            "visited": 1,
            "coverage": D("50.0"),
            "worked": 1,
            "left": 1,
            "recent": 1,
            "pace": D("0.3"),  # 0.25 a week, shown to one decimal
            "weeks_left": D("4.0"),
        },
        {
            "employee": "Olga Sidorova",
            "listed": 2,
            "visited": 1,
            "coverage": D("50.0"),
            "worked": 2,
            "left": 0,
            "recent": 1,
            "pace": D("0.3"),
            "weeks_left": D("0.0"),
        },
    ]


def test_progress_burn_down(company, director, build):
    rows = {row["day"]: row for row in build(director, "progress").table("burndown").rows}
    days = sorted(rows)
    assert days[0] == dt.date(2026, 3, 2)
    assert days[-1] == dt.date(2026, 9, 30)
    assert all((b - a).days <= 7 for a, b in zip(days, days[1:], strict=False))
    # Beta worked through on 2026-04-10, Alfa on 2026-06-01, Delta on 2026-06-10.
    assert [rows[dt.date(2026, 4, day)]["left"] for day in (6, 13)] == [6, 5]
    assert rows[dt.date(2026, 6, 1)]["left"] == 4
    assert rows[dt.date(2026, 6, 8)]["left"] == 4
    assert rows[TODAY]["left"] == 3
    assert rows[dt.date(2026, 6, 22)]["left"] is None
    # Ideal: 6 clients at the start (2026-03-02) to 0 at the deadline (2026-09-30), 212 days.
    assert rows[dt.date(2026, 3, 2)]["ideal"] == D("6.0")
    assert rows[TODAY]["ideal"] == D("3.0")  # 6 × 107 / 212 = 3.03
    assert rows[dt.date(2026, 9, 30)]["ideal"] == D("0.0")
    # Forecast: 3 left today at 0.5 a week.
    assert rows[TODAY]["forecast"] == D("3.0")
    assert rows[dt.date(2026, 6, 22)]["forecast"] == D("2.5")
    assert rows[dt.date(2026, 7, 27)]["forecast"] == D("0.0")
    assert rows[dt.date(2026, 6, 8)]["forecast"] is None


def test_progress_for_a_manager_covers_their_programme(company, manager, build):
    board = build(manager, "progress")
    assert [r["programme"] for r in board.table("programmes").rows] == ["VIP 2026"]
    assert (board.figure("listed"), board.figure("left"), board.figure("coverage")) == (
        5,
        2,
        D("40.0"),
    )
    assert board.figure("forecast") == dt.date(2026, 7, 13)


def test_progress_filtered_by_employee_and_segment(company, director, employee, build):
    by_employee = build(director, "progress", employee=employee.pk)
    assert (by_employee.figure("listed"), by_employee.figure("visited")) == (2, 1)
    retail = build(director, "progress", segment=company.retail.pk)
    # Beta, Delta and Omega.
    assert (retail.figure("listed"), retail.figure("worked")) == (3, 2)


def test_progress_empty_when_no_list(director, build, db):
    board = build(director, "progress")
    assert board.figure("listed") == 0
    assert board.figure("forecast") is None
    assert all(table.rows == [] for table in board.tables)


def test_progress_leaves_closed_programmes_out_unless_chosen(company, director, build):
    from programme.models import Programme

    Programme.objects.filter(pk=company.other_programme.pk).update(status="closed")
    assert build(director, "progress").figure("listed") == 5
    chosen = build(director, "progress", programme=company.other_programme.pk)
    assert chosen.figure("listed") == 1
