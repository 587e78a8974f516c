"""Dashboard exports prepared in the background: the export link answers the file when it is
ready (the tests' eager queue: the same bytes as the live export of before), else a progress
page that polls a status URL until it sends the browser to the download. Each export is its
owner's only, kept a day, and a failed one says so."""

import dataclasses
import datetime as dt
import logging
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programme.dashboards import exports
from programme.dashboards.filters import dashboard_filter
from programme.dashboards.selectors import DASHBOARDS
from programme.models import DashboardExport
from programme.tasks import build_dashboard_export, prune_dashboard_exports
from tests import factories
from vipcrm import queue
from vipcrm.celery import app as celery_app
from vipcrm.exports import export_response

from .test_exports import read_csv

PERIOD = {"start": "2026-04", "end": "2026-06"}
Status = DashboardExport.Status
HEADING = "Preparing your export of Clients ranked by health (At-risk clients)…"


def export_url(name="at-risk", table="clients", file_format="csv"):
    return reverse("dashboards:export", args=[name, table, file_format])


def status_url(export):
    return reverse("dashboards:export_status", args=[export.pk])


def download_url(export):
    return reverse("dashboards:export_download", args=[export.pk])


def only_export():
    (export,) = DashboardExport.objects.all()
    return export


@pytest.fixture
def queued(monkeypatch):
    """A real queue instead of the eager one: the export ids sent to the worker (none runs)."""
    sent = []
    celery_app.conf.task_always_eager = False  # put back by tests/conftest.py's _eager_celery
    monkeypatch.setattr(
        queue,  # where the dashboards' enqueue_now_if_eager sends a task after commit
        "enqueue_on_commit",
        lambda task, **kwargs: sent.append((task.name, kwargs["export_id"])),
    )
    return sent


@pytest.fixture
def broken(monkeypatch):
    def fail(scope, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setitem(
        DASHBOARDS, "at-risk", dataclasses.replace(DASHBOARDS["at-risk"], build=fail)
    )


# --- The tables an export may name ---------------------------------------------------------------


@pytest.mark.parametrize("name", list(DASHBOARDS))
def test_each_dashboard_names_the_tables_it_builds(company, director, build, name):
    spec = DASHBOARDS[name]
    board = build(director, name)
    assert {key: str(title) for key, title in spec.tables.items()} == {
        table.key: str(table.title) for table in board.tables
    }


# --- Ready: the file, as before ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "table", "file_format"),
    [("at-risk", "clients", "csv"), ("quality", "months", "xlsx"), ("retention", "lost", "csv")],
)
def test_the_export_link_answers_the_same_file_as_the_live_export(
    company, as_director, director, name, table, file_format
):
    response = as_director.get(export_url(name, table, file_format), PERIOD)

    # What the export link answered before: the board built in the request, every row.
    scope = dashboard_filter(director, PERIOD).scope
    board = DASHBOARDS[name].build(scope, limit=None)
    chosen = board.table(table)
    before = export_response(
        filename=exports.export_filename(board, chosen, scope),
        file_format=file_format,
        headers=chosen.header(),
        rows=chosen.values(),
    )
    if file_format == "csv":
        assert response.content == before.content
    else:  # an XLSX file carries the moment it was written; its cells are the same
        from .test_exports import read_xlsx

        assert read_xlsx(response.content) == read_xlsx(before.content)
    assert response["Content-Type"] == before["Content-Type"]
    assert response["Content-Disposition"] == before["Content-Disposition"]
    export = only_export()
    assert (export.status, export.done, export.total) == (
        Status.READY,
        len(chosen.rows),
        len(chosen.rows),
    )
    assert export.filename == f"{name}-{table}-2026-04-2026-06.{file_format}"
    assert export.params == {"viewer": "all", "filters": {"start": "2026-04", "end": "2026-06"}}


def test_the_at_risk_export_has_every_active_client(company, as_director):
    rows = read_csv(as_director.get(export_url(), PERIOD).content)
    assert rows[0][:3] == ["Client", "Health", "Reasons"]
    assert sorted(row[0] for row in rows[1:]) == ["Alfa", "Beta", "Epsilon", "Gamma", "Omega"]


def test_the_same_export_again_within_minutes_is_the_same_file(company, as_director, settings):
    settings.VIPCRM_DASHBOARD_EXPORT_REUSE = 300
    first = as_director.get(export_url(), PERIOD)
    factories.ClientFactory(name="Zeta")
    again = as_director.get(export_url(), PERIOD)
    assert again.content == first.content
    assert DashboardExport.objects.count() == 1
    # A few minutes later, a new export with the new client.
    DashboardExport.objects.update(finished_at=timezone.now() - dt.timedelta(seconds=301))
    later = read_csv(as_director.get(export_url(), PERIOD).content)
    assert "Zeta" in {row[0] for row in later[1:]}
    assert DashboardExport.objects.count() == 2
    # Another format, language or filter is another export.
    as_director.get(export_url(file_format="xlsx"), PERIOD)
    as_director.get(export_url(), PERIOD, HTTP_ACCEPT_LANGUAGE="ru")
    as_director.get(export_url(), {"start": "2026-05", "end": "2026-06"})
    assert DashboardExport.objects.count() == 5


def test_a_russian_export_is_in_russian(company, as_director):
    rows = read_csv(as_director.get(export_url(), PERIOD, HTTP_ACCEPT_LANGUAGE="ru").content)
    assert rows[0][:3] == ["Клиент", "Здоровье", "Причины"]
    assert only_export().language == "ru"


# --- Not ready: the progress page and the status URL ---------------------------------------------


def test_a_queued_export_shows_its_progress_page_then_sends_the_browser_to_the_file(
    company, as_director, queued, settings
):
    settings.VIPCRM_DASHBOARD_EXPORT_REUSE = 300
    response = as_director.get(export_url(), PERIOD)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    export = only_export()
    assert queued == [("programme.build_dashboard_export", export.pk)]
    assert (export.status, export.user.username) == (Status.QUEUED, "director")
    assert f'<h1 class="h3 mb-3" data-testid="export-heading">{HEADING}</h1>' in html
    assert '<div data-testid="export-state">Waiting for a worker…</div>' in html
    assert f'hx-get="{status_url(export)}"' in html
    assert 'hx-trigger="every 2s"' in html
    assert f'<a href="{download_url(export)}" data-testid="export-download">Download</a>' in html
    assert 'href="/dashboards/at-risk/?start=2026-04&amp;end=2026-06"' in html
    assert "<script>" not in html.split("<main", 1)[-1].split("</main>", 1)[0]

    # A reload (or a second click) while it waits follows the same export.
    as_director.get(export_url(), PERIOD)
    assert len(queued) == 1 and DashboardExport.objects.count() == 1

    def status():
        answer = as_director.get(status_url(export), HTTP_HX_REQUEST="true")
        assert answer.status_code == 200
        return answer, re.sub(r"\s+", " ", answer.content.decode())

    answer, text = status()
    assert "HX-Redirect" not in answer.headers
    assert "Waiting for a worker…" in text and 'hx-trigger="every 2s"' in text

    DashboardExport.objects.filter(pk=export.pk).update(
        status=Status.RUNNING, started_at=timezone.now()
    )
    assert "Reading the rows…" in status()[1]
    DashboardExport.objects.filter(pk=export.pk).update(done=2000, total=4321)
    answer, text = status()
    assert '<div data-testid="export-state">2000 of 4321 rows written</div>' in text
    assert 'max="4321" value="2000"' in text
    assert "HX-Redirect" not in answer.headers

    # The worker builds it: the next poll sends the browser to the download, once.
    DashboardExport.objects.filter(pk=export.pk).update(status=Status.QUEUED)
    build_dashboard_export(export_id=export.pk)
    answer, text = status()
    assert answer.headers["HX-Redirect"] == download_url(export)
    answer, text = status()
    assert "HX-Redirect" not in answer.headers
    assert "hx-trigger" not in text
    assert "The file is ready: 5 rows." in text
    assert f'href="{download_url(export)}"' in text

    download = as_director.get(download_url(export))
    export.refresh_from_db()
    assert download.content == bytes(export.content)
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download["Content-Disposition"] == (
        'attachment; filename="at-risk-clients-2026-04-2026-06.csv"'
    )
    assert [row[0] for row in read_csv(download.content)][0] == "Client"
    # And for a few minutes the link answers the ready file itself.
    assert as_director.get(export_url(), PERIOD).content == download.content


def test_the_download_link_followed_early_shows_the_progress_page(company, as_director, queued):
    as_director.get(export_url(), PERIOD)
    export = only_export()
    early = as_director.get(download_url(export))
    assert early["Content-Type"].startswith("text/html")
    assert HEADING in early.content.decode()
    exports.export_build(export.pk)
    assert as_director.get(download_url(export))["Content-Type"] == "text/csv; charset=utf-8"


def test_the_build_records_its_progress_every_thousand_rows(
    company, director, as_director, queued, monkeypatch
):
    assert exports.PROGRESS_EVERY == 1000
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 2)
    as_director.get(export_url(), PERIOD)
    export = only_export()
    with CaptureQueriesContext(connection) as captured:
        built = exports.export_build(export.pk)
    progress = [
        int(match)
        for query in captured.captured_queries
        for match in re.findall(r'SET "done" = (\d+) WHERE', query["sql"])
    ]
    assert progress == [2, 4]
    assert (built.status, built.done, built.total) == (Status.READY, 5, 5)


def test_a_build_is_run_once(company, as_director, queued):
    as_director.get(export_url(), PERIOD)
    export = only_export()
    DashboardExport.objects.filter(pk=export.pk).update(
        status=Status.RUNNING, started_at=timezone.now()
    )
    # Another worker holds it: this one leaves it alone.
    assert exports.export_build(export.pk).status == Status.RUNNING
    # Taken to be lost after ten minutes: built again; once built, never twice.
    lost = timezone.now() - exports.STUCK_AFTER - dt.timedelta(seconds=1)
    DashboardExport.objects.filter(pk=export.pk).update(started_at=lost)
    built = exports.export_build(export.pk)
    assert built.status == Status.READY
    assert exports.export_build(export.pk).finished_at == built.finished_at
    assert exports.export_build(999_999) is None


def test_an_export_queued_for_ten_minutes_is_queued_again(company, as_director, queued):
    as_director.get(export_url(), PERIOD)
    DashboardExport.objects.update(
        created_at=timezone.now() - exports.STUCK_AFTER - dt.timedelta(seconds=1)
    )
    as_director.get(export_url(), PERIOD)
    assert DashboardExport.objects.count() == 2 and len(queued) == 2


def test_the_status_url_costs_the_same_queries_at_every_step(
    company, director, as_director, queued, django_assert_num_queries
):
    as_director.get(export_url(), PERIOD)
    export = only_export()
    url = status_url(export)
    # The session, the user, their roles, the export.
    with django_assert_num_queries(4):
        as_director.get(url)
    DashboardExport.objects.filter(pk=export.pk).update(
        status=Status.RUNNING, started_at=timezone.now(), done=1000, total=96000
    )
    with django_assert_num_queries(4):
        as_director.get(url)
    DashboardExport.objects.filter(pk=export.pk).update(status=Status.QUEUED)
    exports.export_build(export.pk)
    # Ready: one more, the conditional UPDATE that sends the browser to the download once.
    with django_assert_num_queries(5):
        assert "HX-Redirect" in as_director.get(url).headers
    with django_assert_num_queries(5):
        assert "HX-Redirect" not in as_director.get(url).headers


# --- Whose export ---------------------------------------------------------------------------------


def test_an_export_is_its_owners_only(company, director, as_director, as_manager, client, queued):
    as_director.get(export_url(), PERIOD)
    export = only_export()
    exports.export_build(export.pk)
    second_director = type(as_director)()
    second_director.force_login(factories.management_user(username="second_director"))
    for http in (as_manager, second_director):
        assert http.get(status_url(export)).status_code == 404
        assert http.get(download_url(export)).status_code == 404
    for url in (status_url(export), download_url(export)):
        answer = client.get(url)
        assert answer.status_code == 302
        assert answer["Location"].startswith(reverse("login"))
    assert as_director.get(download_url(export)).status_code == 200


def test_no_export_for_whoever_may_not_read_the_dashboard(
    company, as_employee, as_other_manager, queued
):
    assert as_employee.get(export_url(), PERIOD).status_code == 404
    theirs = {**PERIOD, "programme": company.programme.pk}
    assert as_other_manager.get(export_url(), theirs).status_code == 404
    assert DashboardExport.objects.count() == 0
    assert queued == []


def test_an_unknown_table_or_format_is_404_without_an_export(company, as_director, queued):
    assert as_director.get(export_url(table="no-such"), PERIOD).status_code == 404
    assert as_director.get(export_url(file_format="pdf"), PERIOD).status_code == 404
    assert DashboardExport.objects.count() == 0


def test_a_managers_export_covers_only_their_programmes(company, manager, as_manager):
    rows = read_csv(as_manager.get(export_url(), PERIOD).content)
    assert sorted(row[0] for row in rows[1:]) == ["Alfa", "Beta", "Epsilon", "Gamma"]
    assert only_export().params["viewer"] == manager.pk


# --- A failed export ------------------------------------------------------------------------------


def test_a_failed_export_says_so_and_offers_a_retry(company, as_director, broken, caplog):
    with caplog.at_level(logging.ERROR, logger="programme.dashboards.exports"):
        response = as_director.get(export_url(), PERIOD)
    assert response.status_code == 200
    html = re.sub(r"\s+", " ", response.content.decode())
    assert HEADING in html
    assert (
        "The export could not be prepared. The error is logged for the administrator. "
        '<a class="alert-link" href="/dashboards/at-risk/export/clients.csv'
        '?start=2026-04&amp;end=2026-06" data-testid="export-retry">Try again</a>'
    ) in html
    assert "the database went away" not in html
    export = only_export()
    assert export.status == Status.FAILED
    assert export.error == "RuntimeError: the database went away"
    assert export.finished_at is not None
    assert "dashboard export" in caplog.text and "the database went away" in caplog.text

    # The status URL stops polling with the message, in the reader's language.
    status = as_director.get(status_url(export), HTTP_ACCEPT_LANGUAGE="ru")
    text = status.content.decode()
    assert "HX-Redirect" not in status.headers and "hx-trigger" not in text
    assert "Не удалось подготовить выгрузку." in text
    assert as_director.get(download_url(export))["Content-Type"].startswith("text/html")

    # "Try again" is the export link: a failed export is not reused.
    as_director.get(export_url(), PERIOD)
    assert DashboardExport.objects.count() == 2


def test_an_export_lost_for_ten_minutes_says_it_failed(company, as_director, queued):
    as_director.get(export_url(), PERIOD)
    export = only_export()
    lost = timezone.now() - exports.STUCK_AFTER - dt.timedelta(seconds=1)
    DashboardExport.objects.filter(pk=export.pk).update(created_at=lost)
    text = as_director.get(status_url(export)).content.decode()
    assert "The export could not be prepared." in text and "hx-trigger" not in text
    DashboardExport.objects.filter(pk=export.pk).update(
        status=Status.RUNNING, started_at=timezone.now()
    )
    text = as_director.get(status_url(export)).content.decode()
    assert "The export could not be prepared." not in text and "Reading the rows…" in text
    DashboardExport.objects.filter(pk=export.pk).update(started_at=lost)
    assert "Try again" in as_director.get(status_url(export)).content.decode()
    as_director.get(export_url(), PERIOD)  # "Try again"
    assert DashboardExport.objects.count() == 2 and len(queued) == 2


# --- The beat ------------------------------------------------------------------------------------


def test_the_beat_deletes_the_exports_older_than_a_day(company, as_director):
    as_director.get(export_url(), PERIOD)
    as_director.get(export_url(file_format="xlsx"), PERIOD)
    old, recent = DashboardExport.objects.order_by("pk")
    now = timezone.now()
    DashboardExport.objects.filter(pk=old.pk).update(created_at=now - dt.timedelta(hours=25))
    DashboardExport.objects.filter(pk=recent.pk).update(created_at=now - dt.timedelta(hours=23))
    prune_dashboard_exports()
    assert list(DashboardExport.objects.values_list("pk", flat=True)) == [recent.pk]
    assert exports.exports_prune(now=now + dt.timedelta(hours=2)) == 1
    assert not DashboardExport.objects.exists()


def test_the_beat_prunes_every_hour():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["dashboard-exports"]
    assert entry["task"] == prune_dashboard_exports.name
    assert str(entry["schedule"]) == "<crontab: 40 * * * * (m/h/dM/MY/d)>"


def test_the_benchmark_job_builds_the_at_risk_export_and_leaves_nothing(company, director):
    from bench import jobs

    assert "dashboard_export" in jobs.job_names()
    jobs.job_dashboard_export()
    assert not DashboardExport.objects.exists()
