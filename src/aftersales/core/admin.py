"""History and access log in the admin: visible to administrators, never editable (R41)."""

from django.contrib import admin

from .models import AccessLog, ChangeRecord


class ReadOnlyAdmin(admin.ModelAdmin):
    """No add, change or delete: rows of history are append-only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ChangeRecord)
class ChangeRecordAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "content_type", "object_id", "field", "old_value", "new_value", "actor"]
    list_filter = ["content_type", "field"]
    search_fields = ["field", "old_value", "new_value", "actor__username"]
    list_select_related = ["content_type", "actor"]
    date_hierarchy = "created_at"


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "action", "resource", "object_id", "field", "reason", "ip_address"]
    list_filter = ["action", "reason", "resource"]
    search_fields = ["actor__username", "resource", "object_id", "reason_text", "detail"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"
