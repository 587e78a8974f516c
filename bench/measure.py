"""``make bench``: build (or reuse) the data set, time the pages, the jobs and an HTTP run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vipcrm_bench SCALE=small make bench

Pages are measured in this one process with Django's test client (``force_login``), against
the real database with DEBUG off. Each page is interleaved with the bare page (the base layout
and nothing else) opened by the same person, so its cost is a ratio to the bare page measured
in the same minute on the same (possibly busy) machine: p50 and p95 of ``BENCH_REQUESTS``
requests (30 by default) after a warm-up, and the query count of one request.

A management dashboard shows a snapshot that a worker builds in the background. Before such a
dashboard is timed, its snapshot is built here through the real service, and the build's
seconds are reported as ``build_seconds``; the page is then timed as people get it, from the
snapshot (a page that was not served from it — its progress panel instead of figures — fails
the row). A programme's progress, a dashboard computed live, is timed as it is.

The split proposal page needs a proposal, which the data set (every client assigned) does not
have: ``split_proposal_ready`` computes one for the whole list through the real services inside
a transaction rolled back once the page is timed (``PREPARED``).

Writes ``bench/results/latest.json``, ``latest.md`` and a copy per scale (``small.json``,
``full.json``; the query counts of the two scales are compared), prints the table and which of
the issue's targets hold.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
MAX_QUERIES = 15
RATIO_TARGETS = {"list": 3.0, "detail": 3.0, "api": 3.0, "dashboard": 8.0}
LAST_PAGE_RATIO = 1.5
SPLIT_SECONDS, SPLIT_RSS_MB = 20.0, 1024.0
# A reminder scan's time follows its due rows: at the larger scale, its seconds at most
# SCAN_ROW_RATIO times the smaller scale's seconds per due row, times its due rows, plus
# SCAN_OVERHEAD_SECONDS for what a scan does once whatever its rows (its first queries, its
# texts translated, the content types) and the noise of a shared machine on a short job. The
# weekly digest's rows are the enrolments it summarises (bench.jobs.enrolments_summarised): it
# sends one digest per manager at both scales, but counts the whole lists, as a dashboard does.
SCAN_ROW_RATIO, SCAN_OVERHEAD_SECONDS = 1.5, 0.25
SCALE_ORDER = ("tiny", "small", "full")


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile with linear interpolation between closest ranks."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    low, high = math.floor(k), math.ceil(k)
    if low == high:
        return ordered[int(k)]
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def _timed_get(browser, url: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = browser.get(url)
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
    return (time.perf_counter() - started) * 1000, response.status_code


def measure_page(
    browser,
    url: str,
    bare_url: str,
    requests: int = 30,
    warmup: int = 5,
    budget_seconds: float | None = None,
    must_contain: bytes | None = None,
) -> dict:
    """One page against the bare page, interleaved, opened by the same logged-in ``browser``.

    A page so slow that ``requests`` of it would outlast ``budget_seconds`` is sampled fewer
    times (at least 3; ``requests`` in the result says how many): a 30-second page needs no
    thirty samples to show that it misses its target.
    """
    started = time.perf_counter()
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    if must_contain is not None:
        response = browser.get(url)
        if must_contain not in response.content:
            return {"status": "failed", "reason": f"its page lacks {must_contain.decode()!r}"}
    for _ in range(warmup):
        browser.get(bare_url)
        browser.get(url)
        if budget_seconds and time.perf_counter() - started > budget_seconds / 4:
            break
    # Each request empties the query log when it starts (Django's request_started signal); an
    # empty log before the request keeps CaptureQueriesContext's slice right.
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        response = browser.get(url)
    queries = len(captured.captured_queries)  # read now: it is a view of the live log
    if response.status_code != 200:
        return {"status": "failed", "reason": f"answered {response.status_code}"}
    page_ms, bare_ms = [], []
    sampling = time.perf_counter()
    for _ in range(requests):
        if budget_seconds and len(page_ms) >= 3 and time.perf_counter() - sampling > budget_seconds:
            break
        elapsed, _status = _timed_get(browser, bare_url)
        bare_ms.append(elapsed)
        elapsed, status = _timed_get(browser, url)
        if status != 200:
            return {"status": "failed", "reason": f"answered {status}"}
        page_ms.append(elapsed)
    p50, bare_p50 = statistics.median(page_ms), statistics.median(bare_ms)
    return {
        "status": "ok",
        "p50_ms": round(p50, 2),
        "p95_ms": round(percentile(page_ms, 95), 2),
        "queries": queries,
        "bare_p50_ms": round(bare_p50, 2),
        "ratio_to_bare": round(p50 / bare_p50, 2) if bare_p50 else None,
        "requests": len(page_ms),
    }


class _Rollback(Exception):
    pass


@contextlib.contextmanager
def split_proposal_ready(context, user):
    """The automatic split's proposal for the whole list, for as long as its page is timed.

    The data set has every client assigned, so there is nothing to split: inside a transaction
    that is rolled back afterwards, every client of the programme is unassigned (as the auto_split
    job does), the manager's "Propose a split" runs (``services.split_start``) and — the list
    being long — the worker's task computes the proposal (``run_programme_job``; its on-commit
    hook dies with the rollback). The page then shows a proposal of 100,000 clients over the
    staff pool; afterwards the data set is as it was (checked)."""
    from django.db import connection, transaction

    from programme import services
    from programme.models import Enrolment, Programme, ProgrammeJob, SplitProposalRow
    from programme.tasks import run_programme_job

    programme = Programme.objects.get(pk=context.programme_id)
    enrolments = Enrolment.objects.filter(programme=programme)
    before = (enrolments.filter(assignee__isnull=True).count(), programme.jobs.count())
    try:
        with transaction.atomic():
            enrolments.update(assignee=None, assigned_at=None)
            job = services.split_start(programme=programme, by=user)
            if not job.is_finished:
                run_programme_job(job_id=job.pk)
            job.refresh_from_db()
            if job.status != ProgrammeJob.Status.READY:
                raise RuntimeError(f"the split proposal failed: {job.error}")
            yield job
            raise _Rollback
    except _Rollback:
        pass
    # The rollback leaves a dead version of every enrolment (and proposal row) behind: vacuumed
    # now, so that the pages measured next do not read twice the table (VACUUM cannot run in a
    # transaction: not inside a test's).
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            for model in (Enrolment, SplitProposalRow):
                cursor.execute(f"VACUUM {connection.ops.quote_name(model._meta.db_table)}")
    after = (enrolments.filter(assignee__isnull=True).count(), programme.jobs.count())
    if after != before:
        raise RuntimeError(f"the split proposal leaked: {before} before, {after} after")


# Pages that need a state of the data set the build does not leave: name → context manager
# (context, user) that sets it up for the page's timing and undoes it.
PREPARED = {"split_proposal": split_proposal_ready}
PREPARED_MUST_CONTAIN = {"split_proposal": b'data-testid="split-summary"'}


def measure_pages(
    pages, context, requests: int = 30, warmup: int = 5, log=print, budget_seconds=None
) -> list[dict]:
    from django.test import Client

    from .pages import BARE, DASHBOARD, Unavailable, build_dashboard_snapshot

    bare = next(p for p in pages if p.kind == BARE)
    bare_url = bare.resolve(context)
    browsers: dict[str, Client] = {}
    results = []
    for page in pages:
        row = {"name": page.name, "kind": page.kind, "user": page.user}
        if page.compare_with:
            row["compare_with"] = page.compare_with
        try:
            url = page.resolve(context)
            user = context.users.get(page.user)
            if user is None:
                raise Unavailable(f"no user {page.user!r} in this data set")
        except Unavailable as reason:
            results.append(row | {"status": "not available", "reason": str(reason)})
            log(f"bench: {page.name}: not available")
            continue
        if page.user not in browsers:
            browsers[page.user] = Client()
            browsers[page.user].force_login(user)
        row["url"] = url
        must_contain = None
        if page.kind == DASHBOARD and page.snapshot:
            try:
                row["build_seconds"] = build_dashboard_snapshot(url, user)
            except RuntimeError as error:
                results.append(row | {"status": "failed", "reason": str(error)})
                log(f"bench: {page.name}: failed ({error})")
                continue
            log(f"bench: {page.name}: snapshot built in {row['build_seconds']} s")
            must_contain = b'data-testid="figures"'
        prepared = PREPARED.get(page.name)
        try:
            with prepared(context, user) if prepared else contextlib.nullcontext():
                row |= measure_page(
                    browsers[page.user],
                    url,
                    bare_url,
                    requests,
                    warmup,
                    budget_seconds,
                    must_contain=must_contain or PREPARED_MUST_CONTAIN.get(page.name),
                )
        except RuntimeError as error:
            row |= {"status": "failed", "reason": str(error)}
        if row["status"] == "ok":
            log(
                f"bench: {page.name}: p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, "
                f"{row['queries']} queries, {row['ratio_to_bare']}× bare"
            )
        else:
            log(f"bench: {page.name}: {row['status']} ({row['reason']})")
        results.append(row)
    return results


def evaluate(results: dict, other: dict | None = None) -> list[dict]:
    """The issue's targets, each holding (True), missed (False) or not measured (None)."""
    targets = []

    def target(name, holds, detail):
        targets.append({"target": name, "holds": holds, "detail": detail})

    pages = {p["name"]: p for p in results["pages"]}
    other_pages = {p["name"]: p for p in (other or {}).get("pages", [])}
    for page in results["pages"]:
        if page.get("status") != "ok":
            target(f"{page['name']}: measured", None, page.get("reason", page.get("status")))
            continue
        name = page["name"]
        target(
            f"{name}: queries ≤ {MAX_QUERIES}",
            page["queries"] <= MAX_QUERIES,
            f"{page['queries']} queries",
        )
        theirs = other_pages.get(name, {})
        if theirs.get("status") == "ok":
            target(
                f"{name}: same queries at {results['scale']} and {other['scale']}",
                theirs["queries"] == page["queries"],
                f"{page['queries']} vs {theirs['queries']}",
            )
        limit = RATIO_TARGETS.get(page["kind"])
        if limit is not None:
            target(
                f"{name}: p50 ≤ {limit:g}× bare",
                page["ratio_to_bare"] <= limit,
                f"{page['ratio_to_bare']}× ({page['p50_ms']} ms vs {page['bare_p50_ms']} ms)",
            )
        first = pages.get(page.get("compare_with") or "")
        if first and first.get("status") == "ok":
            ratio = page["p50_ms"] / first["p50_ms"]
            target(
                f"{name}: p50 ≤ {LAST_PAGE_RATIO:g}× {first['name']}",
                ratio <= LAST_PAGE_RATIO,
                f"{ratio:.2f}× ({page['p50_ms']} ms vs {first['p50_ms']} ms)",
            )
    jobs = {j["name"]: j for j in results.get("jobs", [])}
    split = jobs.get("auto_split")
    if split is None or split.get("status") != "ok":
        target(
            "auto_split: < 20 s and < 1 GB",
            None,
            (split or {}).get("reason", "not measured"),
        )
    else:
        target(
            f"auto_split: < {SPLIT_SECONDS:g} s and < {SPLIT_RSS_MB:g} MB",
            split["seconds"] < SPLIT_SECONDS and split["peak_rss_mb"] < SPLIT_RSS_MB,
            f"{split['seconds']} s, {split['peak_rss_mb']} MB",
        )
    other_jobs = {j["name"]: j for j in (other or {}).get("jobs", [])}
    for name, job in jobs.items():
        if not name.startswith("reminder_") or job.get("status") != "ok":
            continue
        theirs = other_jobs.get(name)
        if theirs and theirs.get("status") == "ok":
            low, high = sorted([job["peak_rss_mb"], theirs["peak_rss_mb"]])
            target(
                f"{name}: memory flat between scales",
                high <= low * 1.25 + 20,
                f"{job['peak_rss_mb']} MB vs {theirs['peak_rss_mb']} MB",
            )
            _scan_time_target(target, name, (results["scale"], job), (other["scale"], theirs))
    http = results.get("http") or {}
    if http.get("status") == "ok":
        target("HTTP run: zero errors", http["errors"] == 0, f"{http['errors']} errors")
    else:
        target("HTTP run: zero errors", None, http.get("reason", "not run"))
    return targets


def _scan_time_target(target, name, one, another) -> None:
    """The scan's time per due row at the larger scale against the smaller's (see
    ``SCAN_ROW_RATIO``); not measured when a run did not count its rows or the smaller found
    none (no time per row to compare with)."""
    (small_scale, small), (big_scale, big) = sorted(
        (one, another), key=lambda pair: SCALE_ORDER.index(pair[0])
    )
    title = (
        f"{name}: time per due row at {big_scale} ≤ {SCAN_ROW_RATIO:g}× {small_scale} "
        f"(+ {SCAN_OVERHEAD_SECONDS:g} s)"
    )
    if big.get("rows") is None or small.get("rows") is None:
        target(title, None, "due rows not counted")
        return
    if not small["rows"]:
        target(title, None, f"no due rows at {small_scale}")
        return
    allowed = (
        SCAN_ROW_RATIO * small["seconds"] * big["rows"] / small["rows"] + SCAN_OVERHEAD_SECONDS
    )

    def per_row(job):
        return f"{1000 * job['seconds'] / job['rows']:.3g} ms" if job["rows"] else "—"

    target(
        title,
        big["seconds"] <= allowed,
        f"{big['seconds']} s for {big['rows']} rows ({per_row(big)} a row) vs "
        f"{small['seconds']} s for {small['rows']} ({per_row(small)}): at most {allowed:.2f} s",
    )


def _cell(value, suffix=""):
    return "—" if value is None else f"{value}{suffix}"


def markdown(results: dict) -> str:
    lines = [
        f"# Benchmark: scale `{results['scale']}`, {results['finished_at']}",
        "",
        f"Machine: {results['machine']['cpus']} CPUs, load average "
        f"{results['machine']['load_before']} before and {results['machine']['load_after']} "
        "after the run.",
        "",
        "| page | user | p50 ms | p95 ms | queries | queries (other scale) | × bare | requests "
        "| snapshot build s |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for page in results["pages"]:
        if page.get("status") != "ok":
            lines.append(f"| {page['name']} | {page['user']} | {page['status']} | | | | | | |")
            continue
        lines.append(
            f"| {page['name']} | {page['user']} | {page['p50_ms']} | {page['p95_ms']} | "
            f"{page['queries']} | {_cell(page.get('queries_other_scale'))} | "
            f"{page['ratio_to_bare']} | {page.get('requests', '—')} | "
            f"{_cell(page.get('build_seconds'))} |"
        )
    lines += [
        "",
        "A dashboard page is timed as served from its snapshot; *snapshot build s* is what the "
        "background build of that snapshot took (before the page was timed).",
    ]
    lines += [
        "",
        "| job | seconds | peak RSS MB | due rows | note |",
        "|---|---:|---:|---:|---|",
    ]
    for job in results.get("jobs", []):
        note = job.get("reason") or job.get("note") or job.get("status", "")
        lines.append(
            f"| {job['name']} | {_cell(job.get('seconds'))} | "
            f"{_cell(job.get('peak_rss_mb'))} | {_cell(job.get('rows'))} | {note} |"
        )
    http = results.get("http") or {}
    lines += ["", "| HTTP run | requests/s | p95 ms | errors |", "|---|---:|---:|---:|"]
    if http.get("status") == "ok":
        lines.append(
            f"| {http['seconds']} s, {http['connections']} connections, "
            f"{http['workers']} gunicorn workers, {len(http['paths'])} pages | {http['rps']} | "
            f"{http['p95_ms']} | {http['errors']} |"
        )
    else:
        lines.append(f"| {http.get('status', 'not run')}: {http.get('reason', '')} | | | |")
    lines += ["", "| target | holds | measured |", "|---|---|---|"]
    marks = {True: "yes", False: "**NO**", None: "not measured"}
    for item in results["targets"]:
        lines.append(f"| {item['target']} | {marks[item['holds']]} | {item['detail']} |")
    return "\n".join(lines) + "\n"


def _load(scale: str) -> dict | None:
    path = RESULTS / f"{scale}.json"
    return json.loads(path.read_text()) if path.exists() else None


def write_results(results: dict, folder: Path = RESULTS) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    text = markdown(results)
    payload = json.dumps(results, indent=2, ensure_ascii=False, default=str)
    for name in ("latest", results["scale"]):
        (folder / f"{name}.json").write_text(payload)
        (folder / f"{name}.md").write_text(text)
    return text


def compare_with_other(results: dict, other: dict | None) -> dict:
    """``results`` with each page's query count at the other scale and the targets."""
    other_pages = {p["name"]: p for p in (other or {}).get("pages", [])}
    for row in results["pages"]:
        row["queries_other_scale"] = other_pages.get(row["name"], {}).get("queries")
    results["targets"] = evaluate(results, other)
    return results


def evaluate_stored(scale: str, folder: Path = RESULTS) -> int:
    """The stored results of ``scale`` compared again with the other scale's, e.g. the full
    run's after a newer small run: the comparison is only as fresh as the other file."""
    results = json.loads((folder / f"{scale}.json").read_text())
    other_path = folder / f"{'small' if scale == 'full' else 'full'}.json"
    other = json.loads(other_path.read_text()) if other_path.exists() else None
    print(write_results(compare_with_other(results, other), folder))
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="make bench")
    parser.add_argument("--scale", default=os.environ.get("SCALE", "full"))
    parser.add_argument("--requests", type=int, default=int(os.environ.get("BENCH_REQUESTS", 30)))
    parser.add_argument(
        "--http-seconds", type=int, default=int(os.environ.get("BENCH_HTTP_SECONDS", 60))
    )
    parser.add_argument(
        "--rebuild",
        action="store_true",
        default=os.environ.get("BENCH_REBUILD", "") not in ("", "0"),
        help="rebuild the data set even if it is there (BENCH_REBUILD=1), to time the build",
    )
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-jobs", action="store_true")
    parser.add_argument("--only", help="comma-separated page names")
    parser.add_argument(
        "--only-jobs",
        metavar="NAMES",
        help="comma-separated job names (e.g. reminder_scan_contacts); the others are not run",
    )
    parser.add_argument(
        "--page-seconds",
        type=float,
        default=float(os.environ.get("BENCH_PAGE_SECONDS", 90)),
        help="time budget per page: slower pages get fewer samples (at least 3)",
    )
    parser.add_argument(
        "--evaluate-only",
        action="store_true",
        help="measure nothing: compare this scale's stored results with the other scale's "
        "(after running the other scale) and write them again",
    )
    args = parser.parse_args(argv)
    if args.evaluate_only:
        return evaluate_stored(args.scale)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vipcrm.settings")
    os.environ["DJANGO_DEBUG"] = "false"  # measured as in production: no debug toolbar of queries
    import logging
    import warnings

    import django

    django.setup()
    from django.db import connection

    from . import http_load, jobs, pages

    # Every force_login is logged by django-axes, and without collectstatic whitenoise warns
    # once: neither is news to the reader of the benchmark.
    logging.getLogger("axes").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message="No directory at")
    from .dataset import SCALES, BenchError, require_postgresql

    if args.scale not in SCALES:
        print(f"bench: SCALE must be one of {', '.join(SCALES)}", file=sys.stderr)
        return 2
    try:
        require_postgresql(connection)
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    job_names = jobs.job_names()
    if args.only_jobs:
        wanted = set(args.only_jobs.split(","))
        unknown = wanted - set(job_names)
        if unknown:
            print(f"bench: no job named {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        job_names = [name for name in job_names if name in wanted]
    load_before = os.getloadavg()
    started = dt.datetime.now(dt.UTC)

    # 1. The data set, in a subprocess of its own: its time and peak memory.
    print(f"bench: data set at scale {args.scale} …", flush=True)
    built = jobs.run_subprocess([sys.executable, "-m", "bench.dataset", "--scale", args.scale])
    sys.stdout.write(built["output"])
    if built["returncode"] != 0:
        print("bench: the data set could not be built", file=sys.stderr)
        return 2
    outcome = json.loads(built["last_line"])
    dataset_job = {
        "name": "dataset_build",
        "status": "ok",
        "seconds": outcome["seconds"] if outcome["reused"] else built["seconds"],
        "peak_rss_mb": None if outcome["reused"] else built["peak_rss_mb"],
        "note": "reused: seconds of the original build" if outcome["reused"] else "built now",
    }
    connection.close()

    # 2. The pages.
    selected = pages.PAGES
    if args.only:
        wanted = set(args.only.split(",")) | {"bare"}
        selected = [p for p in pages.PAGES if p.name in wanted]
    context = pages.Context()
    page_results = measure_pages(
        selected, context, requests=args.requests, budget_seconds=args.page_seconds
    )
    other = _load("small" if args.scale == "full" else "full")

    # 3. The jobs.
    job_results = [dataset_job]
    if not args.skip_jobs:
        for name in job_names:
            result = jobs.run_job(name)
            print(f"bench: job {name}: {result}", flush=True)
            job_results.append(result)

    # 4. The HTTP run with the employee's pages.
    http = {"status": "not run", "reason": "--skip-http"}
    if not args.skip_http:
        mix = [
            row["url"]
            for row, page in zip(page_results, selected, strict=True)
            if page.in_http_mix and row.get("status") == "ok"
        ]
        print(f"bench: HTTP run, {args.http_seconds} s over {len(mix)} pages …", flush=True)
        connection.close()
        http = http_load.run(mix, args.http_seconds)

    results = {
        "scale": args.scale,
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "load_before": [round(x, 2) for x in load_before],
            "load_after": [round(x, 2) for x in os.getloadavg()],
        },
        "requests_per_page": args.requests,
        "pages": page_results,
        "jobs": job_results,
        "http": http,
    }
    print(write_results(compare_with_other(results, other)))
    missed = [t for t in results["targets"] if t["holds"] is False]
    print(
        f"bench: {sum(t['holds'] is True for t in results['targets'])} targets hold, "
        f"{len(missed)} missed, {sum(t['holds'] is None for t in results['targets'])} "
        "not measured"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
