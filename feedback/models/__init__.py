from .followups import (
    CorrectiveAction,
    CorrectiveActionStep,
    FollowUp,
    Opportunity,
    Referral,
)
from .notifications import CalendarFeed, Notification, NotificationSettings
from .visits import ContactCheck, Visit, VisitReport, VisitReportRevision

__all__ = [
    "CalendarFeed",
    "ContactCheck",
    "CorrectiveAction",
    "CorrectiveActionStep",
    "FollowUp",
    "Notification",
    "NotificationSettings",
    "Opportunity",
    "Referral",
    "Visit",
    "VisitReport",
    "VisitReportRevision",
]
