"""The dashboard pages and their CSV/XLSX exports. Thin: the selectors build the figures, the
snapshots (``snapshots``) keep them between page views, the exports (``exports``) are files
prepared in the background."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from vipcrm.exports import FORMATS

from . import exports
from .filters import dashboard_filter, dashboard_programmes, filters_query
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
    """The export link: the file when it is ready (a recent identical export, or the eager
    queue of the tests), else a page that follows its progress and then downloads it. A GET:
    asking for an export changes no data of the programme, and management exports too."""
    spec = _spec(name)
    if file_format not in FORMATS or table not in spec.tables:
        raise Http404
    filterset = dashboard_filter(request.user, request.GET)
    export = exports.export_request(
        spec=spec,
        table=table,
        file_format=file_format,
        scope=filterset.scope,
        user=request.user,
        language=get_language(),
    )
    if export.status == export.Status.READY:
        return exports.export_download(export)
    return _export_page(request, spec, export)


def _export_state(export):
    """What the export's progress panel shows and links to."""
    filters = filters_query(export.params["filters"])
    again = reverse("dashboards:export", args=[export.name, export.table, export.file_format])
    return {
        "export": export,
        "failed": export.status == export.Status.FAILED or exports.export_lost(export),
        "poll_seconds": exports.POLL_SECONDS,
        "status_url": reverse("dashboards:export_status", args=[export.pk]),
        "download_url": reverse("dashboards:export_download", args=[export.pk]),
        "retry_url": f"{again}?{filters}",
        "dashboard_url": f"{reverse('dashboards:dashboard', args=[export.name])}?{filters}",
    }


def _export_page(request, spec, export):
    return render(
        request,
        "programme/dashboards/export_progress.html",
        {"spec": spec, "table_title": spec.tables[export.table], **_export_state(export)},
    )


@login_required
@require_safe
def export_status(request, pk):
    """Polled by the export's progress page: its progress, and once the file is ready, the
    browser sent to the download (``HX-Redirect``, once; later polls show the link)."""
    export = get_object_or_404(exports.exports_of(request.user).defer("content"), pk=pk)
    response = render(request, "programme/dashboards/_export_state.html", _export_state(export))
    if export.status == export.Status.READY and exports.export_deliver(export):
        response["HX-Redirect"] = reverse("dashboards:export_download", args=[export.pk])
    return response


@login_required
@require_safe
def export_download(request, pk):
    """The stored file; before it is ready (a link followed early), the progress page."""
    export = get_object_or_404(exports.exports_of(request.user), pk=pk)
    if export.status == export.Status.READY:
        return exports.export_download(export)
    return _export_page(request, _spec(export.name), export)
