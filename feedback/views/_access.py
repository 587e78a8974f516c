"""Who may open and change a visit: one place for the visit pages."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404

from ..models import Visit


def visible_visit(request, pk, queryset=None):
    """The visit if the user may see its client; 404 otherwise (a colleague's visit)."""
    queryset = queryset if queryset is not None else Visit.objects.all()
    return get_object_or_404(queryset.visible_to(request.user), pk=pk)


def own_visit(request, pk, queryset=None):
    """A visit the user may change: their own. Others who may see it (managers, management)
    read it but get 403 on a change."""
    visit = visible_visit(request, pk, queryset)
    if visit.employee_id != request.user.pk:
        raise PermissionDenied
    return visit


def add_errors(form, error: ValidationError) -> None:
    """Shows a service's refusal on the form: on the field it names, else above the form."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
