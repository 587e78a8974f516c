from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from vipcrm.audit_admin import register_history

from . import services
from .enums import AssignmentSource
from .models import (
    AssignmentChange,
    DashboardExport,
    DashboardSnapshot,
    Enrolment,
    Programme,
    ProgrammeJob,
    SplitProposalRow,
    StaffMember,
)


class StaffMemberInline(admin.TabularInline):
    model = StaffMember
    extra = 0
    autocomplete_fields = ["employee"]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "manager", "starts_on", "deadline", "status"]
    list_filter = ["status"]
    search_fields = ["name", "manager__username", "manager__last_name"]
    list_select_related = ["manager"]
    autocomplete_fields = ["manager"]
    inlines = [StaffMemberInline]


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ["employee", "programme", "kind", "added_at"]
    list_filter = ["kind", "programme"]
    search_fields = ["employee__username", "employee__last_name", "programme__name"]
    list_select_related = ["employee", "programme"]


class AssignmentChangeInline(admin.TabularInline):
    model = AssignmentChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_user", "to_user", "changed_by", "changed_at", "reason", "source"]

    def has_add_permission(self, request, obj=None):
        return False


class EnrolmentAdminForm(forms.ModelForm):
    class Meta:
        model = Enrolment
        fields = [
            "programme",
            "client",
            "assessment",
            "assessment_note",
            "original_salesperson",
            "assignee",
            "stage",
            "stage_changed_at",
        ]

    def clean(self):
        cleaned = super().clean()
        # assigned_at is the service's to set; meanwhile the form's model check needs it in step
        # with the assignee (database constraint).
        if cleaned.get("assignee") is None:
            self.instance.assigned_at = None
        elif self.instance.assigned_at is None:
            self.instance.assigned_at = timezone.now()
        return cleaned


@admin.register(Enrolment)
class EnrolmentAdmin(SimpleHistoryAdmin):
    form = EnrolmentAdminForm
    readonly_fields = ["assigned_at", "version"]
    list_display = ["client", "programme", "assessment", "assignee", "stage", "assigned_at"]
    list_filter = ["programme", "assessment", "stage"]
    search_fields = ["client__name", "client__tax_number", "assignee__username"]
    list_select_related = ["client", "programme", "assignee"]
    raw_id_fields = ["client", "original_salesperson"]
    autocomplete_fields = ["assignee"]
    inlines = [AssignmentChangeInline]
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        """Assessment and assignee go through the services, so that the monopolised rule is
        checked and the assignment history written, as on every other path."""
        if not change:
            assignee, obj.assignee, obj.assigned_at = obj.assignee, None, None
            super().save_model(request, obj, form, change)
            if assignee is not None:
                self._assign(request, obj, assignee)
            return
        stored = Enrolment.objects.get(pk=obj.pk)
        assignee, assessment, note = obj.assignee, obj.assessment, obj.assessment_note
        obj.assignee, obj.assigned_at = stored.assignee, stored.assigned_at
        obj.assessment, obj.assessment_note = stored.assessment, stored.assessment_note
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            obj.version = Enrolment.objects.get(pk=obj.pk).version
            # The order matters when both change: never pass through a state the rule forbids.
            steps = [
                lambda: self._assign(request, obj, assignee),
                lambda: services.enrolment_assess(
                    enrolment=obj, assessment=assessment, note=note, by=request.user
                ),
            ]
            if assignee is not None and assignee.pk == obj.original_salesperson_id:
                steps.reverse()
            for step in steps:
                step()
        obj.refresh_from_db()

    def _assign(self, request, obj, assignee):
        services.enrolment_assign(
            enrolment=obj,
            assignee=assignee,
            by=request.user,
            source=AssignmentSource.ADMIN,
        )

    def changeform_view(self, request, *args, **kwargs):
        # A rule the service refuses (e.g. an assignee outside the pool) rolls the whole save
        # back; the form comes back with the reason instead of an error page.
        try:
            return super().changeform_view(request, *args, **kwargs)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


@admin.register(AssignmentChange)
class AssignmentChangeAdmin(admin.ModelAdmin):
    list_display = ["enrolment", "from_user", "to_user", "changed_by", "changed_at", "source"]
    list_filter = ["source"]
    search_fields = ["enrolment__client__name", "reason"]
    list_select_related = [
        "enrolment__client",
        "enrolment__programme",
        "from_user",
        "to_user",
        "changed_by",
    ]
    raw_id_fields = ["enrolment"]
    date_hierarchy = "changed_at"


@admin.register(ProgrammeJob)
class ProgrammeJobAdmin(admin.ModelAdmin):
    list_display = ["programme", "kind", "status", "done", "total", "created_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["programme"]
    readonly_fields = ["programme", "kind", "status", "done", "total", "params", "error"]
    exclude = ["result"]


@admin.register(DashboardSnapshot)
class DashboardSnapshotAdmin(admin.ModelAdmin):
    """Read-only: the snapshots are built by the worker. Deleting one makes the next view build
    it again; a failed one shows its error here."""

    list_display = ["name", "language", "status", "built_at", "build_seconds", "requested_at"]
    list_filter = ["name", "status", "language"]
    exclude = ["data", "rows_html"]
    readonly_fields = [
        "key",
        "name",
        "language",
        "params",
        "status",
        "built_at",
        "build_seconds",
        "requested_at",
        "queued_at",
        "started_at",
        "error",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(DashboardExport)
class DashboardExportAdmin(admin.ModelAdmin):
    """Read-only, and without the file: an export is its owner's (they download it from the
    dashboard); a failed one shows its error here. The beat deletes them after a day."""

    list_display = ["name", "table", "file_format", "user", "status", "total", "created_at"]
    list_filter = ["name", "status", "file_format"]
    list_select_related = ["user"]
    exclude = ["content"]
    readonly_fields = [
        "user",
        "key",
        "name",
        "table",
        "file_format",
        "language",
        "params",
        "status",
        "done",
        "total",
        "filename",
        "error",
        "created_at",
        "started_at",
        "finished_at",
        "delivered_at",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content")

    def has_add_permission(self, request):
        return False


@admin.register(SplitProposalRow)
class SplitProposalRowAdmin(admin.ModelAdmin):
    """Read-only: a proposal's rows are written by the split and changed on its page, where the
    rules are checked and the job's summary follows."""

    list_display = ["client_name", "assignee", "weight", "job"]
    list_select_related = ["assignee", "job__programme"]
    list_filter = ["job__programme"]
    search_fields = ["client_name"]
    raw_id_fields = ["job", "enrolment", "client", "assignee"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


register_history(Enrolment)
