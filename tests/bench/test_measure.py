"""The benchmark's measuring, targets and results, on a handful of rows (any database)."""

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
from django.db import connection
from django.urls import reverse

from bench import jobs, measure
from bench.dataset import BenchError, ensure_database, require_postgresql
from bench.pages import (
    BARE,
    DASHBOARD,
    DETAIL,
    LIST,
    PAGES,
    Context,
    Page,
    Unavailable,
    page,
    register,
)
from feedback.models import Notification
from programme.models import ProgrammeJob, SplitProposalRow
from tests import factories


def test_percentile_interpolates_between_ranks():
    values = [float(v) for v in range(1, 101)]
    assert measure.percentile(values, 50) == pytest.approx(50.5)
    assert measure.percentile(values, 95) == pytest.approx(95.05)
    assert measure.percentile([7.0], 95) == 7.0


def test_registry_names_are_unique_and_dashboards_are_named_so():
    names = [p.name for p in PAGES]
    assert len(names) == len(set(names))
    assert names[0] == "bare"
    assert all(p.name.startswith("dashboard") for p in PAGES if p.kind == DASHBOARD)
    with pytest.raises(ValueError, match="begins with 'dashboard'"):
        Page("retention", "director", DASHBOARD, lambda ctx: "/")
    with pytest.raises(ValueError, match="registered already"):
        register(Page("bare", "employee", BARE, lambda ctx: "/bare/"))


def test_a_page_whose_screen_does_not_exist_is_unavailable():
    ghost = Page("ghost", "employee", LIST, lambda ctx: reverse("nowhere:ghost"))
    with pytest.raises(Unavailable):
        ghost.resolve(Context())


@pytest.fixture
def card(world):
    """The employee's client with three visits (the card page's subject)."""
    for _ in range(3):
        factories.VisitFactory(client=world.client, employee=world.enrolment.assignee)
    return world


def queries_of(browser, url):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        browser.get(url)
    return len(captured.captured_queries)


def test_pages_are_measured_against_the_bare_page_with_their_query_count(
    card, settings, as_employee
):
    settings.DEBUG = False
    pages = [p for p in PAGES if p.name in ("bare", "client_card")] + [
        Page("ghost", "employee", DETAIL, lambda ctx: reverse("nowhere:ghost"))
    ]
    context = Context()
    assert context.card_client_id == card.client.pk
    results = measure.measure_pages(pages, context, requests=3, warmup=1, log=lambda _: None)
    bare, client_card, ghost = results
    assert bare["status"] == client_card["status"] == "ok"
    assert client_card["url"] == f"/clients/{card.client.pk}/"
    # The count of one request, as Django's own capture sees it.
    assert bare["queries"] == queries_of(as_employee, "/bare/") >= 3
    assert client_card["queries"] == queries_of(as_employee, client_card["url"]) > bare["queries"]
    assert client_card["requests"] == 3
    assert client_card["p95_ms"] >= client_card["p50_ms"] > 0
    assert client_card["ratio_to_bare"] == pytest.approx(
        client_card["p50_ms"] / client_card["bare_p50_ms"], rel=0.02
    )
    assert ghost["status"] == "not available"


def test_a_slow_page_is_sampled_fewer_times_within_its_budget(world, settings, as_employee):
    settings.DEBUG = False
    result = measure.measure_page(
        as_employee, "/bare/", "/bare/", requests=30, warmup=5, budget_seconds=0.000_001
    )
    assert result["status"] == "ok"
    assert result["requests"] == 3


def test_every_dashboard_is_registered_for_the_director():
    from programme.dashboards.selectors import DASHBOARDS

    dashboards = {p.name: p for p in PAGES if p.kind == DASHBOARD and p.snapshot}
    assert set(dashboards) == {f"dashboard_{slug.replace('-', '_')}" for slug in DASHBOARDS}
    assert {p.user for p in dashboards.values()} == {"director"}
    assert dashboards["dashboard_retention"].resolve(Context()) == "/dashboards/retention/"


def test_the_programme_manager_s_pages_are_registered_with_their_urls(world):
    context = Context()
    pk = world.programme.pk
    urls = {
        name: (page(name).kind, page(name).user, page(name).resolve(context))
        for name in ("staff_pool", "split_proposal", "dashboard_programme_progress")
    }
    assert urls == {
        "staff_pool": (LIST, "manager", f"/programmes/{pk}/staff/"),
        "split_proposal": (LIST, "manager", f"/programmes/{pk}/split/"),
        "dashboard_programme_progress": (DASHBOARD, "manager", f"/programmes/{pk}/progress/"),
    }
    # Computed live: no snapshot to build before it is timed.
    assert page("dashboard_programme_progress").snapshot is False


def test_the_split_proposal_is_timed_on_a_real_proposal_rolled_back_afterwards(
    world, settings, as_manager
):
    settings.DEBUG = False
    factories.EnrolmentFactory(programme=world.programme, client__name="Zeta Glass")
    before = sorted(world.programme.enrolments.values_list("pk", "assignee_id"))
    context = Context()

    with measure.split_proposal_ready(context, context.users["manager"]) as job:
        # Every client of the list unassigned and proposed, through the real services.
        shown = as_manager.get(page("split_proposal").resolve(context)).content.decode()
        assert job.result["proposed"] == 3 and job.proposal_rows.count() == 3
        assert not world.programme.enrolments.filter(assignee__isnull=False).exists()
    results = measure.measure_pages(
        [PAGES[0], page("split_proposal")], context, requests=2, warmup=0, log=lambda _: None
    )

    assert shown.count('data-testid="split-row"') == 3 and "Zeta Glass" in shown
    assert results[1]["status"] == "ok" and results[1]["queries"] <= measure.MAX_QUERIES
    # Nothing leaks: the list as it was, no job, no proposal row.
    assert sorted(world.programme.enrolments.values_list("pk", "assignee_id")) == before
    assert not ProgrammeJob.objects.exists() and not SplitProposalRow.objects.exists()


def test_a_page_that_does_not_answer_200_is_reported_failed(world, settings):
    settings.DEBUG = False
    pages = [PAGES[0], Page("colleague_card", "employee", DETAIL, lambda ctx: "/clients/0/")]
    results = measure.measure_pages(pages, Context(), requests=2, warmup=0, log=lambda _: None)
    assert results[1] == results[1] | {"status": "failed", "reason": "answered 404"}


def _page(name, kind, p50, queries, bare=10.0, **extra):
    return {
        "name": name, "kind": kind, "user": "employee", "status": "ok", "p50_ms": p50,
        "p95_ms": p50 * 1.2, "queries": queries, "bare_p50_ms": bare,
        "ratio_to_bare": round(p50 / bare, 2), **extra,
    }  # fmt: skip


def _results(scale, pages, jobs_=(), http=None):
    return {
        "scale": scale,
        "finished_at": "2026-11-27T01:00:00+00:00",
        "machine": {"cpus": 2, "load_before": [1, 1, 1], "load_after": [2, 2, 2]},
        "pages": pages,
        "jobs": list(jobs_),
        "http": http or {"status": "ok", "seconds": 5, "connections": 4, "workers": 2,
                         "paths": ["/bare/"], "rps": 100.0, "p95_ms": 20.0, "errors": 0},
    }  # fmt: skip


def _holds(targets):
    return {t["target"]: t["holds"] for t in targets}


def test_targets_hold_or_miss_by_the_issue_s_numbers():
    full = _results(
        "full",
        [
            _page("bare", BARE, 10, 3),
            _page("client_list", LIST, 25, 7),
            _page("client_list_last", LIST, 40, 7, compare_with="client_list"),
            _page("client_card", DETAIL, 35, 16),
            _page("dashboard_retention", DASHBOARD, 70, 9),
        ],
        jobs_=[
            {"name": "auto_split", "status": "ok", "seconds": 25.0, "peak_rss_mb": 300.0},
            {"name": "reminder_scan_due", "status": "ok", "seconds": 1.0, "peak_rss_mb": 400.0},
        ],
        http={"status": "ok", "seconds": 5, "connections": 4, "workers": 2, "paths": ["/"],
              "rps": 50.0, "p95_ms": 30.0, "errors": 2},
    )  # fmt: skip
    small = _results(
        "small",
        [_page("client_list", LIST, 20, 8)],
        jobs_=[{"name": "reminder_scan_due", "status": "ok", "seconds": 0.2, "peak_rss_mb": 90.0}],
    )
    holds = _holds(measure.evaluate(full, small))
    assert holds["client_list: queries ≤ 15"] is True
    assert holds["client_card: queries ≤ 15"] is False
    assert holds["client_list: same queries at full and small"] is False
    assert holds["client_list: p50 ≤ 3× bare"] is True
    assert holds["client_card: p50 ≤ 3× bare"] is False
    assert holds["dashboard_retention: p50 ≤ 8× bare"] is True
    assert holds["client_list_last: p50 ≤ 1.5× client_list"] is False
    assert holds["auto_split: < 20 s and < 1024 MB"] is False
    assert holds["reminder_scan_due: memory flat between scales"] is False
    assert holds["HTTP run: zero errors"] is False


def _scan(name, seconds, rows, peak=90.0):
    return {"name": name, "status": "ok", "seconds": seconds, "peak_rss_mb": peak, "rows": rows}


def test_a_scan_s_time_is_judged_per_due_row_with_a_fixed_allowance():
    # Full has ten times the due rows of small: at most 1.5 × 0.2 s × 10 + 0.25 s = 3.25 s.
    full = _results(
        "full",
        [],
        jobs_=[
            _scan("reminder_scan_due", 3.25, 1000),
            _scan("reminder_scan_slow", 3.3, 1000),
            # As many rows at both scales: its small time and the allowance, 1.5 × 0.04 + 0.25.
            _scan("reminder_scan_same", 0.3, 1),
            _scan("reminder_scan_same_slower", 0.32, 1),
            _scan("reminder_scan_none_small", 1.0, 10),
            _scan("reminder_scan_uncounted", 1.0, 10),
        ],
    )
    small = _results(
        "small",
        [],
        jobs_=[
            _scan("reminder_scan_due", 0.2, 100),
            _scan("reminder_scan_slow", 0.2, 100),
            _scan("reminder_scan_same", 0.05, 1),
            _scan("reminder_scan_same_slower", 0.04, 1),
            _scan("reminder_scan_none_small", 0.1, 0),
            {"name": "reminder_scan_uncounted", "status": "ok", "seconds": 0.1,
             "peak_rss_mb": 90.0},  # a run from before the rows were counted
        ],
    )  # fmt: skip
    rule = "time per due row at full ≤ 1.5× small (+ 0.25 s)"
    for results, other in ((full, small), (small, full)):  # either file judges the same
        targets = {t["target"]: t for t in measure.evaluate(results, other)}
        assert {name: t["holds"] for name, t in targets.items() if rule in name} == {
            f"reminder_scan_due: {rule}": True,
            f"reminder_scan_slow: {rule}": False,
            f"reminder_scan_same: {rule}": True,
            f"reminder_scan_same_slower: {rule}": False,
            f"reminder_scan_none_small: {rule}": None,
            f"reminder_scan_uncounted: {rule}": None,
        }
        assert targets[f"reminder_scan_slow: {rule}"]["detail"] == (
            "3.3 s for 1000 rows (3.3 ms a row) vs 0.2 s for 100 (2 ms): at most 3.25 s"
        )
        assert targets[f"reminder_scan_none_small: {rule}"]["detail"] == "no due rows at small"
        assert targets[f"reminder_scan_uncounted: {rule}"]["detail"] == "due rows not counted"
    holds = _holds(measure.evaluate(full))  # no other scale: nothing to compare with
    assert not [name for name in holds if rule in name]


def test_a_reminder_job_reports_the_due_rows_it_handled(db, world, monkeypatch):
    monkeypatch.setattr(jobs, "vacuum_after", lambda name: None)  # no VACUUM in a test
    factories.FollowUpFactory.create_batch(
        3, client=world.client, owner=world.enrolment.assignee, due_on=dt.date.today()
    )
    result = jobs.run_in_process("reminder_scan_follow_ups")
    assert result == {"status": "ok", "seconds": result["seconds"], "rows": 3}
    assert not Notification.objects.exists()  # rolled back


def test_the_weekly_digest_s_rows_are_the_enrolments_it_summarises(db, world, monkeypatch):
    monkeypatch.setattr(jobs, "vacuum_after", lambda name: None)
    factories.EnrolmentFactory.create_batch(3, programme=world.programme)
    # The world's two enrolments and three more: one digest, to the programme's manager.
    result = jobs.run_in_process("reminder_scan_weekly_digest")
    assert result == {"status": "ok", "seconds": result["seconds"], "rows": 5}
    assert not Notification.objects.exists()


def test_a_job_or_page_not_there_is_not_measured_rather_than_passed():
    results = _results(
        "small",
        [_page("bare", BARE, 10, 3), {"name": "my_list", "kind": LIST, "user": "employee",
                                       "status": "not available", "reason": "no URL yet"}],
        jobs_=[{"name": "auto_split", "status": "not available", "reason": "no service yet",
                "seconds": None, "peak_rss_mb": None}],
        http={"status": "not available", "reason": "wrk is not installed"},
    )  # fmt: skip
    holds = _holds(measure.evaluate(results))
    assert holds["my_list: measured"] is None
    assert holds["auto_split: < 20 s and < 1 GB"] is None
    assert holds["HTTP run: zero errors"] is None


def test_results_are_written_as_json_and_a_markdown_table(tmp_path):
    results = _results(
        "small",
        [_page("bare", BARE, 10, 3), _page("client_list", LIST, 25, 7)],
        jobs_=[
            {"name": "dataset_build", "status": "ok", "seconds": 27.0, "peak_rss_mb": 60.0},
            _scan("reminder_scan_contacts", 2.5, 11438),
        ],
    )
    results["targets"] = measure.evaluate(results)
    text = measure.write_results(results, folder=tmp_path)
    saved = json.loads((tmp_path / "latest.json").read_text())
    assert (tmp_path / "small.json").read_text() == (tmp_path / "latest.json").read_text()
    page = saved["pages"][1]
    assert {k: page[k] for k in ("name", "p50_ms", "p95_ms", "queries", "ratio_to_bare")} == {
        "name": "client_list", "p50_ms": 25, "p95_ms": 30.0, "queries": 7, "ratio_to_bare": 2.5,
    }  # fmt: skip
    assert saved["jobs"][0] | {"seconds": 27.0, "peak_rss_mb": 60.0} == saved["jobs"][0]
    assert {"rps", "p95_ms", "errors"} <= set(saved["http"])
    assert "| client_list | employee | 25 | 30.0 | 7 | — | 2.5 | — |" in text
    assert "| client_list: p50 ≤ 3× bare | yes | 2.5× (25 ms vs 10.0 ms) |" in text
    assert "| dataset_build | 27.0 | 60.0 | — | ok |" in text
    assert "| reminder_scan_contacts | 2.5 | 90.0 | 11438 | ok |" in text
    assert saved["jobs"][1]["rows"] == 11438
    assert (tmp_path / "latest.md").read_text() == text


def test_a_job_s_peak_memory_is_its_own_process_s():
    # Measured by the job process itself, so a large parent (this test runner, after a long
    # suite) does not count.
    code = (
        "from bench.jobs import self_peak_rss_mb; x = bytearray(80 * 1024 * 1024); "
        "x[::4096] = b'1' * len(x[::4096]); print(self_peak_rss_mb())"
    )
    ran = jobs.run_subprocess([sys.executable, "-c", code])
    assert ran["returncode"] == 0
    assert 80 <= float(ran["last_line"]) < 200


def test_a_job_whose_service_does_not_exist_is_not_available():
    with pytest.raises(jobs.NotAvailable, match="does not exist yet"):
        jobs._service("clients.no_such_module.run")
    with pytest.raises(jobs.NotAvailable, match="does not exist yet"):
        jobs._service("clients.models.no_such_service")
    assert jobs.run_in_process("no_such_job") == {
        "status": "not available",
        "reason": "no job named no_such_job",
    }


def test_the_job_list_names_every_hook():
    names = jobs.job_names()
    assert names[0] == "auto_split" and names[-1] == "import_clients"
    assert any(name.startswith("reminder_") for name in names)


def test_the_import_file_has_the_rows_asked_for(tmp_path):
    path = jobs.write_client_file(tmp_path / "clients.csv", rows=25)
    lines = path.read_text().splitlines()
    assert len(lines) == 26 and lines[0].startswith("name,legal_name,tax_number")
    assert len({line.split(",")[2] for line in lines[1:]}) == 25  # tax numbers are unique


def test_sqlite_is_refused_with_a_clear_message(db):
    with pytest.raises(BenchError, match="PostgreSQL only.*DATABASE_URL"):
        ensure_database({"ENGINE": "django.db.backends.sqlite3", "NAME": "x.sqlite3"})
    if connection.vendor == "sqlite":
        with pytest.raises(BenchError, match="PostgreSQL only"):
            require_postgresql(connection)


def test_make_bench_refuses_sqlite_before_touching_anything(tmp_path):
    finished = subprocess.run(
        [sys.executable, "-m", "bench.dataset", "--prepare-database"],
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert finished.returncode == 2
    assert "runs on PostgreSQL only" in finished.stderr
    assert not (tmp_path / "db.sqlite3").exists()


@pytest.mark.parametrize(
    "path",
    [
        jobs.SPLIT_SERVICE,
        jobs.SPLIT_APPLY_SERVICE,
        jobs.IMPORT_SERVICE,
        jobs.IMPORT_VALIDATE_SERVICE,
        jobs.IMPORT_COMMIT_SERVICE,
    ],
)
def test_every_job_hook_names_a_service_that_exists(path):
    """A renamed service must not silently turn a job into "not available"."""
    assert callable(jobs._service(path))


def test_a_dashboard_is_timed_as_served_from_its_snapshot_built_first(world, director, settings):
    from programme.models import DashboardSnapshot

    settings.DEBUG = False
    settings.VIPCRM_DASHBOARD_MAX_AGE = 900
    pages = [PAGES[0], next(p for p in PAGES if p.name == "dashboard_growth")]
    logged = []
    results = measure.measure_pages(pages, Context(), requests=2, warmup=1, log=logged.append)
    growth = results[1]
    assert growth["status"] == "ok"
    assert growth["build_seconds"] >= 0
    assert any("dashboard_growth: snapshot built in" in line for line in logged)
    # Built once, by the benchmark through the service; the timed views only read it.
    snapshot = DashboardSnapshot.objects.get()
    assert (snapshot.name, snapshot.status, snapshot.params["viewer"]) == ("growth", "ready", "all")
    assert snapshot.build_seconds is not None

    results = _results("small", [_page("bare", BARE, 10, 3)])
    results["pages"].append(_page("dashboard_growth", DASHBOARD, 30, 11, build_seconds=2.5))
    results["targets"] = measure.evaluate(results)
    assert "| dashboard_growth | employee | 30 | 36.0 | 11 | — | 3.0 | — | 2.5 |" in (
        measure.markdown(results)
    )


def test_a_dashboard_whose_snapshot_fails_is_reported_failed(
    world, director, settings, monkeypatch
):
    import dataclasses

    from programme.dashboards.selectors import DASHBOARDS

    def fail(scope, **kwargs):
        raise RuntimeError("no figures")

    monkeypatch.setitem(DASHBOARDS, "growth", dataclasses.replace(DASHBOARDS["growth"], build=fail))
    settings.DEBUG = False
    pages = [PAGES[0], next(p for p in PAGES if p.name == "dashboard_growth")]
    results = measure.measure_pages(pages, Context(), requests=2, warmup=0, log=lambda _: None)
    assert results[1] == results[1] | {
        "status": "failed",
        "reason": "the snapshot of /dashboards/growth/ failed: RuntimeError: no figures",
    }


def test_stored_results_are_compared_again_with_a_newer_run_of_the_other_scale(tmp_path):
    full = _results("full", [_page("bare", BARE, 10, 3), _page("client_list", LIST, 25, 7)])
    full = measure.compare_with_other(full, None)
    measure.write_results(full, folder=tmp_path)
    small = _results("small", [_page("bare", BARE, 8, 3), _page("client_list", LIST, 20, 8)])
    (tmp_path / "small.json").write_text(json.dumps(small))

    assert measure.evaluate_stored("full", folder=tmp_path) == 0

    saved = json.loads((tmp_path / "full.json").read_text())
    assert saved["pages"][1]["queries_other_scale"] == 8
    same = next(t for t in saved["targets"] if t["target"].startswith("client_list: same queries"))
    assert (same["holds"], same["detail"]) == (False, "7 vs 8")
    assert (tmp_path / "latest.json").read_text() == (tmp_path / "full.json").read_text()
