"""CSV and XLSX exports: they open, carry the page's numbers, and never run a formula."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from programme.dashboards.selectors import DASHBOARDS
from tests import factories
from vipcrm.exports import csv_bytes, escape_cell, export_response, xlsx_bytes

PERIOD = {"start": "2026-04", "end": "2026-06"}


def read_xlsx(content):
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def read_csv(content):
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def export(http, name, table, file_format, **params):
    url = reverse("dashboards:export", args=[name, table, file_format])
    return http.get(url, params)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+7 495", "'+7 495"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Alfa", "Alfa"),
        ("a=b", "a=b"),
        (-5, -5),
        (Decimal("-1.5"), Decimal("-1.5")),
        (None, ""),
        (dt.date(2026, 1, 2), dt.date(2026, 1, 2)),
    ],
)
def test_escape_cell(value, expected):
    assert escape_cell(value) == expected


def test_helper_writes_both_formats_escaped():
    rows = [["=1+1", -3, Decimal("2.50"), dt.date(2026, 5, 1)]]
    assert read_csv(csv_bytes(["Name", "N", "Amount", "Day"], rows)) == [
        ["Name", "N", "Amount", "Day"],
        ["'=1+1", "-3", "2.50", "2026-05-01"],
    ]
    sheet = read_xlsx(xlsx_bytes(["Name", "N", "Amount", "Day"], rows, sheet_name="A/B"))
    assert sheet[1][:3] == ["'=1+1", -3, 2.5]
    assert sheet[1][3].date() == dt.date(2026, 5, 1)
    response = export_response(filename="Lost clients", file_format="xlsx", headers=[], rows=[])
    assert response["Content-Disposition"] == 'attachment; filename="lost-clients.xlsx"'


def test_quality_export_carries_the_page_numbers(company, as_director):
    page = as_director.get(reverse("dashboards:dashboard", args=["quality"]), PERIOD)
    table = page.context["board"].table("months")
    response = export(as_director, "quality", "months", "xlsx", **PERIOD)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="quality-months-2026-04-2026-06.xlsx"' in response["Content-Disposition"]
    rows = read_xlsx(response.content)
    assert rows[0] == [
        "Month",
        "Reports",
        "Goods",
        "Services",
        "Service",
        "Recommendation",
        "Net promoter score",
    ]
    assert rows[1:] == [
        ["2026-04", 1, 2, 3, 2, 6, -100],
        ["2026-05", 1, 4, 3, 3, 9, 100],
        ["2026-06", 1, 5, 4, 5, 10, 100],
    ]
    assert rows[1:] == [
        [float(v) if isinstance(v, Decimal) else v for v in r] for r in table.values()
    ]
    csv_rows = read_csv(export(as_director, "quality", "months", "csv", **PERIOD).content)
    assert csv_rows[1] == ["2026-04", "1", "2.00", "3.00", "2.00", "6.00", "-100.0"]


@pytest.mark.parametrize("name", list(DASHBOARDS))
def test_every_table_exports_with_the_page_rows(company, as_director, name):
    board = as_director.get(reverse("dashboards:dashboard", args=[name]), PERIOD).context["board"]
    for table in board.tables:
        rows = read_xlsx(export(as_director, name, table.key, "xlsx", **PERIOD).content)
        assert rows[0] == table.header()
        assert len(rows) - 1 == len(table.rows), table.key
        csv_rows = read_csv(export(as_director, name, table.key, "csv", **PERIOD).content)
        assert len(csv_rows) - 1 == len(table.rows), table.key


def test_at_risk_export_escapes_formulas_and_has_every_client(company, as_director):
    factories.ClientFactory(name='=HYPERLINK("http://evil.example","x")')
    factories.ClientFactory(name="@cmd")
    page = as_director.get(reverse("dashboards:dashboard", args=["at-risk"]))
    assert page.status_code == 200
    rows = read_xlsx(export(as_director, "at-risk", "clients", "xlsx").content)
    names = {row[0] for row in rows[1:]}
    assert '\'=HYPERLINK("http://evil.example","x")' in names
    assert "'@cmd" in names
    assert not any(str(cell).startswith(("=", "+", "@")) for row in rows for cell in row if cell)
    # The same health and reasons as the page (the page shows the lowest 50 of them).
    by_name = {row[0]: row for row in rows[1:]}
    gamma = next(r for r in page.context["board"].table("clients").rows if r["client"] == "Gamma")
    assert by_name["Gamma"][1:3] == [gamma["health"], gamma["reasons"]]
    assert "never visited" in gamma["reasons"]
    csv_names = {
        row[0] for row in read_csv(export(as_director, "at-risk", "clients", "csv").content)
    }
    assert "'@cmd" in csv_names


def test_at_risk_export_is_not_cut_at_the_page_length(as_director, db, monkeypatch):
    import importlib

    monkeypatch.setattr(
        importlib.import_module("programme.dashboards.selectors.at_risk"), "PAGE_ROWS", 2
    )
    factories.ClientFactory.create_batch(3)
    page = as_director.get(reverse("dashboards:dashboard", args=["at-risk"]))
    assert len(page.context["board"].table("clients").rows) == 2
    rows = read_xlsx(export(as_director, "at-risk", "clients", "xlsx").content)
    assert len(rows) == 1 + 3


def test_retention_lists_the_latest_lost_clients_and_exports_every_one(
    as_director, db, monkeypatch
):
    import importlib

    from django.utils import timezone

    monkeypatch.setattr(
        importlib.import_module("programme.dashboards.selectors.retention"), "PAGE_ROWS", 2
    )
    today = timezone.localdate()
    for days, name in ((1, "Lost first"), (2, "Lost second"), (3, "Lost third")):
        factories.ClientFactory(
            name=name, status="lost", lost_on=today.replace(day=1) - dt.timedelta(days=days)
        )
    page = as_director.get(reverse("dashboards:dashboard", args=["retention"]))
    board = page.context["board"]
    assert board.figure("lost") == 3
    assert [row["client"] for row in board.table("lost").rows] == ["Lost first", "Lost second"]
    assert "The 2 most recently lost; the export has every client." in page.content.decode()
    rows = read_xlsx(export(as_director, "retention", "lost", "xlsx").content)
    assert [row[0] for row in rows[1:]] == ["Lost first", "Lost second", "Lost third"]
