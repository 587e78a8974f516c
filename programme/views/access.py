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
    programmes = Programme.objects.visible_to(user)
    return programmes if roles.sees_everything(user) else programmes.filter(manager=user)


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


class SimplePage:
    """One page of a list without COUNT(*): fetches one row more than it shows to know whether
    a next page exists, so the page costs the same on a list of 100,000."""

    def __init__(self, queryset, number, size=50):
        try:
            self.number = max(int(number or 1), 1)
        except (TypeError, ValueError):
            self.number = 1
        start = (self.number - 1) * size
        rows = list(queryset[start : start + size + 1])
        self.has_next = len(rows) > size
        self.object_list = rows[:size]
        self.has_previous = self.number > 1
        self.next_page_number = self.number + 1
        self.previous_page_number = self.number - 1

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)
