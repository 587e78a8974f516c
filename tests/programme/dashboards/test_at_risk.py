"""At-risk clients against the hand-built company (see conftest.py)."""

import datetime as dt
from decimal import Decimal as D


def test_at_risk_figures_for_management(company, director, build):
    board = build(director, "at-risk")
    assert {f.key: f.value for f in board.figures} == {
        "scored": 5,  # Delta is lost: not scored
        "at_risk": 3,
        "watch": 1,
        "healthy": 1,
        "average": D("59.0"),
    }
    assert [(r["band"], r["clients"]) for r in board.table("bands").rows] == [
        ("At risk (below 60)", 3),
        ("Watch (60–79)", 1),
        ("Healthy (80–100)", 1),
    ]


def test_at_risk_rows_show_reasons_card_and_assignee(company, director, employee, build):
    rows = build(director, "at-risk").table("clients").rows
    gamma, beta = rows[0], rows[1]
    assert gamma["client"] == "Gamma"
    assert gamma["client_url"] == f"/clients/{company.gamma.pk}/"
    assert gamma["reasons"] == "never visited; volume falling; no key contact; monopolised"
    assert gamma["assignee"] == "Ivan Petrov"
    assert f"employee={employee.pk}" in gamma["assignee_url"]
    assert gamma["assignee_url"].startswith("/dashboards/at-risk/?")
    assert beta["reasons"] == (
        "low quality scores; recommendation score 6; 1 open corrective action(s); "
        "1 overdue; only one key contact"
    )
    assert (beta["last_visit"], beta["open_actions"], beta["current_contacts"]) == (
        dt.date(2026, 4, 10),
        1,
        1,
    )
    epsilon = rows[2]
    assert (epsilon["client"], epsilon["assignee"], epsilon["assignee_url"]) == (
        "Epsilon",
        "",
        None,
    )


def test_at_risk_for_a_manager_and_filters(company, manager, employee, build):
    board = build(manager, "at-risk")
    assert [r["client"] for r in board.table("clients").rows] == [
        "Gamma",
        "Beta",
        "Epsilon",
        "Alfa",
    ]
    assert board.figure("average") == D("55.0")
    mine = build(manager, "at-risk", employee=employee.pk)
    assert [(r["client"], r["health"]) for r in mine.table("clients").rows] == [
        ("Gamma", 25),
        ("Alfa", 95),
    ]
    retail = build(manager, "at-risk", segment=company.retail.pk)
    assert [r["client"] for r in retail.table("clients").rows] == ["Beta"]


def test_at_risk_page_shows_the_first_rows_and_the_export_all(director, build, db):
    from tests import factories

    factories.ClientFactory.create_batch(3)
    from programme.dashboards.filters import dashboard_filter
    from programme.dashboards.selectors.at_risk import at_risk

    scope = dashboard_filter(director, {}).scope
    assert len(at_risk(scope, limit=2).table("clients").rows) == 2
    assert "The 2 lowest scores" in str(at_risk(scope, limit=2).table("clients").note)
    assert len(at_risk(scope, limit=None).table("clients").rows) == 3
