"""Who may open the programme manager's pages.

- a programme manager: the programmes they run (another manager's answers 404);
- management: every programme, read-only (a write answers 403);
- anyone else (an employee of the pool included): the manager's pages do not exist (404),
  the same answer as for any object one may not see.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from vipcrm import roles

from ..models import Programme


def in_manager_area(user) -> bool:
    return roles.is_programme_manager(user) or roles.sees_everything(user)


def programmes_for(user):
    """The programmes whose manager pages the user may open."""
    if not in_manager_area(user):
        return Programme.objects.none()
    if roles.sees_everything(user):
        return Programme.objects.visible_to(user)
    # A manager's own programmes: a subset of what ``visible_to`` gives them (those they run,
    # and those whose pool they are in), read without its OR over the pools.
    return Programme.objects.filter(manager=user)


def may_manage(user, programme) -> bool:
    return user.is_superuser or programme.manager_id == user.pk


def require_manager_area(user) -> None:
    if not in_manager_area(user):
        raise Http404


def get_programme(request, pk, *, write: bool = False) -> Programme:
    programme = get_object_or_404(programmes_for(request.user).select_related("manager"), pk=pk)
    if write and not may_manage(request.user, programme):
        raise PermissionDenied
    return programme
