"""The audit history in the admin: besides each object's "History" button (SimpleHistoryAdmin),
a read-only list per audited model of every recorded change, filterable by who, what and when."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .audit import reason_label


class HistoryLogAdmin(admin.ModelAdmin):
    list_display = ["history_date", "history_user", "history_type", "object_label", "reason"]
    list_filter = ["history_type", "history_date", "history_change_reason"]
    list_select_related = ["history_user"]
    search_fields = ["history_user__username", "history_change_reason"]
    date_hierarchy = "history_date"

    @admin.display(description=_("object"))
    def object_label(self, obj):
        return f"{obj.instance_type._meta.verbose_name} #{obj.id}"

    @admin.display(description=_("reason"))
    def reason(self, obj):
        return reason_label(obj.history_change_reason)

    # A record of what happened: nobody adds, edits or deletes it.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def register_history(*models) -> None:
    for model in models:
        admin.site.register(model.history.model, HistoryLogAdmin)
