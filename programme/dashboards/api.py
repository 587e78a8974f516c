"""``/api/v1/dashboards/<name>/``: a dashboard's figures and tables as JSON, the same as the
page (both come from the same selector)."""

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from .filters import dashboard_filter
from .selectors import DASHBOARDS


class DashboardView(APIView):
    """Management reads every dashboard; a programme manager reads their programmes; anyone
    else gets 404. Filters: ``programme``, ``employee``, ``segment``, ``start`` and ``end``
    (months, ``YYYY-MM``)."""

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
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
        data = spec.build(scope).as_json()
        data["filters"] = scope.query_string()
        return Response(data)


urlpatterns = [
    path("dashboards/<slug:name>/", DashboardView.as_view(), name="api-dashboard"),
]
