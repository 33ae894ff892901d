from django.contrib import admin

from .models import (
    Appointment,
    EngineerLeave,
    SelfCheckItem,
    ServiceArea,
    SignedForm,
    SignOff,
    SupervisionCard,
    Visit,
    VisitPart,
)


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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Visits, sign-offs and supervision cards change only through their services (R12-R19)."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SelfCheckItem)
class SelfCheckItemAdmin(admin.ModelAdmin):
    """The configurable self-check list of visits (R15); empty means the built-in defaults."""

    list_display = ["label", "product_line", "position", "is_active"]
    list_editable = ["position", "is_active"]
    list_filter = ["is_active", "product_line"]
    search_fields = ["label"]


class VisitPartInline(admin.TabularInline):
    model = VisitPart
    extra = 0
    fields = ["part_number", "name", "quantity", "shown_to_customer"]
    readonly_fields = fields
    can_delete = False


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ["number", "work_order", "engineer", "planned_date", "state", "arrived_at", "left_at"]
    list_filter = ["state"]
    date_hierarchy = "planned_date"
    search_fields = ["number", "work_order__number", "engineer__employee_no"]
    inlines = [VisitPartInline]


@admin.register(SignOff)
class SignOffAdmin(ReadOnlyAdmin):
    list_display = ["visit", "outcome", "quality_rating", "attitude_rating", "satisfied", "signed_at"]
    list_filter = ["outcome", "satisfied"]
    search_fields = ["visit__number", "visit__work_order__number", "signer_name"]


@admin.register(SignedForm)
class SignedFormAdmin(ReadOnlyAdmin):
    list_display = ["signoff", "state", "attempts", "error", "updated_at"]
    list_filter = ["state"]
    search_fields = ["signoff__visit__number", "signoff__visit__work_order__number"]


@admin.register(SupervisionCard)
class SupervisionCardAdmin(ReadOnlyAdmin):
    list_display = ["visit", "state", "due_at", "submitted_at", "verified_at"]
    list_filter = ["state"]
    search_fields = ["visit__number", "visit__work_order__number"]
