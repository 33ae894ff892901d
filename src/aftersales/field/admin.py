from django.contrib import admin

from .models import Appointment, EngineerLeave, ServiceArea


@admin.register(ServiceArea)
class ServiceAreaAdmin(admin.ModelAdmin):
    list_display = ["service_point", "province", "city", "district"]
    list_filter = ["province"]
    search_fields = ["service_point__name", "service_point__code", "province", "city", "district"]
    autocomplete_fields = ["service_point"]


@admin.register(EngineerLeave)
class EngineerLeaveAdmin(admin.ModelAdmin):
    list_display = ["engineer", "start", "end", "reason"]
    date_hierarchy = "start"
    search_fields = ["engineer__employee_no", "engineer__user__last_name", "engineer__user__first_name"]
    autocomplete_fields = ["engineer"]


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    """Read-only: visits are booked, moved and cancelled through the services (R12)."""

    list_display = ["work_order", "engineer", "date", "window_start", "window_end", "state"]
    list_filter = ["state"]
    date_hierarchy = "date"
    search_fields = ["work_order__number", "engineer__employee_no"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
