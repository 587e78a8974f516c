"""``/api/v1/dashboards/<name>/``: a dashboard's figures and tables as JSON, the same as the
page (both read the same snapshot, built by the same selector)."""

from django.urls import path
from django.utils.http import http_date
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from .filters import dashboard_filter
from .selectors import DASHBOARDS
from .snapshots import POLL_SECONDS, snapshot_board, snapshot_serve


class DashboardView(APIView):
    """Management reads every dashboard; a programme manager reads their programmes; anyone
    else gets 404. Filters: ``programme``, ``employee``, ``segment``, ``start`` and ``end``
    (months, ``YYYY-MM``).

    Served from the dashboard's snapshot (``programme.dashboards.snapshots``). While the first
    build for these filters runs, the answer is 202 ``{"status": "computing", "retry_after":
    2}`` (and a ``Retry-After`` header); when it failed, 503 ``{"status": "failed"}``."""

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT, 202: OpenApiTypes.OBJECT, 503: OpenApiTypes.OBJECT},
        parameters=[
            OpenApiParameter("programme", int),
            OpenApiParameter("employee", int),
            OpenApiParameter("segment", int),
            OpenApiParameter("start", str, description="First month, YYYY-MM"),
            OpenApiParameter("end", str, description="Last month, YYYY-MM"),
        ],
    )
    def get(self, request, name):
        spec = DASHBOARDS.get(name)
        if spec is None:
            raise NotFound
        filterset = dashboard_filter(request.user, request.query_params)
        if filterset.is_bound and not filterset.form.is_valid():
            raise ValidationError(filterset.form.errors)
        scope = filterset.scope
        snapshot = snapshot_serve(spec, scope, request.user, get_language())
        board = snapshot_board(snapshot)
        if board is None:
            if snapshot.status == snapshot.Status.FAILED:
                detail = _("The figures for this filter could not be computed.")
                return Response({"status": "failed", "detail": detail}, status=503)
            return Response(
                {"status": "computing", "retry_after": POLL_SECONDS},
                status=202,
                headers={"Retry-After": str(POLL_SECONDS)},
            )
        data = board.as_json()
        data["filters"] = scope.query_string()
        return Response(data, headers={"Last-Modified": http_date(snapshot.built_at.timestamp())})


urlpatterns = [
    path("dashboards/<slug:name>/", DashboardView.as_view(), name="api-dashboard"),
]
