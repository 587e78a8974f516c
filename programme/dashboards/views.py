"""The dashboard pages and their CSV/XLSX exports. Thin: the selectors build the figures, the
snapshots (``snapshots``) keep them between page views."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from vipcrm.exports import FORMATS

from .exports import table_export
from .filters import dashboard_filter, dashboard_programmes
from .selectors import DASHBOARDS
from .snapshots import POLL_SECONDS, is_building, is_fresh, snapshot_board, snapshot_serve

RETRY = "retry"


def _spec(name):
    try:
        return DASHBOARDS[name]
    except KeyError:
        raise Http404 from None


def _query(request):
    """The request's filters as a query string, without the one-off ``retry``."""
    query = request.GET.copy()
    query.pop(RETRY, None)
    return query.urlencode()


def _state(spec, snapshot, query):
    """What the page says about its snapshot: how old, whether a build runs or failed."""
    url = reverse("dashboards:dashboard", args=[spec.name])
    return {
        "snapshot": snapshot,
        "fresh": is_fresh(snapshot),
        "building": is_building(snapshot),
        "failed": snapshot.status == snapshot.Status.FAILED,
        "refresh_minutes": settings.VIPCRM_DASHBOARD_MAX_AGE // 60,
        "poll_seconds": POLL_SECONDS,
        "status_url": f"{reverse('dashboards:status', args=[spec.name])}?{query}",
        "retry_url": f"{url}?{query}{'&' if query else ''}{RETRY}=1",
    }


@login_required
@require_safe
def dashboard_index(request):
    dashboard_programmes(request.user)  # 404 for anyone who reads no dashboard
    return render(
        request,
        "programme/dashboards/dashboard_index.html",
        {"dashboards": DASHBOARDS.values()},
    )


@login_required
@require_safe
def dashboard_detail(request, name):
    spec = _spec(name)
    filterset = dashboard_filter(request.user, request.GET)
    snapshot = snapshot_serve(
        spec, filterset.scope, request.user, get_language(), retry=RETRY in request.GET
    )
    board = snapshot_board(snapshot)
    query = _query(request)
    return render(
        request,
        "programme/dashboards/dashboard_detail.html",
        {
            "spec": spec,
            "dashboards": DASHBOARDS.values(),
            "filter": filterset,
            "scope": filterset.scope,
            "board": board,
            "charts": board.charts() if board else [],
            "rows_html": snapshot.rows_html,
            "query": query,
            **_state(spec, snapshot, query),
        },
    )


@login_required
@require_safe
def dashboard_status(request, name):
    """Polled by the page's progress panel: once the figures are there, tells htmx to reload
    the page (``HX-Refresh``); a failed build answers with its message; else the panel again."""
    spec = _spec(name)
    filterset = dashboard_filter(request.user, request.GET)
    snapshot = snapshot_serve(spec, filterset.scope, request.user, get_language())
    query = _query(request)
    response = render(
        request,
        "programme/dashboards/_snapshot_state.html",
        {"spec": spec, **_state(spec, snapshot, query)},
    )
    if snapshot.data is not None:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_safe
def dashboard_export(request, name, table, file_format):
    spec = _spec(name)
    if file_format not in FORMATS:
        raise Http404
    filterset = dashboard_filter(request.user, request.GET)
    # Every row, computed now: the page lists the first rows of a long list (from its
    # snapshot); the export is a deliberate download and carries every row as of this moment.
    board = spec.build(filterset.scope, limit=None)
    try:
        chosen = board.table(table)
    except StopIteration:
        raise Http404 from None
    return table_export(board, chosen, filterset.scope, file_format)
