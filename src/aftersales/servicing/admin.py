"""Vendors are maintained here (R14); the lifecycle records are read-only: they change only
through the services, so that every step is on the work order's timeline."""

from django.contrib import admin

from .models import (
    DepotRepair,
    ExternalRepair,
    ExternalRepairFollowUp,
    RemoteSession,
    RepairLogEntry,
    ServicePlan,
    Vendor,
)


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    list_display = ["name", "contact_name", "phone", "lead_time_days", "is_active"]
    list_filter = ["is_active", "product_lines"]
    search_fields = ["name", "contact_name", "phone", "address"]
    filter_horizontal = ["product_lines"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RemoteSession)
class RemoteSessionAdmin(ReadOnlyAdmin):
    list_display = ["work_order", "method", "state", "performed_by", "started_at"]
    list_filter = ["state", "method"]
    search_fields = ["work_order__number"]
    date_hierarchy = "started_at"


@admin.register(ServicePlan)
class ServicePlanAdmin(ReadOnlyAdmin):
    list_display = ["work_order", "revision", "state", "fees_apply", "needs_approval", "confirmed_at"]
    list_filter = ["state", "fees_apply", "needs_approval"]
    search_fields = ["work_order__number"]


class RepairLogEntryInline(admin.TabularInline):
    model = RepairLogEntry
    extra = 0
    fields = ["performed_at", "performed_by", "work_done", "measurements"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DepotRepair)
class DepotRepairAdmin(ReadOnlyAdmin):
    list_display = ["number", "work_order", "state", "warranty", "received_at", "handed_back_at"]
    list_filter = ["state", "warranty"]
    search_fields = ["number", "work_order__number"]
    date_hierarchy = "received_at"
    inlines = [RepairLogEntryInline]


class FollowUpInline(admin.TabularInline):
    model = ExternalRepairFollowUp
    extra = 0
    fields = ["created_at", "kind", "sequence", "actor", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ExternalRepair)
class ExternalRepairAdmin(ReadOnlyAdmin):
    list_display = [
        "work_order",
        "vendor",
        "state",
        "reason",
        "voucher_number",
        "sent_at",
        "expected_back_on",
        "cost",
    ]
    list_filter = ["state", "reason", "vendor"]
    search_fields = ["work_order__number", "voucher_number", "vendor__name"]
    date_hierarchy = "sent_at"
    inlines = [FollowUpInline]
