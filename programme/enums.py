from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ProgrammeStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("programme status", "Draft")
    ACTIVE = "active", pgettext_lazy("programme status", "Active")
    CLOSED = "closed", pgettext_lazy("programme status", "Closed")


class StaffKind(models.TextChoices):
    """A dedicated employee works only on the programme; a shared one about half their time."""

    DEDICATED = "dedicated", _("Dedicated")
    SHARED = "shared", _("Shared")


STAFF_CAPACITY = {StaffKind.DEDICATED: 1.0, StaffKind.SHARED: 0.5}


class Assessment(models.TextChoices):
    """The manager's view of the original salesperson's relationship with the client."""

    EXCELLENT = "excellent", _("Excellent")
    UNCERTAIN = "uncertain", _("Uncertain")
    MONOPOLISED = "monopolised", _("Monopolised")


class Stage(models.TextChoices):
    NOT_CONTACTED = "not_contacted", _("Not contacted")
    MEETING_BOOKED = "meeting_booked", _("Meeting booked")
    VISITED = "visited", _("Visited")
    FOLLOW_UPS_DONE = "follow_ups_done", _("Follow-ups done")
    DECLINED = "declined", _("Declined")
    UNREACHABLE = "unreachable", _("Unreachable")


# A client is "worked through" once it reached one of these; a programme may close then.
WORKED_THROUGH_STAGES = (
    Stage.VISITED,
    Stage.FOLLOW_UPS_DONE,
    Stage.DECLINED,
    Stage.UNREACHABLE,
)
# Coverage counts the clients visited.
VISITED_STAGES = (Stage.VISITED, Stage.FOLLOW_UPS_DONE)


class AssignmentSource(models.TextChoices):
    """Where an assignment was made, for the history."""

    FORM = "form", _("Assignment form")
    BULK = "bulk", _("Bulk assignment")
    AUTO_SPLIT = "auto_split", _("Automatic split")
    IMPORT = "import", _("Import")
    API = "api", _("API")
    ADMIN = "admin", _("Admin")
    SYSTEM = "system", _("System")
