from django.contrib import admin

from .models import ReturnVisit, ReturnVisitAttempt, ReturnVisitPolicy


@admin.register(ReturnVisitPolicy)
class ReturnVisitPolicyAdmin(admin.ModelAdmin):
    """The company's return-visit rules (R22, R23): a single row."""

    list_display = [
        "__str__",
        "due_working_days",
        "callback_hours",
        "unsatisfied_below",
        "max_attempts",
        "retry_hours",
    ]

    def has_add_permission(self, request) -> bool:
        return not ReturnVisitPolicy.objects.exists()


class ReturnVisitAttemptInline(admin.TabularInline):
    model = ReturnVisitAttempt
    extra = 0
    can_delete = False
    fields = ["created_at", "actor", "result", "note", "retry_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ReturnVisit)
class ReturnVisitAdmin(admin.ModelAdmin):
    """Read-only: return visits are scheduled, called and answered through the services (R22-R24)."""

    list_display = ["number", "work_order", "kind", "round", "state", "assignee", "due_at", "score_overall"]
    list_filter = ["state", "kind", "satisfied", "complaint"]
    date_hierarchy = "due_at"
    search_fields = ["number", "work_order__number", "work_order__customer__name"]
    inlines = [ReturnVisitAttemptInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
