"""Installed devices in the admin."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Device, WarrantyPolicy


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
