from django.contrib import admin

from .models import EngineerLeave, ServiceArea


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
