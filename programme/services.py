"""Writes of the programme: assignment and stage moves. Every path (pages, API, admin, import,
the automatic split) goes through these, so the programme's rules hold everywhere."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .enums import AssignmentSource, Stage
from .models import MONOPOLISED_RULE_MESSAGE, AssignmentChange, Enrolment

# Which stage may follow which: the client's progress through one run.
STAGE_MOVES = {
    Stage.NOT_CONTACTED: {Stage.MEETING_BOOKED, Stage.DECLINED, Stage.UNREACHABLE},
    Stage.MEETING_BOOKED: {Stage.NOT_CONTACTED, Stage.VISITED, Stage.DECLINED, Stage.UNREACHABLE},
    Stage.VISITED: {Stage.FOLLOW_UPS_DONE, Stage.MEETING_BOOKED},
    Stage.FOLLOW_UPS_DONE: {Stage.VISITED, Stage.MEETING_BOOKED},
    Stage.DECLINED: {Stage.NOT_CONTACTED, Stage.MEETING_BOOKED},
    Stage.UNREACHABLE: {Stage.NOT_CONTACTED, Stage.MEETING_BOOKED},
}


def check_assignment_allowed(*, enrolment: Enrolment, assignee) -> None:
    """Raises ValidationError when the programme's rules forbid this assignee.

    A monopolised client never goes to its original salesperson.
    """
    if (
        assignee is not None
        and enrolment.assessment == "monopolised"
        and enrolment.original_salesperson_id == assignee.pk
    ):
        raise ValidationError({"assignee": MONOPOLISED_RULE_MESSAGE})


@transaction.atomic
def enrolment_assign(
    *,
    enrolment: Enrolment,
    assignee,
    by,
    reason: str = "",
    source: str = AssignmentSource.FORM,
) -> Enrolment:
    """Assigns (or unassigns, with ``assignee=None``) a client on a programme's list.

    Side effects: writes an AssignmentChange row; bumps the enrolment's version. Re-assigning to
    the current assignee changes nothing and writes no history.
    """
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.assignee_id == (assignee.pk if assignee else None):
        return enrolment
    check_assignment_allowed(enrolment=enrolment, assignee=assignee)
    previous = enrolment.assignee
    enrolment.assignee = assignee
    enrolment.assigned_at = timezone.now() if assignee else None
    enrolment.version += 1
    enrolment.save(update_fields=["assignee", "assigned_at", "version"])
    AssignmentChange.objects.create(
        enrolment=enrolment,
        from_user=previous,
        to_user=assignee,
        changed_by=by,
        reason=reason,
        source=source,
    )
    return enrolment


@transaction.atomic
def enrolment_set_stage(*, enrolment: Enrolment, stage: str) -> Enrolment:
    """Moves a client to another stage of the run, refusing moves the programme does not know."""
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.stage == stage:
        return enrolment
    if Stage(stage) not in STAGE_MOVES[Stage(enrolment.stage)]:
        raise ValidationError(
            _("A client cannot go from “%(from)s” to “%(to)s”.")
            % {"from": enrolment.get_stage_display(), "to": Stage(stage).label}
        )
    enrolment.stage = stage
    enrolment.stage_changed_at = timezone.now()
    enrolment.version += 1
    enrolment.save(update_fields=["stage", "stage_changed_at", "version"])
    return enrolment
