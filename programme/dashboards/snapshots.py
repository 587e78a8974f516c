"""Dashboards served from snapshots: each one is built in the background, once per scope,
period and language, and every page view reads the stored result.

A dashboard at full scale takes seconds to compute (it aggregates a million visits); its page
must not. So a page asks ``snapshot_serve`` for the snapshot of what it shows:

- fresh (built less than ``VIPCRM_DASHBOARD_MAX_AGE`` seconds ago): served as it is;
- stale: served as it is, and a refresh is queued (the page says so);
- not built yet: a build is queued; with an eager queue (tests) or a build that finished in
  the meantime the page shows it, otherwise it shows a progress panel that polls
  ``dashboards:status`` until the build is ready;
- failed: the error is logged and stored; the page shows the last good figures, or a message
  with a retry link when there are none. A page never fails because a build did.

One build per snapshot at a time: a build is queued only by the request that moves the row to
"pending" (a conditional UPDATE), and the worker takes it under ``select_for_update``. A build
"pending" or "running" for longer than ``STUCK_AFTER`` is taken to be lost and may be queued
again. The beat (``refresh_dashboard_snapshots``) refreshes every snapshot requested in the
last day, so the views people open stay warm, and deletes those nobody asked for in a week.
"""

import datetime as dt
import hashlib
import json
import logging
import time

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from programme.models import DashboardSnapshot
from programme.templatetags.dashboard_format import dashboard_rows
from vipcrm.queue import enqueue_now_if_eager

from .base import Dashboard
from .filters import dashboard_viewer, scope_from_params
from .selectors import DASHBOARDS

logger = logging.getLogger(__name__)

Status = DashboardSnapshot.Status
STUCK_AFTER = dt.timedelta(minutes=10)
KEEP_WARM_FOR = dt.timedelta(hours=24)
PRUNE_AFTER = dt.timedelta(days=7)
# The beat does not rebuild a snapshot built this recently (a page view just refreshed it).
REBUILT_RECENTLY = dt.timedelta(minutes=1)
POLL_SECONDS = 2
# Part of every key: raise it when what a snapshot stores changes (its JSON or its drawn rows),
# so that a deploy never serves snapshots of the old form.
SNAPSHOT_FORMAT = 1
# How often a page view records that the snapshot is still read (for the beat's warm list).
TOUCH_EVERY = dt.timedelta(minutes=5)


def max_age() -> dt.timedelta:
    return dt.timedelta(seconds=settings.VIPCRM_DASHBOARD_MAX_AGE)


def snapshot_params(scope, user) -> dict:
    return {"viewer": dashboard_viewer(user), "filters": scope.query_string()}


def snapshot_key(name: str, language: str, params: dict) -> str:
    text = json.dumps(
        [SNAPSHOT_FORMAT, name, language, params], sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(text.encode()).hexdigest()


def snapshot_for(spec, scope, user, language: str) -> DashboardSnapshot:
    """The snapshot row of ``spec`` for this scope, user and language, created when missing,
    and marked requested (``requested_at``, at most every ``TOUCH_EVERY``).

    Two queries either way, and no write on most views: a page view must not wait for a
    commit to disk. The UPDATE's condition is in SQL so that the count does not depend on it.
    """
    params = snapshot_params(scope, user)
    key = snapshot_key(spec.name, language, params)
    now = timezone.now()
    snapshot = DashboardSnapshot.objects.filter(key=key).first()
    if snapshot is not None:
        DashboardSnapshot.objects.filter(pk=snapshot.pk, requested_at__lt=now - TOUCH_EVERY).update(
            requested_at=now
        )
        return snapshot
    snapshot = DashboardSnapshot(
        key=key, name=spec.name, language=language, params=params, requested_at=now
    )
    # Two first views at once: the second one's insert becomes an update of the first one's
    # row (whose state ``request_build`` reads again in its conditional UPDATE).
    DashboardSnapshot.objects.bulk_create(
        [snapshot], update_conflicts=True, unique_fields=["key"], update_fields=["requested_at"]
    )
    return snapshot


def is_fresh(snapshot, now=None) -> bool:
    now = now or timezone.now()
    return snapshot.built_at is not None and snapshot.built_at > now - max_age()


def is_building(snapshot) -> bool:
    return snapshot.status in (Status.PENDING, Status.RUNNING) and snapshot.queued_at is not None


def needs_build(snapshot, *, now=None, retry=False) -> bool:
    """Whether a build should be queued: none is on its way (or it is stuck), and the figures
    are missing, stale or failed (a failure is retried on request, or once it is stale)."""
    now = now or timezone.now()
    stuck = now - STUCK_AFTER
    if snapshot.status == Status.PENDING:
        return snapshot.queued_at is None or snapshot.queued_at < stuck
    if snapshot.status == Status.RUNNING:
        return snapshot.started_at is None or snapshot.started_at < stuck
    if snapshot.status == Status.FAILED:
        return retry or snapshot.started_at is None or snapshot.started_at <= now - max_age()
    return snapshot.built_at is None or snapshot.built_at <= now - max_age()


def request_build(snapshot, *, now=None) -> bool:
    """Queues a build unless one is on its way; True when this call queued it."""
    from programme.tasks import build_dashboard_snapshot

    now = now or timezone.now()
    stuck = now - STUCK_AFTER
    on_its_way = Q(status=Status.PENDING, queued_at__gte=stuck) | Q(
        status=Status.RUNNING, started_at__gte=stuck
    )
    claimed = (
        DashboardSnapshot.objects.filter(pk=snapshot.pk)
        .exclude(on_its_way)
        .update(status=Status.PENDING, queued_at=now)
    )
    if not claimed:
        return False
    snapshot.status, snapshot.queued_at = Status.PENDING, now
    if enqueue_now_if_eager(build_dashboard_snapshot, snapshot_id=snapshot.pk):
        snapshot.refresh_from_db()
    return True


def snapshot_serve(spec, scope, user, language: str, *, retry=False) -> DashboardSnapshot:
    """The snapshot a page (or the API) shows, with a build queued when it needs one."""
    snapshot = snapshot_for(spec, scope, user, language)
    if needs_build(snapshot, retry=retry):
        request_build(snapshot)
    return snapshot


def snapshot_board(snapshot) -> Dashboard | None:
    """The stored dashboard, or None when no build has succeeded yet."""
    return None if snapshot.data is None else Dashboard.from_snapshot(snapshot.data)


def snapshot_build(snapshot_id: int, *, force: bool = False) -> DashboardSnapshot | None:
    """Builds the snapshot: the dashboard's selector over the scope rebuilt from ``params``, in
    the snapshot's language. Skips a snapshot another worker is building, and (unless
    ``force``) one built since it was queued. A failure is stored and logged, never raised."""
    now = timezone.now()
    with transaction.atomic():
        snapshot = DashboardSnapshot.objects.select_for_update().filter(pk=snapshot_id).first()
        if snapshot is None:
            return None
        if snapshot.status == Status.RUNNING and snapshot.started_at >= now - STUCK_AFTER:
            return snapshot
        if (
            not force
            and snapshot.status == Status.READY
            and snapshot.built_at is not None
            and (snapshot.queued_at is None or snapshot.built_at >= snapshot.queued_at)
        ):
            return snapshot
        snapshot.status, snapshot.started_at = Status.RUNNING, now
        snapshot.save(update_fields=["status", "started_at"])
    mine = DashboardSnapshot.objects.filter(pk=snapshot.pk, started_at=now)
    started = time.perf_counter()
    try:
        spec = DASHBOARDS[snapshot.name]
        # A savepoint: a failed query rolls back to here, not the caller's transaction.
        with transaction.atomic(), translation.override(snapshot.language):
            scope = scope_from_params(snapshot.params["viewer"], snapshot.params["filters"])
            board = spec.build(scope)
            data = board.to_snapshot()
            rows_html = {table.key: dashboard_rows(table) for table in board.tables}
    except Exception as error:
        logger.exception("dashboard snapshot %s (%s) failed", snapshot.pk, snapshot)
        mine.update(status=Status.FAILED, error=f"{type(error).__name__}: {error}"[:2000])
    else:
        # The figures are as of the moment the build began to read them.
        mine.update(
            status=Status.READY,
            data=data,
            rows_html=rows_html,
            built_at=now,
            build_seconds=round(time.perf_counter() - started, 3),
            error="",
        )
    snapshot.refresh_from_db()
    return snapshot


def snapshots_refresh(*, now=None) -> int:
    """The beat's pass: refreshes the snapshots requested in the last day (not those rebuilt a
    moment ago) and deletes those nobody requested in a week. Returns how many it queued."""
    now = now or timezone.now()
    DashboardSnapshot.objects.filter(requested_at__lt=now - PRUNE_AFTER).delete()
    warm = DashboardSnapshot.objects.filter(requested_at__gte=now - KEEP_WARM_FOR).exclude(
        status=Status.READY, built_at__gte=now - REBUILT_RECENTLY
    )
    return sum(request_build(snapshot, now=now) for snapshot in warm.order_by("requested_at"))
