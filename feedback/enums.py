from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class VisitStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("report status", "Draft")
    FINISHED = "finished", pgettext_lazy("report status", "Finished")


class RelationshipAfterVisit(models.TextChoices):
    STRONG = "strong", _("Strong")
    GOOD = "good", _("Good")
    NEUTRAL = "neutral", _("Neutral")
    AT_RISK = "at_risk", _("At risk")


class MarketOutlook(models.TextChoices):
    GROWING = "growing", _("Growing")
    STABLE = "stable", _("Stable")
    DECLINING = "declining", _("Declining")


class ContactCheckOutcome(models.TextChoices):
    """What the visit found out about one key contact."""

    CONFIRMED = "confirmed", _("Confirmed")
    UPDATED = "updated", _("Details updated")
    LEFT = "left", _("Left the company")
    ADDED = "added", _("New key person")


class QualityArea(models.TextChoices):
    GOODS = "goods", _("Goods")
    SERVICES = "services", _("Services")
    SERVICE = "service", _("Service")
    OTHER = "other", _("Other")


class CorrectiveActionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("corrective action status", "Open")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLIENT_INFORMED = "client_informed", _("Client informed")


# A corrective action is open until it is resolved or the client has been told.
CLOSED_ACTION_STATUSES = (CorrectiveActionStatus.RESOLVED, CorrectiveActionStatus.CLIENT_INFORMED)


class OpportunityKind(models.TextChoices):
    UPSELL = "upsell", _("Upsell")
    CROSS_SELL = "cross_sell", _("Cross-sell")


class OpportunityStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("opportunity status", "Open")
    WON = "won", pgettext_lazy("opportunity status", "Won")
    LOST = "lost", pgettext_lazy("opportunity status", "Lost")


class ReferralStatus(models.TextChoices):
    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    MEETING = "meeting", _("Meeting")
    CONVERTED = "converted", _("Became a client")
    DROPPED = "dropped", _("Dropped")


class NotificationKind(models.TextChoices):
    MEETING_TODAY = "meeting_today", _("Meeting today")
    MEETING_TOMORROW = "meeting_tomorrow", _("Meeting tomorrow")
    FOLLOW_UP_DUE = "follow_up_due", _("Follow-up due today")
    FOLLOW_UP_OVERDUE = "follow_up_overdue", _("Follow-up overdue")
    NO_MEETING_BOOKED = "no_meeting_booked", _("No meeting booked yet")
    CORRECTIVE_ACTION_OVERDUE = "corrective_action_overdue", _("Corrective action past due")
    CORRECTIVE_ACTION_ESCALATED = (
        "corrective_action_escalated",
        _("Corrective action escalated"),
    )
    REFERRAL_NOT_CONTACTED = "referral_not_contacted", _("Referral not contacted")
    CONTACT_NOT_VERIFIED = "contact_not_verified", _("Key contact not verified for a year")
    WEEKLY_DIGEST = "weekly_digest", _("Weekly digest")
    ASSIGNED = "assigned", _("Client assigned to you")


class EmailStatus(models.TextChoices):
    NOT_NEEDED = "not_needed", _("No e-mail")
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
