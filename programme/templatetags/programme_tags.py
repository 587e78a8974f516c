from django import template
from django.db.models import Count, Q

from ..enums import VISITED_STAGES, ProgrammeStatus
from ..models import Programme

register = template.Library()


@register.simple_tag(takes_context=True)
def open_programmes(context):
    """The home card's programmes: the user's open runs with their size and coverage, in one
    query."""
    user = context["request"].user
    programmes = (
        Programme.objects.filter(manager=user)
        .exclude(status=ProgrammeStatus.CLOSED)
        .annotate(
            client_count=Count("enrolments"),
            unassigned_count=Count("enrolments", filter=Q(enrolments__assignee__isnull=True)),
            visited_count=Count("enrolments", filter=Q(enrolments__stage__in=VISITED_STAGES)),
        )
        .order_by("deadline", "pk")[:5]
    )
    for programme in programmes:
        programme.coverage = (
            round(100 * programme.visited_count / programme.client_count)
            if programme.client_count
            else 0
        )
    return programmes


@register.filter
def person(user) -> str:
    """A user's full name, else their username; a dash when there is no one."""
    if user is None or user == "":
        return "—"
    return user.get_full_name() or user.get_username()
