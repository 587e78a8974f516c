from django.contrib import admin

from .models import ImportBatch


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """Read-only: an import is made (and committed) through the importer, whose checks the admin
    would bypass; an administrator may look at one or delete it."""

    list_display = [
        "file_name",
        "kind",
        "status",
        "uploaded_by",
        "programme",
        "total_rows",
        "new_count",
        "update_count",
        "error_count",
        "created_at",
    ]
    list_filter = ["kind", "status"]
    list_select_related = ["uploaded_by", "programme"]
    search_fields = ["file_name", "uploaded_by__username"]
    exclude = ["rows"]
    readonly_fields = [
        "kind",
        "status",
        "file_name",
        "uploaded_by",
        "programme",
        "language",
        "outcomes",
        "ignored_columns",
        "total_rows",
        "new_count",
        "update_count",
        "error_count",
        "message",
        "created_at",
        "committed_at",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("rows")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
