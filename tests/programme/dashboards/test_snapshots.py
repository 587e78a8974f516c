"""Dashboards served from snapshots: the stored dashboard is the live one, a fresh snapshot is
served without recomputing, a stale one is served while it refreshes, a missing one shows a
progress panel that the status URL turns into a reload, a failed build says so."""

import dataclasses
import datetime as dt
import json
import logging
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.template.defaultfilters import date as date_filter
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programme.dashboards import snapshots
from programme.dashboards.base import Dashboard, tag, untag
from programme.dashboards.selectors import DASHBOARDS
from programme.models import DashboardSnapshot
from programme.tasks import build_dashboard_snapshot, refresh_dashboard_snapshots
from tests import factories
from vipcrm import queue
from vipcrm.celery import app as celery_app

from .test_pages import PERIOD, page_url, shown_figures
from .test_query_counts import add_clients

NAMES = list(DASHBOARDS)
Status = DashboardSnapshot.Status


def status_url(name):
    return reverse("dashboards:status", args=[name])


@pytest.fixture
def max_age(settings):
    settings.VIPCRM_DASHBOARD_MAX_AGE = 900
    return 900


@pytest.fixture
def queued(monkeypatch):
    """A real queue instead of the eager one: the snapshot ids sent to the worker (none runs)."""
    sent = []
    celery_app.conf.task_always_eager = False  # put back by tests/conftest.py's _eager_celery
    monkeypatch.setattr(
        queue,  # where the dashboards' enqueue_now_if_eager sends a task after commit
        "enqueue_on_commit",
        lambda task, **kwargs: sent.append((task.name, kwargs["snapshot_id"])),
    )
    return sent


def only_snapshot():
    (snapshot,) = DashboardSnapshot.objects.all()
    return snapshot


def age(snapshot, seconds):
    """Moves the snapshot's build ``seconds`` into the past."""
    built = timezone.now() - dt.timedelta(seconds=seconds)
    DashboardSnapshot.objects.filter(pk=snapshot.pk).update(built_at=built, queued_at=built)


# --- The stored dashboard is the live one -----------------------------------------------------


def test_values_keep_their_types_through_json():
    moment = timezone.make_aware(dt.datetime(2026, 5, 4, 12, 30))
    value = {
        "money": Decimal("12.50"),
        "day": dt.date(2026, 5, 1),
        "at": moment,
        "list": [Decimal("0.1"), None, 3, 2.5, "text", True],
    }
    back = untag(json.loads(json.dumps(tag(value))))
    assert back == value
    assert type(back["money"]) is Decimal and str(back["money"]) == "12.50"
    assert type(back["day"]) is dt.date
    assert type(back["at"]) is dt.datetime and back["at"].utcoffset() == moment.utcoffset()
    with pytest.raises(TypeError, match="object"):
        tag(object())


def _typed(value):
    """A value with its type, all the way down, to compare two dashboards exactly."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_typed(v) for v in value]
    return (type(value).__name__, str(value) if value is not None else None)


@pytest.mark.parametrize("name", NAMES)
def test_every_dashboard_round_trips_through_its_snapshot(company, director, build, name):
    live = build(director, name, start="2026-01", end="2026-06")
    stored = json.loads(json.dumps(live.to_snapshot()))
    restored = Dashboard.from_snapshot(stored)

    assert restored.to_snapshot() == stored
    assert [(f.key, str(f.label), f.kind) for f in restored.figures] == [
        (f.key, str(f.label), f.kind) for f in live.figures
    ]
    assert _typed([f.value for f in restored.figures]) == _typed([f.value for f in live.figures])
    assert [t.key for t in restored.tables] == [t.key for t in live.tables]
    for ours, theirs in zip(restored.tables, live.tables, strict=True):
        assert _typed(ours.rows) == _typed(theirs.rows)
        assert ours.chart == theirs.chart
        assert ours.header() == theirs.header()
    assert restored.definitions == [(str(t), str(d)) for t, d in live.definitions]
    assert restored.as_json() == live.as_json()
    assert restored.charts() == live.charts()
    # Shown on the page, they are the same to the character.
    assert any(table.rows for table in live.tables)
    for ours, theirs in zip(restored.tables, live.tables, strict=True):
        context = {"board": live, "query": "start=2026-01"}
        assert render_to_string(
            "programme/dashboards/_table.html", context | {"table": ours}
        ) == render_to_string("programme/dashboards/_table.html", context | {"table": theirs})


@pytest.mark.parametrize("name", NAMES)
def test_the_page_of_a_snapshot_equals_the_live_page(company, as_director, name):
    response = as_director.get(page_url(name), PERIOD)
    context = {
        key: response.context[key]
        for key in ("spec", "dashboards", "filter", "scope", "query", "snapshot")
        + ("fresh", "building", "failed", "refresh_minutes", "poll_seconds")
        + ("status_url", "retry_url")
    }
    served = response.context["board"]
    live = DASHBOARDS[name].build(response.context["scope"])
    template = "programme/dashboards/dashboard_detail.html"
    request = response.wsgi_request

    def page(board, rows_html):
        html = render_to_string(
            template,
            context | {"board": board, "charts": board.charts(), "rows_html": rows_html},
            request=request,
        )
        # Each rendering masks the CSRF token afresh.
        return re.sub(r"\b[A-Za-z0-9]{64}\b", "<csrf>", html)

    # The served page draws its table rows from the snapshot's, drawn at the build.
    rows_html = response.context["rows_html"]
    assert set(rows_html) == {table.key for table in live.tables}
    assert page(served, rows_html) == page(live, {})
    assert 'data-testid="figures"' in page(served, rows_html)


# --- Served from the snapshot -------------------------------------------------------------------


def test_a_fresh_snapshot_is_served_without_recomputing(company, as_director, max_age):
    first = as_director.get(page_url("progress"), PERIOD)
    assert shown_figures(first.content.decode())["listed"] == "6"
    snapshot = only_snapshot()
    assert snapshot.status == Status.READY and snapshot.build_seconds >= 0

    # New clients on the list do not show until the snapshot is refreshed.
    for index in range(3):
        factories.EnrolmentFactory(
            programme=company.programme, client=factories.ClientFactory(name=f"New {index}")
        )
    with CaptureQueriesContext(connection) as captured:
        again = as_director.get(page_url("progress"), PERIOD)
    html = again.content.decode()
    assert shown_figures(html)["listed"] == "6"
    assert len(captured.captured_queries) <= 12
    as_of = date_filter(timezone.localtime(snapshot.built_at), "DATETIME_FORMAT")
    assert f"Figures as of {as_of}; refreshed every 15 minutes." in html
    assert 'data-testid="dashboard-refreshing"' not in html

    # Once it is stale, the page rebuilds it (eagerly here) and shows the new figures.
    age(snapshot, max_age + 1)
    html = as_director.get(page_url("progress"), PERIOD).content.decode()
    assert shown_figures(html)["listed"] == "9"


def test_a_snapshot_page_costs_the_same_queries_for_few_and_many_clients(
    max_age, as_director, manager, employee, colleague
):
    programme = factories.ProgrammeFactory(manager=manager, starts_on=dt.date(2026, 1, 5))
    segments = [factories.SegmentFactory(name="Industry"), factories.SegmentFactory(name="Retail")]
    kwargs = dict(programme=programme, employees=[employee, colleague], segments=segments)
    add_clients(10, start=0, **kwargs)
    urls = [page_url(name) for name in NAMES]
    for url in urls:
        as_director.get(url)  # builds the snapshots

    def served_queries():
        counts = {}
        for url in urls:
            with CaptureQueriesContext(connection) as captured:
                response = as_director.get(url)
            assert 'data-testid="figures"' in response.content.decode()
            counts[url] = len(captured.captured_queries)
        return counts

    few = served_queries()
    add_clients(990, start=10, **kwargs)
    assert served_queries() == few
    assert max(few.values()) <= 12
    # And a rebuild sees the thousand clients.
    DashboardSnapshot.objects.update(built_at=timezone.now() - dt.timedelta(days=1))
    board = as_director.get(page_url("progress")).context["board"]
    assert board.figure("listed") == 1000


def built(name, user, filters=PERIOD, language="en"):
    """The snapshot of ``name`` for ``user``, built now through the service."""
    from programme.dashboards.filters import dashboard_filter

    scope = dashboard_filter(user, filters).scope
    snapshot = snapshots.snapshot_for(DASHBOARDS[name], scope, user, language)
    return snapshots.snapshot_build(snapshot.pk)


def test_a_stale_snapshot_is_served_and_a_refresh_queued(
    company, director, as_director, max_age, queued
):
    snapshot = built("progress", director)
    age(snapshot, max_age + 60)
    factories.EnrolmentFactory(programme=company.programme, client=factories.ClientFactory())

    html = as_director.get(page_url("progress"), PERIOD).content.decode()
    assert shown_figures(html)["listed"] == "6"
    assert "They are being refreshed" in html
    assert queued == [("programme.build_dashboard_snapshot", snapshot.pk)]
    # A second view while the refresh waits queues nothing more.
    as_director.get(page_url("progress"), PERIOD)
    assert len(queued) == 1

    # The worker runs it: the page shows the new figures, fresh.
    build_dashboard_snapshot(snapshot_id=snapshot.pk)
    html = as_director.get(page_url("progress"), PERIOD).content.decode()
    assert shown_figures(html)["listed"] == "7"
    assert "They are being refreshed" not in html


# --- Not built yet: the progress panel and the status URL --------------------------------------


def test_a_missing_snapshot_shows_a_progress_panel_until_built(
    company, as_director, max_age, queued
):
    response = as_director.get(page_url("quality"), PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="figures"' not in html
    assert "Computing the figures for this filter…" in html
    snapshot = only_snapshot()
    poll = f"{status_url('quality')}?start=2026-04&amp;end=2026-06"
    assert f'hx-get="{poll}"' in html
    assert 'hx-trigger="every 2s"' in html
    assert "<script>" not in html.split("<main", 1)[-1].split("</main>", 1)[0]
    assert queued == [("programme.build_dashboard_snapshot", snapshot.pk)]

    # While it builds, the status URL answers with the panel again, without a reload.
    status = as_director.get(status_url("quality"), PERIOD, HTTP_HX_REQUEST="true")
    assert status.status_code == 200
    assert "HX-Refresh" not in status.headers
    assert "Computing the figures for this filter…" in status.content.decode()
    assert len(queued) == 1

    snapshots.snapshot_build(snapshot.pk)
    status = as_director.get(status_url("quality"), PERIOD, HTTP_HX_REQUEST="true")
    assert status.headers["HX-Refresh"] == "true"
    html = as_director.get(page_url("quality"), PERIOD).content.decode()
    assert 'data-testid="figures"' in html
    assert "Figures as of" in html


def test_a_build_stuck_for_ten_minutes_is_queued_again(company, as_director, max_age, queued):
    as_director.get(page_url("growth"), PERIOD)
    snapshot = only_snapshot()
    as_director.get(status_url("growth"), PERIOD)
    assert len(queued) == 1
    long_ago = timezone.now() - snapshots.STUCK_AFTER - dt.timedelta(seconds=1)
    DashboardSnapshot.objects.filter(pk=snapshot.pk).update(
        status=Status.RUNNING, started_at=long_ago
    )
    as_director.get(status_url("growth"), PERIOD)
    assert queued == [("programme.build_dashboard_snapshot", snapshot.pk)] * 2


def test_one_build_at_a_time(company, director, max_age, queued):
    from programme.dashboards.filters import dashboard_filter

    spec = DASHBOARDS["referrals"]
    snapshot = snapshots.snapshot_for(spec, dashboard_filter(director, {}).scope, director, "en")
    assert snapshots.needs_build(snapshot)
    DashboardSnapshot.objects.filter(pk=snapshot.pk).update(
        status=Status.RUNNING, started_at=timezone.now()
    )
    # Another worker holds it: this one leaves it alone.
    assert snapshots.snapshot_build(snapshot.pk).data is None
    snapshot.refresh_from_db()
    assert snapshots.request_build(snapshot) is False
    assert queued == []
    # Once built, a second message for the same request builds nothing again.
    DashboardSnapshot.objects.filter(pk=snapshot.pk).update(status=Status.PENDING)
    built = snapshots.snapshot_build(snapshot.pk)
    assert built.status == Status.READY
    assert snapshots.snapshot_build(snapshot.pk).built_at == built.built_at
    assert snapshots.snapshot_build(snapshot.pk, force=True).built_at > built.built_at


# --- A failed build -----------------------------------------------------------------------------


@pytest.fixture
def broken(monkeypatch):
    def fail(scope, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setitem(
        DASHBOARDS, "quality", dataclasses.replace(DASHBOARDS["quality"], build=fail)
    )


def test_a_failed_build_says_so_and_offers_a_retry(company, as_director, max_age, broken, caplog):
    with caplog.at_level(logging.ERROR, logger="programme.dashboards.snapshots"):
        response = as_director.get(page_url("quality"), PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The figures for this filter could not be computed." in html
    assert 'href="/dashboards/quality/?start=2026-04&amp;end=2026-06&amp;retry=1"' in html
    assert "the database went away" not in html
    snapshot = only_snapshot()
    assert snapshot.status == Status.FAILED
    assert snapshot.error == "RuntimeError: the database went away"
    assert "dashboard snapshot" in caplog.text and "the database went away" in caplog.text

    # The status URL stops polling with the same message, in the reader's language.
    status = as_director.get(status_url("quality"), PERIOD, HTTP_ACCEPT_LANGUAGE="ru")
    assert "HX-Refresh" not in status.headers
    assert "hx-trigger" not in status.content.decode()
    assert "Не удалось рассчитать показатели для этого фильтра." in status.content.decode()


def test_a_retry_builds_again(company, as_director, max_age, broken, queued, monkeypatch):
    as_director.get(page_url("quality"), PERIOD)
    snapshot = only_snapshot()
    DashboardSnapshot.objects.filter(pk=snapshot.pk).update(
        status=Status.FAILED, started_at=timezone.now()
    )
    queued.clear()
    # Reading the page again does not hammer a failing build …
    as_director.get(page_url("quality"), PERIOD)
    assert queued == []
    # … the retry link does.
    as_director.get(page_url("quality"), PERIOD | {"retry": "1"})
    assert queued == [("programme.build_dashboard_snapshot", snapshot.pk)]


def test_a_failed_refresh_keeps_the_last_figures(company, as_director, max_age, monkeypatch):
    as_director.get(page_url("quality"), PERIOD)
    snapshot = only_snapshot()
    age(snapshot, max_age + 1)
    monkeypatch.setitem(
        DASHBOARDS,
        "quality",
        dataclasses.replace(DASHBOARDS["quality"], build=lambda scope: 1 / 0),
    )
    html = as_director.get(page_url("quality"), PERIOD).content.decode()
    assert 'data-testid="figures"' in html
    assert "The last refresh failed" in html


# --- Who shares a snapshot ----------------------------------------------------------------------


def test_management_shares_snapshots_and_each_manager_has_their_own(
    company, as_director, as_manager, max_age
):
    other_director = factories.management_user(username="second_director")
    http = type(as_director)()
    http.force_login(other_director)
    as_director.get(page_url("retention"), PERIOD)
    http.get(page_url("retention"), PERIOD)
    assert DashboardSnapshot.objects.count() == 1
    as_manager.get(page_url("retention"), PERIOD)
    russian = as_director.get(page_url("retention"), PERIOD, HTTP_ACCEPT_LANGUAGE="ru")
    assert "обновляются каждые 15 минут." in russian.content.decode()
    as_director.get(page_url("retention"), PERIOD | {"programme": company.programme.pk})
    params = sorted(
        (s.language, json.dumps(s.params, sort_keys=True)) for s in DashboardSnapshot.objects.all()
    )
    manager_id = company.programme.manager_id
    filters = '"filters": {"end": "2026-06", "start": "2026-04"}'
    assert params == sorted(
        [
            ("en", f'{{{filters}, "viewer": "all"}}'),
            ("en", f'{{{filters}, "viewer": {manager_id}}}'),
            ("ru", f'{{{filters}, "viewer": "all"}}'),
            (
                "en",
                f'{{"filters": {{"end": "2026-06", "programme": {company.programme.pk}, '
                f'"start": "2026-04"}}, "viewer": "all"}}',
            ),
        ]
    )
    # The Russian snapshot is in Russian.
    ru = DashboardSnapshot.objects.get(language="ru")
    assert ru.data["title"] == "Удержание"


def test_a_managers_snapshot_covers_only_their_programmes(company, as_manager, max_age):
    html = as_manager.get(page_url("progress"), PERIOD).content.decode()
    # VIP 2026 lists five clients; Omega is on the other manager's programme.
    assert shown_figures(html)["listed"] == "5"


# --- The API ------------------------------------------------------------------------------------


def test_the_api_serves_the_snapshot_or_says_it_is_computing(company, as_director, max_age, queued):
    url = reverse("api-dashboard", args=["growth"])
    computing = as_director.get(url, PERIOD)
    assert computing.status_code == 202
    assert computing.json() == {"status": "computing", "retry_after": 2}
    assert computing.headers["Retry-After"] == "2"
    snapshots.snapshot_build(only_snapshot().pk)
    ready = as_director.get(url, PERIOD)
    assert ready.status_code == 200
    assert ready.json()["figures"]["win_rate"] == 50.0
    assert "Last-Modified" in ready.headers


def test_the_api_answers_503_when_the_build_failed(company, as_director, max_age, broken):
    response = as_director.get(reverse("api-dashboard", args=["quality"]), PERIOD)
    assert response.status_code == 503
    assert response.json() == {
        "status": "failed",
        "detail": "The figures for this filter could not be computed.",
    }


# --- The beat -----------------------------------------------------------------------------------


def test_the_beat_refreshes_what_was_read_today_and_forgets_the_rest(
    company, as_director, max_age, queued
):
    for name in ("progress", "retention", "growth"):
        as_director.get(page_url(name), PERIOD)
    rows = {s.name: s for s in DashboardSnapshot.objects.all()}
    for row in rows.values():
        snapshots.snapshot_build(row.pk)
    now = timezone.now()
    DashboardSnapshot.objects.filter(pk=rows["progress"].pk).update(
        requested_at=now - dt.timedelta(hours=2), built_at=now - dt.timedelta(minutes=14)
    )
    DashboardSnapshot.objects.filter(pk=rows["retention"].pk).update(
        requested_at=now - dt.timedelta(days=2), built_at=now - dt.timedelta(days=2)
    )
    DashboardSnapshot.objects.filter(pk=rows["growth"].pk).update(
        requested_at=now - dt.timedelta(days=8)
    )
    queued.clear()
    refresh_dashboard_snapshots()
    # Read two hours ago: refreshed; read two days ago: kept, not rebuilt; a week: deleted.
    assert queued == [("programme.build_dashboard_snapshot", rows["progress"].pk)]
    assert set(DashboardSnapshot.objects.values_list("name", flat=True)) == {
        "progress",
        "retention",
    }


def test_the_beat_runs_the_refresh_every_max_age():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["dashboard-snapshots"]
    assert entry["task"] == refresh_dashboard_snapshots.name
    assert entry["schedule"] == dt.timedelta(seconds=900)
