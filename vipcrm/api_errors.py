"""Kept apart from vipcrm.api: DRF's views module imports the settings that name vipcrm.api."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .conflicts import VersionConflict


def exception_handler(exc, context):
    """A domain rule broken in a service (Django's ValidationError) answers 400 with the reason;
    a save from a stale version answers 409 Conflict with the fields that differ."""
    if isinstance(exc, VersionConflict):
        return Response(exc.as_dict(), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = ValidationError(detail)
    return drf_exception_handler(exc, context)
