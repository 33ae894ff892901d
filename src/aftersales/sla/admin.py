"""Working calendars in the admin: weekly hours and dated exceptions edited inline (R34)."""

from datetime import time

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from .models import (
    CalendarException,
    OfficialDay,
    SlaClock,
    SlaMilestone,
    SlaPolicy,
    WorkingCalendar,
    WorkingHours,
)


class WorkingHoursFormSet(BaseInlineFormSet):
    """Periods submitted together must not overlap on the same weekday."""

    def clean(self) -> None:
        super().clean()
        by_day: dict[int, list[tuple[time, time]]] = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or data.get("start") is None or data.get("end") is None:
                continue
            end = time.max if data["end"] == time(0) else data["end"]
            by_day.setdefault(data["weekday"], []).append((data["start"], end))
        for periods in by_day.values():
            periods.sort()
            for (_start, end), (next_start, _end) in zip(periods, periods[1:], strict=False):
                if next_start < end:
                    raise ValidationError(_("Working periods of the same weekday overlap."))


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    formset = WorkingHoursFormSet
    extra = 0
    ordering = ["weekday", "start"]


class CalendarExceptionInline(admin.TabularInline):
    model = CalendarException
    extra = 0
    ordering = ["date"]


@admin.register(WorkingCalendar)
class WorkingCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "is_default", "service_point", "use_public_holidays", "updated_at"]
    list_filter = ["is_default", "use_public_holidays"]
    search_fields = ["name", "service_point__name", "service_point__code"]
    list_select_related = ["service_point"]
    autocomplete_fields = ["service_point"]
    inlines = [WorkingHoursInline, CalendarExceptionInline]


@admin.register(CalendarException)
class CalendarExceptionAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "calendar", "note"]
    list_filter = ["kind", "calendar"]
    search_fields = ["note", "calendar__name"]
    date_hierarchy = "date"
    list_select_related = ["calendar"]


@admin.register(OfficialDay)
class OfficialDayAdmin(admin.ModelAdmin):
    """The imported official schedule of years the holiday package does not know (R34)."""

    list_display = ["date", "kind", "name", "created_by", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["name"]
    date_hierarchy = "date"


class SlaMilestoneInline(admin.TabularInline):
    model = SlaMilestone
    extra = 0
    ordering = ["kind"]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    """Service-level policies (R34): match fields and milestones edited together."""

    list_display = [
        "name",
        "is_default",
        "is_active",
        "precedence",
        "match_priority",
        "match_type",
        "match_product_line",
        "match_province",
        "match_customer",
    ]
    list_filter = ["is_default", "is_active", "match_priority", "match_type"]
    search_fields = ["name", "match_province"]
    list_select_related = ["match_product_line", "match_customer"]
    autocomplete_fields = ["match_product_line", "match_customer"]
    inlines = [SlaMilestoneInline]


@admin.register(SlaClock)
class SlaClockAdmin(admin.ModelAdmin):
    """Clocks are written by the lifecycle only; the admin reads them."""

    list_display = ["work_order", "kind", "started_at", "due_at", "paused_at", "stopped_at", "met"]
    list_filter = ["kind", "met", "paused_reason"]
    search_fields = ["work_order__number"]
    list_select_related = ["work_order"]
    date_hierarchy = "due_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
