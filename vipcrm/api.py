"""The REST API's shared pieces: permissions, pagination and error handling."""

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
