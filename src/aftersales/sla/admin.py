"""Working calendars in the admin: weekly hours and dated exceptions edited inline (R34)."""

from datetime import time

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from .models import CalendarException, WorkingCalendar, WorkingHours


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
