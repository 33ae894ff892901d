"""Installed devices in the admin."""

from django.contrib import admin

from .models import Device


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ["serial_number", "product_model", "customer", "purchase_date", "install_address"]
    list_filter = ["product_model__product_line", "product_model"]
    search_fields = ["serial_number", "customer__name", "customer__code", "product_model__code"]
    list_select_related = ["product_model", "customer"]
    autocomplete_fields = ["product_model", "customer"]
    date_hierarchy = "purchase_date"
