from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from vipcrm.audit_admin import register_history

from .models import Client, ClientPosition, ClientVolume, KeyContact, Position, Region, Segment


@admin.register(Segment, Region)
class CatalogueAdmin(admin.ModelAdmin):
    search_fields = ["name"]


class KeyContactInline(admin.TabularInline):
    model = KeyContact
    extra = 0
    fields = ["full_name", "role", "job_title", "phone", "email", "verified_on", "left_company"]


class ClientPositionInline(admin.TabularInline):
    model = ClientPosition
    extra = 0
    autocomplete_fields = ["position"]


@admin.register(Client)
class ClientAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "kind",
        "tax_number",
        "segment",
        "region",
        "tier",
        "status",
        "original_salesperson",
    ]
    list_filter = ["kind", "status", "tier", "segment", "region"]
    search_fields = ["name", "legal_name", "tax_number"]
    list_select_related = ["segment", "region", "original_salesperson"]
    autocomplete_fields = ["segment", "region", "original_salesperson"]
    inlines = [KeyContactInline, ClientPositionInline]
    show_full_result_count = False


@admin.register(KeyContact)
class KeyContactAdmin(SimpleHistoryAdmin):
    list_display = ["full_name", "client", "role", "email", "phone", "verified_on", "left_company"]
    list_filter = ["role", "left_company"]
    search_fields = ["full_name", "email", "client__name"]
    list_select_related = ["client"]
    raw_id_fields = ["client"]
    show_full_result_count = False


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "unit", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]


@admin.register(ClientPosition)
class ClientPositionAdmin(admin.ModelAdmin):
    list_display = ["client", "position", "annual_volume", "since"]
    list_filter = ["position"]
    search_fields = ["client__name", "position__name"]
    list_select_related = ["client", "position"]
    raw_id_fields = ["client"]


@admin.register(ClientVolume)
class ClientVolumeAdmin(admin.ModelAdmin):
    list_display = ["client", "period", "amount"]
    list_filter = ["period"]
    search_fields = ["client__name", "client__tax_number"]
    list_select_related = ["client"]
    raw_id_fields = ["client"]
    date_hierarchy = "period"
    show_full_result_count = False


# The importer keeps its admin beside its code.
from .imports import admin as _imports_admin  # noqa: E402, F401

register_history(Client, KeyContact)
