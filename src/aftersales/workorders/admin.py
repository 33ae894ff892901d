"""Work orders in the admin: for looking up only. The lifecycle runs through services, so
nothing is added, changed or deleted here (R41)."""

from django.contrib import admin

from .models import WorkOrder, WorkOrderEvent


class WorkOrderEventInline(admin.TabularInline):
    model = WorkOrderEvent
    extra = 0
    fields = ["created_at", "kind", "action", "from_state", "to_state", "actor", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "state",
        "type",
        "priority",
        "channel",
        "customer",
        "service_point",
        "engineer",
        "created_at",
    ]
    list_filter = ["state", "type", "priority", "channel", "service_point"]
    search_fields = ["number", "customer__name", "contact_name", "contact_phone", "serial_number"]
    list_select_related = ["customer", "service_point", "engineer__user"]
    date_hierarchy = "created_at"
    inlines = [WorkOrderEventInline]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Viewing only; edits and state changes go through the work-order pages and services.
        return False

    def has_delete_permission(self, request, obj=None):
        return False
