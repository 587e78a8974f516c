"""The colour of a stage's badge (``feedback/_stage_badge.html`` and My list's rows)."""

from django import template

register = template.Library()

STAGE_BADGE_CLASSES = {
    "not_contacted": "text-bg-secondary",
    "meeting_booked": "text-bg-info",
    "visited": "text-bg-success",
    "follow_ups_done": "text-bg-primary",
}


@register.filter
def stage_badge_class(stage) -> str:
    return STAGE_BADGE_CLASSES.get(stage, "text-bg-dark")
