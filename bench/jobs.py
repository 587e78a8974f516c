"""The timed jobs: each runs in a subprocess of its own, so its time and peak memory are its own.

``python -m bench.jobs <name>`` runs one job and prints one JSON line (``status``: ``ok``,
``not available`` or ``failed``); :func:`run_job` starts that subprocess and reads its peak RSS
with ``os.wait4`` (the resource usage of that one child, not of all children together).

Jobs that write (the split, the scans, the import) run in a transaction that is rolled back, so
the data set stays as built and the next run measures the same thing. A job whose service does
not exist yet in this code base answers *not available*; nothing is faked.

The hooks name the services the other branches are building; when they land, check the dotted
names below (``SPLIT_SERVICE``, ``REMINDERS_MODULE``, ``IMPORT_SERVICE``) against them.
"""

from __future__ import annotations

import csv
import importlib
import inspect
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SPLIT_SERVICE = "programme.services.split_propose"
SPLIT_APPLY_SERVICE = "programme.services.split_apply_assignments"
REMINDERS_MODULE = "feedback.services.reminders"  # each public ``scan_*`` function is a job
IMPORT_SERVICE = "clients.imports.services.import_batch_create"
IMPORT_VALIDATE_SERVICE = "clients.imports.services.import_batch_validate"
IMPORT_COMMIT_SERVICE = "clients.imports.services.import_batch_commit"
IMPORT_ROWS = 10_000
EXPORT_REQUEST_SERVICE = "programme.dashboards.exports.export_request"
EXPORT_BUILD_SERVICE = "programme.dashboards.exports.export_build"


class NotAvailable(Exception):
    pass


class _Rollback(Exception):
    pass


def _service(dotted: str):
    module_name, _, attr = dotted.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        raise NotAvailable(f"{module_name} does not exist yet") from error
    try:
        return getattr(module, attr)
    except AttributeError as error:
        raise NotAvailable(f"{dotted} does not exist yet") from error


def _rolled_back(work):
    """Runs ``work()`` in a transaction that is rolled back; returns its result."""
    from django.db import transaction

    result = None
    try:
        with transaction.atomic():
            result = work()
            raise _Rollback
    except _Rollback:
        pass
    return result


def job_auto_split():
    """The automatic split of every client of the programme over its staff pool: the proposal,
    then applying it with its history, as the manager's "apply" does."""
    propose = _service(SPLIT_SERVICE)
    apply = _service(SPLIT_APPLY_SERVICE)
    from django.contrib.auth import get_user_model

    from programme.models import Enrolment, Programme

    programme = Programme.objects.order_by("id").first()
    manager = get_user_model().objects.get(username="manager")

    def work():
        # The data set has every client assigned: unassigning them is the preparation, not the
        # split, and is left out of the job's time (its seconds, returned).
        Enrolment.objects.filter(programme=programme).update(assignee=None, assigned_at=None)
        started = time.perf_counter()
        proposal = propose(programme=programme)
        assignments = {int(pk): person for pk, (person, _weight) in proposal["rows"].items()}
        apply(programme=programme, assignments=assignments, by=manager)
        return time.perf_counter() - started

    return _rolled_back(work)


def reminder_scans() -> dict:
    """name → function for each reminder scan, or NotAvailable."""
    try:
        module = importlib.import_module(REMINDERS_MODULE)
    except ModuleNotFoundError as error:
        raise NotAvailable(f"{REMINDERS_MODULE} does not exist yet") from error
    scans = {
        name: fn
        for name, fn in inspect.getmembers(module, inspect.isfunction)
        if name.startswith("scan_") and fn.__module__ == module.__name__
    }
    if not scans:
        raise NotAvailable(f"{REMINDERS_MODULE} has no scan_* function yet")
    return scans


def enrolments_summarised() -> int:
    """The rows the weekly digest reads: every enrolment of the active programmes. It sends one
    digest per programme manager, as many at both scales, but each counts the coverage of the
    whole list, as a dashboard does; its time follows the lists, not the managers."""
    from programme.models import Enrolment, Programme

    return Enrolment.objects.filter(programme__in=Programme.objects.active()).count()


def job_reminder_scan(scan_name: str) -> dict:
    """One scan, rolled back; its seconds, and the due rows it handled (what the scan returns:
    its due items; for the weekly digest, the enrolments it summarises, counted beforehand, out
    of its time), by which its time is judged."""
    scan = reminder_scans()[scan_name]
    summarised = enrolments_summarised() if scan_name == "scan_weekly_digest" else None
    started = time.perf_counter()
    rows = _rolled_back(lambda: scan())
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": rows if summarised is None else summarised}


def write_client_file(path: Path, rows: int = IMPORT_ROWS) -> Path:
    """A client file as an accounting export would give it: name, tax number, segment, city."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "legal_name", "tax_number", "kind", "segment", "region", "city"])
        for i in range(1, rows + 1):
            writer.writerow(
                [
                    f"Imported client {i}",
                    f"LLC Imported {i}",
                    str(5500000000 + i),
                    "corporate",
                    f"Segment {1 + i % 20:02d}",
                    f"Region {1 + i % 30:02d}",
                    "Moscow",
                ]
            )
    return path


def job_import_clients():
    """An import of a 10,000-row client file, from the file to the rows, all or nothing."""
    create = _service(IMPORT_SERVICE)
    validate = _service(IMPORT_VALIDATE_SERVICE)
    commit = _service(IMPORT_COMMIT_SERVICE)
    from django.contrib.auth import get_user_model

    manager = get_user_model().objects.get(username="manager")

    def work(content):
        # Upload (read the file), check every row (the preview), commit all or nothing. The
        # background task a big file would get is never sent: its on-commit hook dies with the
        # rollback, and the check runs here instead.
        batch = create(kind="clients", content=content, file_name="clients.csv", by=manager)
        validate(batch=batch)
        return commit(batch=batch, by=manager)

    with tempfile.TemporaryDirectory() as folder:
        path = write_client_file(Path(folder) / "clients.csv")
        content = path.read_bytes()
        _rolled_back(lambda: work(content))


def job_dashboard_export():
    """The director's CSV export of the at-risk list (every active client with its health
    facts), as the worker builds it: the dashboard with every row, the file, stored."""
    request = _service(EXPORT_REQUEST_SERVICE)
    build = _service(EXPORT_BUILD_SERVICE)
    from django.contrib.auth import get_user_model

    from programme.dashboards.filters import dashboard_filter
    from programme.dashboards.selectors import DASHBOARDS
    from vipcrm.celery import app

    director = get_user_model().objects.get(username="director")
    app.conf.task_always_eager = False  # the build below is the worker's; nothing is sent

    def work():
        export = request(
            spec=DASHBOARDS["at-risk"],
            table="clients",
            file_format="csv",
            scope=dashboard_filter(director, {}).scope,
            user=director,
            language="en",
        )
        built = build(export.pk)
        if built.status != built.Status.READY:
            raise RuntimeError(built.error)
        return built

    _rolled_back(work)


def job_names() -> list[str]:
    """Every job, the reminder scans one by one when they exist."""
    names = ["auto_split"]
    try:
        names += [f"reminder_{name}" for name in sorted(reminder_scans())]
    except NotAvailable:
        names.append("reminder_scans")
    return names + ["dashboard_export", "import_clients"]


def warm_up() -> None:
    """What a worker process has done once before its first task: the URLconf imported (with
    every view module behind it: about 0.4 s, as long as a whole scan of the small data set)
    and the database connection open. The job's seconds are then the service's own."""
    from django.db import connection
    from django.urls import reverse

    reverse("bare")
    connection.ensure_connection()


def _job(name: str):
    """The job named ``name``, as a function of no arguments; NotAvailable if there is none."""
    if name == "auto_split":
        return job_auto_split
    if name == "import_clients":
        return job_import_clients
    if name == "dashboard_export":
        return job_dashboard_export
    if name == "reminder_scans":
        reminder_scans()  # raises NotAvailable
    if name.startswith("reminder_"):
        return lambda: job_reminder_scan(name.removeprefix("reminder_"))
    raise NotAvailable(f"no job named {name}")


def vacuum_after(name: str) -> None:
    """VACUUM what a rolled-back job wrote. The rows it inserted are dead but stay in the
    indexes until a VACUUM, and the next run inserts the same keys again: with autovacuum off
    or slow (the benchmark's server may run without it), each run of a scan found one more dead
    copy of every (recipient, key) in the unique index, and ran slower than the one before.
    Outside the timed part."""
    tables = ["feedback_notification"] if name.startswith("reminder_") else []
    if name == "dashboard_export":
        tables = ["programme_dashboardexport"]  # and its file, megabytes of dead TOAST
    if name == "auto_split":
        # A dead version of every enrolment and its history rows: twice the table for the
        # pages measured next (the split proposal's page vacuums the same after it is timed).
        tables = [
            "programme_enrolment",
            "programme_assignmentchange",
            "programme_historicalenrolment",
        ]
    if name == "import_clients":
        # 10,000 dead clients and contacts, and their entries in the trigram (GIN) indexes'
        # pending lists, which every search scans until a VACUUM: the client search took
        # 7 ms more in the next run.
        tables = [
            "clients_client",
            "clients_keycontact",
            "clients_historicalclient",
            "clients_historicalkeycontact",
        ]
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM {table}")


def run_in_process(name: str) -> dict:
    """Runs one job here (in the subprocess) and says how it went."""
    try:
        job = _job(name)
        warm_up()
        started = time.perf_counter()
        outcome = job()
        ended = time.perf_counter()
        # A job that prepares what it needs inside its transaction times itself (its seconds);
        # a job that reports figures of its own (a scan's due rows) returns them in a dict,
        # with its seconds.
        figures = {"seconds": outcome} if isinstance(outcome, float) else {}
        figures |= outcome if isinstance(outcome, dict) else {}
        figures["seconds"] = round(figures.get("seconds", ended - started), 2)
        vacuum_after(name)
    except NotAvailable as reason:
        return {"status": "not available", "reason": str(reason)}
    except Exception as error:  # a job that fails is reported, not hidden
        return {"status": "failed", "reason": f"{type(error).__name__}: {error}"}
    return {"status": "ok"} | figures


def self_peak_rss_mb() -> float:
    """This process's own peak resident memory (VmHWM of its address space), in MB.

    Unlike getrusage's ru_maxrss, it does not include the parent's memory: on Linux, exec()
    carries the forking parent's RSS into the child's ru_maxrss, so a child of a large process
    (the test runner, the measuring process) would report the parent's size."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run_subprocess(argv: list[str], env: dict | None = None) -> dict:
    """Runs a command; returns its wall time, exit code, last stdout line and an upper bound of
    its peak RSS (MB) from wait4 — which includes the parent's RSS at fork; jobs report their own
    peak (``self_peak_rss_mb``) instead."""
    started = time.perf_counter()
    process = subprocess.Popen(
        argv, cwd=ROOT, env=env or os.environ.copy(), stdout=subprocess.PIPE, text=True
    )
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    lines = [line for line in output.splitlines() if line.strip()]
    return {
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # Linux reports kilobytes
        "returncode": process.returncode,
        "last_line": lines[-1] if lines else "",
        "output": output,
    }


def run_job(name: str) -> dict:
    """One job in a fresh Python process: its own seconds and peak RSS."""
    ran = run_subprocess([sys.executable, "-m", "bench.jobs", name])
    try:
        result = json.loads(ran["last_line"])
    except json.JSONDecodeError:
        result = {"status": "failed", "reason": f"exit code {ran['returncode']}"}
    if result["status"] != "ok":
        return {"name": name, "seconds": None, "peak_rss_mb": None} | result
    # The service's own time (without Python's start-up); the RSS is the whole job process's
    # peak, as the process itself measured it.
    peak = result.get("peak_rss_mb", ran["peak_rss_mb"])
    figures = {key: value for key, value in result.items() if key not in ("status", "reason")}
    return {"name": name} | figures | {"peak_rss_mb": peak, "status": "ok"}


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vipcrm.settings")
    import django

    django.setup()
    result = run_in_process(argv[0])
    if result.get("status") == "ok":
        result["peak_rss_mb"] = self_peak_rss_mb()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
