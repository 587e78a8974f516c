"""The REST API's shared pieces: permissions, pagination and error handling."""

from django_filters.filters import QuerySetRequestMixin
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import pagination, permissions

from . import roles


class IsAuthenticatedReadOnlyForManagement(permissions.BasePermission):
    """Every endpoint needs a login; management reads but never writes."""

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in permissions.SAFE_METHODS or roles.may_write(request.user)


class CursorPagination(pagination.CursorPagination):
    """Cursor pages stay fast on the last page of 100,000 rows (no OFFSET, no COUNT)."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 500


class ScopedFilterBackend(DjangoFilterBackend):
    """The filters' choices are what the user may see: a filter on a model with
    ``visible_to(user)`` (client, contact, programme, enrolment, visit…) offers and accepts only
    those rows. Otherwise the browsable API's dropdown would list a colleague's clients by name,
    and ``?client=<id>`` would tell a colleague's client (an empty page) from an unknown id."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is None:
            return None
        for declared in filterset.filters.values():
            if not isinstance(declared, QuerySetRequestMixin):
                continue
            # a callable queryset (a declared filter's) is already given the request
            model = getattr(declared.queryset, "model", None)
            if model is not None and hasattr(model._default_manager.none(), "visible_to"):
                declared.queryset = model._default_manager.visible_to(request.user)
        return filterset
