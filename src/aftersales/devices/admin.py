"""Installed devices in the admin."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import ContractEvent, Device, MaintenancePlan, ServiceContract, WarrantyPolicy


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = [
        "serial_number",
        "product_model",
        "customer",
        "purchase_date",
        "installed_on",
        "install_address",
    ]
    list_filter = ["product_model__product_line", "product_model"]
    search_fields = ["serial_number", "customer__name", "customer__code", "product_model__code"]
    list_select_related = ["product_model", "customer"]
    autocomplete_fields = ["product_model", "customer"]
    date_hierarchy = "purchase_date"


@admin.register(WarrantyPolicy)
class WarrantyPolicyAdmin(admin.ModelAdmin):
    """R36: the policies warranty is decided by; the most specific active one applies."""

    list_display = ["name", "product_line", "product_model", "province", "months", "start_basis", "is_active"]
    list_filter = ["is_active", "start_basis", "product_line"]
    search_fields = ["name", "product_model__code", "product_line__name", "province"]
    list_select_related = ["product_line", "product_model"]
    autocomplete_fields = ["product_line", "product_model"]
    fieldsets = [
        (None, {"fields": ["name", "is_active"]}),
        (_("Applies to"), {"fields": ["product_line", "product_model", "province"]}),
        (_("Term"), {"fields": ["months", "start_basis"]}),
        (
            _("Covers"),
            {
                "fields": [
                    "covers_diagnosis",
                    "covers_visit",
                    "covers_labour",
                    "covers_travel",
                    "covers_normal_parts",
                    "covers_wear_parts",
                    "covers_consumables",
                ]
            },
        ),
    ]


class MaintenancePlanInline(admin.TabularInline):
    model = MaintenancePlan
    extra = 0
    can_delete = False
    fields = ["every_n_months", "first_due_on", "lead_days", "shift", "is_active", "created_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ContractEventInline(admin.TabularInline):
    model = ContractEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "actor", "action", "from_state", "to_state", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ServiceContract)
class ServiceContractAdmin(admin.ModelAdmin):
    """R35: read here; contracts are sold, activated and cancelled on their pages (the services
    validate and write the history)."""

    list_display = ["number", "customer", "kind", "state", "starts_on", "ends_on", "price", "sold_by"]
    list_filter = ["state", "kind"]
    search_fields = ["number", "customer__name", "customer__code", "devices__serial_number"]
    list_select_related = ["customer", "sold_by"]
    date_hierarchy = "ends_on"
    inlines = [MaintenancePlanInline, ContractEventInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
