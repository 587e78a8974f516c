"""A dashboard table as a CSV or XLSX file with every row, prepared in the background.

The page lists the first rows of a long table (from its snapshot); an export is a deliberate
download of every row as of the moment it is built. At full scale the at-risk list (every active
client with its health facts) takes longer to compute than a web request may last, so:

- ``export_request`` (the export link's view) records a ``DashboardExport`` for the person who
  asked and queues its build, or reuses their identical export when one is waiting, running,
  or ready since less than ``VIPCRM_DASHBOARD_EXPORT_REUSE`` seconds (a second click or a
  reload does not build it twice);
- ``export_build`` (the Celery task ``programme.build_dashboard_export``) builds the dashboard
  with every row, in the export's language, writes the file through ``vipcrm.exports`` (formula
  escaping included) recording its progress every ``PROGRESS_EVERY`` rows, and stores it. A
  failure is logged and stored (``failed``, ``error``), never raised: the page says so;
- ``exports_prune`` (the beat's ``dashboard-exports``) deletes exports older than ``KEEP_FOR``.

An export is its owner's only: ``exports_of(user)`` is where that is decided.
"""

import datetime as dt
import hashlib
import json
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from programme.models import DashboardExport
from vipcrm.exports import export_file, file_response
from vipcrm.queue import enqueue_now_if_eager

from .filters import may_read_dashboards, scope_from_params
from .selectors import DASHBOARDS
from .snapshots import snapshot_params

logger = logging.getLogger(__name__)

Status = DashboardExport.Status
# An export waiting or running this long is taken to be lost: the next request queues another.
STUCK_AFTER = dt.timedelta(minutes=10)
KEEP_FOR = dt.timedelta(hours=24)
PROGRESS_EVERY = 1000
POLL_SECONDS = 2


def reuse_ready_for() -> dt.timedelta:
    return dt.timedelta(seconds=settings.VIPCRM_DASHBOARD_EXPORT_REUSE)


def export_filename(board, table, scope) -> str:
    return f"{board.name}-{table.key}-{scope.start:%Y-%m}-{scope.end:%Y-%m}"


def exports_of(user):
    """The user's own exports; none for anyone who reads no dashboard (a role taken away)."""
    if not may_read_dashboards(user):
        return DashboardExport.objects.none()
    return DashboardExport.objects.filter(user=user)


def export_key(name, table, file_format, language, params) -> str:
    text = json.dumps(
        [name, table, file_format, language, params], sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(text.encode()).hexdigest()


def export_request(*, spec, table, file_format, scope, user, language) -> DashboardExport:
    """The user's export of ``table`` of ``spec`` over ``scope``: a recent identical one, or a
    new one with its build queued (run here and now with the tests' eager queue).

    The caller has checked that the user reads this dashboard and scope (``dashboard_filter``).
    """
    from programme.tasks import build_dashboard_export

    params = snapshot_params(scope, user)
    key = export_key(spec.name, table, file_format, language, params)
    now = timezone.now()
    recent = (
        Q(status=Status.QUEUED, created_at__gte=now - STUCK_AFTER)
        | Q(status=Status.RUNNING, started_at__gte=now - STUCK_AFTER)
        | Q(status=Status.READY, finished_at__gte=now - reuse_ready_for())
    )
    export = (
        DashboardExport.objects.filter(user=user, key=key)
        .filter(recent)
        .order_by("-created_at", "-pk")
        .first()
    )
    if export is not None:
        return export
    export = DashboardExport.objects.create(
        user=user,
        key=key,
        name=spec.name,
        table=table,
        file_format=file_format,
        language=language,
        params=params,
        created_at=now,
    )
    if enqueue_now_if_eager(build_dashboard_export, export_id=export.pk):
        export.refresh_from_db()
    return export


def export_build(export_id: int) -> DashboardExport | None:
    """Builds the export's file. Skips an export that is finished or that another worker is
    building (unless it has been running for ``STUCK_AFTER``)."""
    now = timezone.now()
    with transaction.atomic():
        export = (
            DashboardExport.objects.select_for_update()
            .defer("content")
            .filter(pk=export_id)
            .first()
        )
        if export is None or export.status in (Status.READY, Status.FAILED):
            return export
        if export.status == Status.RUNNING and export.started_at >= now - STUCK_AFTER:
            return export
        export.status, export.started_at, export.done, export.total = Status.RUNNING, now, 0, 0
        export.save(update_fields=["status", "started_at", "done", "total"])
    # Every write of this build names it by its start, so that a build taken over after
    # ``STUCK_AFTER`` cannot overwrite its successor's.
    mine = DashboardExport.objects.filter(pk=export.pk, started_at=now)
    try:
        with translation.override(export.language):
            name, body, rows = _write(export, mine)
    except Exception as error:
        logger.exception("dashboard export %s (%s) failed", export.pk, export)
        mine.update(
            status=Status.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
    else:
        mine.update(
            status=Status.READY,
            content=body,
            filename=name,
            done=rows,
            total=rows,
            error="",
            finished_at=timezone.now(),
        )
    export.refresh_from_db()
    return export


def _write(export, mine) -> tuple[str, bytes, int]:
    """The file's name, its bytes and its number of rows."""
    spec = DASHBOARDS[export.name]
    # A savepoint: a failed query rolls back to here, not the caller's transaction.
    with transaction.atomic():
        scope = scope_from_params(export.params["viewer"], export.params["filters"])
        board = spec.build(scope, limit=None)
    table = board.table(export.table)
    total = len(table.rows)
    mine.update(total=total)
    name, body = export_file(
        filename=export_filename(board, table, scope),
        file_format=export.file_format,
        headers=table.header(),
        rows=_counted(table.iter_values(), mine),
    )
    return name, body, total


def _counted(rows, mine):
    """The rows, recording every ``PROGRESS_EVERY``-th as written (one small UPDATE each)."""
    for done, row in enumerate(rows, 1):
        yield row
        if done % PROGRESS_EVERY == 0:
            mine.update(done=done)


def export_lost(export, *, now=None) -> bool:
    """Whether a waiting or running export has waited too long to be coming (its message lost
    in a broker outage, its worker gone): the page then says it failed, and "Try again" (the
    export link, which does not reuse it) queues another."""
    now = now or timezone.now()
    if export.status == Status.QUEUED:
        return export.created_at < now - STUCK_AFTER
    if export.status == Status.RUNNING:
        return export.started_at is None or export.started_at < now - STUCK_AFTER
    return False


def export_deliver(export) -> bool:
    """Whether the browser should be sent to the download now: True once per ready export."""
    return bool(
        DashboardExport.objects.filter(pk=export.pk, delivered_at__isnull=True).update(
            delivered_at=timezone.now()
        )
    )


def export_download(export):
    """The stored file as the download the export link used to answer directly."""
    return file_response(
        name=export.filename, file_format=export.file_format, body=bytes(export.content)
    )


def exports_prune(*, now=None) -> int:
    """Deletes the exports older than ``KEEP_FOR``; returns how many."""
    now = now or timezone.now()
    deleted, _ = DashboardExport.objects.filter(created_at__lt=now - KEEP_FOR).delete()
    return deleted
