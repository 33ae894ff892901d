"""Complaints and difficult cases in the admin: the configuration (response times, criteria,
escalation levels) is edited here; complaints and cases are for looking up only, their lifecycle
runs through the services (R26, R27, R41)."""

from django.contrib import admin

from .models import (
    CaseCriteria,
    CaseLevel,
    CaseStep,
    Complaint,
    ComplaintEvent,
    ComplaintResponsePolicy,
    DifficultCase,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ComplaintEventInline(ReadOnlyInline):
    model = ComplaintEvent
    fields = ["created_at", "action", "from_state", "to_state", "actor", "note"]


class CaseStepInline(ReadOnlyInline):
    model = CaseStep
    fields = ["created_at", "action", "from_state", "to_state", "level", "handler", "actor", "note"]


class LookUpOnlyAdmin(admin.ModelAdmin):
    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Complaint)
class ComplaintAdmin(LookUpOnlyAdmin):
    list_display = ["number", "state", "outcome", "severity", "category", "source", "customer", "work_order"]
    list_filter = ["state", "outcome", "severity", "category", "source"]
    search_fields = ["number", "customer__name", "work_order__number", "contact_name", "description"]
    list_select_related = ["customer", "work_order"]
    date_hierarchy = "created_at"
    inlines = [ComplaintEventInline]


@admin.register(DifficultCase)
class DifficultCaseAdmin(LookUpOnlyAdmin):
    list_display = ["number", "state", "level", "work_order", "handler", "created_at"]
    list_filter = ["state", "level"]
    search_fields = ["number", "work_order__number", "work_order__customer__name"]
    list_select_related = ["work_order", "handler"]
    inlines = [CaseStepInline]


@admin.register(ComplaintResponsePolicy)
class ComplaintResponsePolicyAdmin(admin.ModelAdmin):
    list_display = ["severity", "response_hours", "business_time", "updated_at"]


@admin.register(CaseLevel)
class CaseLevelAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "role"]


@admin.register(CaseCriteria)
class CaseCriteriaAdmin(admin.ModelAdmin):
    """One row: the company's difficult-case criteria (also on /complaints/cases/settings/)."""

    list_display = [
        "__str__",
        "repeat_enabled",
        "repeat_min_orders",
        "repeat_days",
        "sla_breach_enabled",
        "complaint_enabled",
        "value_enabled",
    ]

    def has_add_permission(self, request):
        return not CaseCriteria.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
