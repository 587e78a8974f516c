"""The demo director reads every dashboard: the charts are drawn, a filter changes the figures,
a table downloads as CSV and as XLSX."""

import csv
import io

import pytest
from openpyxl import load_workbook

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

DASHBOARDS = [
    ("Programme progress", "progress"),
    ("Retention", "retention"),
    ("Quality", "quality"),
    ("Growth", "growth"),
    ("Referrals", "referrals"),
    ("At-risk clients", "at-risk"),
]

# How many pixels of a canvas are not transparent: a chart that was drawn has many.
DRAWN_PIXELS = """(canvas) => {
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) { drawn += 1; } }
  return drawn;
}"""


def figure(page, key):
    return page.locator(f'[data-figure="{key}"]').inner_text()


def test_director_reads_every_dashboard_with_drawn_charts(page, demo):
    log_in(page, "director")
    page.get_by_test_id("main-nav").get_by_role("link", name="Dashboards").click()
    page.wait_for_url("**/dashboards/")

    for title, name in DASHBOARDS:
        page.get_by_test_id("dashboard-index").get_by_role("link", name=title).click()
        page.wait_for_url(f"**/dashboards/{name}/")
        assert page.get_by_role("heading", level=1).inner_text() == title
        canvases = page.locator("canvas[data-testid^=chart-]")
        assert canvases.count() >= 1, f"{name}: no chart"
        for index in range(canvases.count()):
            canvas = canvases.nth(index)
            canvas.scroll_into_view_if_needed()
            page.wait_for_function(f"(c) => ({DRAWN_PIXELS})(c) > 500", arg=canvas.element_handle())
            blank = canvas.evaluate(
                "(c) => { const b = document.createElement('canvas'); b.width = c.width;"
                " b.height = c.height; return b.toDataURL(); }"
            )
            assert canvas.evaluate("(c) => c.toDataURL()") != blank
        # Every table under a chart has rows, so no dashboard is empty with the demo data.
        assert page.locator("[data-testid^=empty-]").count() == 0, f"{name}: an empty table"
        page.goto("/dashboards/")


def test_a_filter_changes_the_figures(page, demo):
    log_in(page, "director")
    page.goto("/dashboards/progress/")
    everyone = figure(page, "listed")

    page.locator("select[name=employee]").select_option(index=1)
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/dashboards/progress/?*employee=*")

    one = figure(page, "listed")
    assert int(one.replace(",", "")) < int(everyone.replace(",", ""))
    # The tabs keep the filter: the next dashboard opens for the same employee.
    page.get_by_test_id("dashboard-tabs").get_by_role("link", name="At-risk clients").click()
    page.wait_for_url("**/dashboards/at-risk/?*employee=*")
    page.goto("/dashboards/at-risk/")
    assert figure(page, "scored") != ""


def test_a_table_downloads_as_csv_and_xlsx(page, demo):
    log_in(page, "director")
    page.goto("/dashboards/at-risk/")
    shown = page.get_by_test_id("table-clients").locator("tbody tr").count()

    with page.expect_download() as download_info:
        page.get_by_test_id("export-clients-csv").click()
    download = download_info.value
    assert download.suggested_filename.startswith("at-risk-clients-")
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["Client", "Health", "Reasons"]
    # The page lists the 50 lowest scores; the file has every active client.
    assert len(rows) - 1 >= shown

    with page.expect_download() as download_info:
        page.get_by_test_id("export-clients-xlsx").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read()), read_only=True).active
        header = next(sheet.iter_rows(values_only=True))
    assert list(header[:3]) == ["Client", "Health", "Reasons"]
    first = page.get_by_test_id("table-clients").locator("tbody tr").first
    assert rows[1][0] == first.locator("td").first.inner_text()


def test_a_cold_filter_shows_progress_then_the_figures_without_a_reload(
    page, demo, settings, monkeypatch
):
    """Snapshots on (15 minutes) and a real queue: the first view of a filter shows the progress
    panel; once the worker (here the test, through the service) has built the snapshot, the
    panel's polling reloads the page by itself and the figures are there."""
    from programme.dashboards import snapshots
    from programme.models import DashboardSnapshot
    from vipcrm import queue
    from vipcrm.celery import app as celery_app

    settings.VIPCRM_DASHBOARD_MAX_AGE = 900
    celery_app.conf.task_always_eager = False  # put back by tests/conftest.py's _eager_celery
    queued = []
    monkeypatch.setattr(
        queue, "enqueue_on_commit", lambda task, **kwargs: queued.append(kwargs["snapshot_id"])
    )
    log_in(page, "director")
    page.goto("/dashboards/quality/")
    panel = page.get_by_test_id("dashboard-progress")
    assert "Computing the figures for this filter…" in panel.inner_text()
    assert page.locator("[data-figure]").count() == 0
    # The panel polls (every 2 s) while the build waits in the queue.
    with page.expect_response("**/dashboards/quality/status/*"):
        pass
    (snapshot_id,) = queued
    assert DashboardSnapshot.objects.get(pk=snapshot_id).status == "pending"

    snapshots.snapshot_build(snapshot_id)
    page.get_by_test_id("figures").wait_for()
    assert page.locator("[data-figure]").count() >= 4
    assert "Figures as of" in page.get_by_test_id("dashboard-freshness").inner_text()
    assert page.get_by_test_id("dashboard-progress").count() == 0
    assert page.url.endswith("/dashboards/quality/")


def test_a_long_export_shows_its_progress_then_downloads_by_itself(page, demo, monkeypatch):
    """A real queue: the export link opens a page that follows the build; once the worker (here
    the test, through the service) has written the file, the page's polling sends the browser
    to the download."""
    from programme.dashboards import exports
    from programme.models import DashboardExport
    from vipcrm import queue
    from vipcrm.celery import app as celery_app

    queued = []
    monkeypatch.setattr(
        queue, "enqueue_on_commit", lambda task, **kwargs: queued.append(kwargs["export_id"])
    )
    log_in(page, "director")
    page.goto("/dashboards/at-risk/")  # its snapshot built by the eager queue
    celery_app.conf.task_always_eager = False  # put back by tests/conftest.py's _eager_celery
    page.get_by_test_id("export-clients-csv").click()
    page.wait_for_url("**/dashboards/at-risk/export/clients.csv?*")
    heading = page.get_by_test_id("export-heading").inner_text()
    assert heading == "Preparing your export of Clients ranked by health (At-risk clients)…"
    assert page.get_by_test_id("export-state").inner_text() == "Waiting for a worker…"
    # The page polls (every 2 s) while the export waits in the queue.
    with page.expect_response("**/dashboards/exports/*/status/"):
        pass
    (export_id,) = queued
    assert DashboardExport.objects.get(pk=export_id).status == "queued"

    with page.expect_download() as download_info:
        exports.export_build(export_id)
    download = download_info.value
    export = DashboardExport.objects.get(pk=export_id)
    assert download.suggested_filename == export.filename
    assert download.suggested_filename.startswith("at-risk-clients-")
    with open(download.path(), encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["Client", "Health", "Reasons"]
    assert len(rows) - 1 == export.total > 50
    # Once downloaded, the page offers the file again instead of polling.
    page.get_by_test_id("export-ready").wait_for()
    assert page.get_by_test_id("export-progress").count() == 0
