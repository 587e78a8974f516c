"""The dashboard pages and their CSV/XLSX exports. Thin: the selectors build the figures."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from vipcrm.exports import FORMATS

from .exports import table_export
from .filters import dashboard_filter, dashboard_programmes
from .selectors import DASHBOARDS


def _spec(name):
    try:
        return DASHBOARDS[name]
    except KeyError:
        raise Http404 from None


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
    board = spec.build(filterset.scope)
    return render(
        request,
        "programme/dashboards/dashboard_detail.html",
        {
            "spec": spec,
            "dashboards": DASHBOARDS.values(),
            "filter": filterset,
            "scope": filterset.scope,
            "board": board,
            "charts": board.charts(),
        },
    )


@login_required
@require_safe
def dashboard_export(request, name, table, file_format):
    spec = _spec(name)
    if file_format not in FORMATS:
        raise Http404
    filterset = dashboard_filter(request.user, request.GET)
    # The page lists the first rows of a long list; the export carries every row.
    board = spec.build(filterset.scope, limit=None)
    try:
        chosen = board.table(table)
    except StopIteration:
        raise Http404 from None
    return table_export(board, chosen, filterset.scope, file_format)
