"""Who may open and change what on the feedback pages: the one access helper of these views."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme

from vipcrm import roles

from ..models import Visit


def require_write(user) -> None:
    """Management reads everything and changes nothing: any write answers 403."""
    if not roles.may_write(user):
        raise PermissionDenied


def back(request, fallback: str):
    """Redirects to ``next`` when it is a page of this site, otherwise to the fallback."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def error_text(error) -> str:
    """The messages of a service's ValidationError, as one sentence for the page."""
    return " ".join(error.messages)


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
