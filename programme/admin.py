from django.contrib import admin

from .models import AssignmentChange, Enrolment, Programme, StaffMember


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


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["client", "programme", "assessment", "assignee", "stage", "assigned_at"]
    list_filter = ["programme", "assessment", "stage"]
    search_fields = ["client__name", "client__tax_number", "assignee__username"]
    list_select_related = ["client", "programme", "assignee"]
    raw_id_fields = ["client", "original_salesperson"]
    autocomplete_fields = ["assignee"]
    inlines = [AssignmentChangeInline]
    show_full_result_count = False


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
