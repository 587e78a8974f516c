from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from vipcrm.audit_admin import register_history

from .models import (
    CalendarFeed,
    ContactCheck,
    CorrectiveAction,
    CorrectiveActionStep,
    FollowUp,
    Notification,
    NotificationSettings,
    Opportunity,
    Referral,
    Visit,
    VisitReport,
    VisitReportRevision,
)


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["client", "scheduled_at", "employee", "status", "place"]
    list_filter = ["status"]
    search_fields = ["client__name", "employee__username", "place"]
    list_select_related = ["client", "employee"]
    raw_id_fields = ["client", "enrolment", "contacts"]
    date_hierarchy = "scheduled_at"
    show_full_result_count = False


class ContactCheckInline(admin.TabularInline):
    model = ContactCheck
    extra = 0
    raw_id_fields = ["contact"]


@admin.register(VisitReport)
class VisitReportAdmin(SimpleHistoryAdmin):
    list_display = [
        "visit",
        "author",
        "status",
        "score_goods",
        "score_services",
        "score_service",
        "recommendation_score",
        "finished_at",
    ]
    list_filter = ["status", "outlook", "relationship_after"]
    search_fields = ["visit__client__name", "author__username"]
    list_select_related = ["visit__client", "author"]
    raw_id_fields = ["visit", "met_contacts"]
    inlines = [ContactCheckInline]
    show_full_result_count = False


@admin.register(VisitReportRevision)
class VisitReportRevisionAdmin(admin.ModelAdmin):
    list_display = ["report", "changed_by", "changed_at"]
    raw_id_fields = ["report"]
    list_select_related = ["report__visit__client", "changed_by"]


class CorrectiveActionStepInline(admin.TabularInline):
    model = CorrectiveActionStep
    extra = 0
    # The steps are the history the services write (feedback.services.followups).
    readonly_fields = ["status", "by", "at", "note"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CorrectiveAction)
class CorrectiveActionAdmin(SimpleHistoryAdmin):
    list_display = ["client", "area", "owner", "due_on", "status"]
    list_filter = ["status", "area", "programme"]
    search_fields = ["client__name", "complaint", "action"]
    list_select_related = ["client", "owner"]
    raw_id_fields = ["client", "report"]
    inlines = [CorrectiveActionStepInline]
    # Lifecycles move only through the services (pages and API), which keep the history.
    readonly_fields = ["status", "resolved_at", "client_informed_at"]


@admin.register(Opportunity)
class OpportunityAdmin(SimpleHistoryAdmin):
    list_display = [
        "client",
        "kind",
        "position",
        "topic",
        "expected_value",
        "status",
        "won_value",
        "owner",
    ]
    list_filter = ["kind", "status", "programme"]
    search_fields = ["client__name", "topic", "description"]
    list_select_related = ["client", "position", "owner"]
    raw_id_fields = ["client", "report", "client_position"]
    readonly_fields = ["status", "won_value", "lost_reason", "closed_at"]


@admin.register(Referral)
class ReferralAdmin(SimpleHistoryAdmin):
    list_display = [
        "person_name",
        "company_name",
        "referring_client",
        "status",
        "owner",
        "became_client",
    ]
    list_filter = ["status", "programme"]
    search_fields = ["person_name", "company_name", "referring_client__name", "email", "phone"]
    list_select_related = ["referring_client", "owner", "became_client"]
    raw_id_fields = ["referring_client", "referring_contact", "report"]
    readonly_fields = ["status", "became_client", "drop_reason", "contacted_at", "closed_at"]


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ["title", "client", "owner", "due_on", "done_at"]
    list_filter = ["programme"]
    search_fields = ["title", "client__name", "owner__username"]
    list_select_related = ["client", "owner"]
    raw_id_fields = ["client", "report"]
    readonly_fields = ["done_at", "done_by"]
    date_hierarchy = "due_on"
    show_full_result_count = False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "message", "created_at", "read_at", "email_status"]
    list_filter = ["kind", "email_status"]
    search_fields = ["recipient__username", "key", "message"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient"]
    show_full_result_count = False


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(admin.ModelAdmin):
    list_display = ["user", "language"]
    search_fields = ["user__username"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "revoked_at"]
    search_fields = ["user__username"]
    readonly_fields = ["token"]


@admin.register(ContactCheck)
class ContactCheckAdmin(admin.ModelAdmin):
    list_display = ["contact", "report", "outcome"]
    list_filter = ["outcome"]
    search_fields = ["contact__full_name", "contact__client__name"]
    list_select_related = ["contact__client", "report"]
    raw_id_fields = ["contact", "report"]


@admin.register(CorrectiveActionStep)
class CorrectiveActionStepAdmin(admin.ModelAdmin):
    list_display = ["action", "status", "by", "at"]
    list_filter = ["status"]
    list_select_related = ["action__client", "by"]
    raw_id_fields = ["action"]


register_history(VisitReport, CorrectiveAction, Opportunity, Referral)
