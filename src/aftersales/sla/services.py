"""Writes of working calendars (R34). The admin edits the same rows through its own forms,
which run the same model validation (`full_clean`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time

from django.db import transaction

from aftersales.accounts.models import ServicePoint

from .choices import ExceptionKind
from .models import CalendarException, WorkingCalendar, WorkingHours


@transaction.atomic
def working_calendar_create(
    *,
    name: str,
    service_point: ServicePoint | None = None,
    is_default: bool = False,
    use_public_holidays: bool = True,
    weekly_hours: dict[int, Iterable[tuple[time, time]]] | None = None,
    actor=None,
) -> WorkingCalendar:
    """Create a calendar with its weekly periods ({weekday: [(start, end), ...]}); a calendar with
    a service point overrides the company default for that point."""
    calendar = WorkingCalendar(
        name=name,
        service_point=service_point,
        is_default=is_default,
        use_public_holidays=use_public_holidays,
    )
    calendar.full_clean()
    calendar.save()
    for weekday, periods in (weekly_hours or {}).items():
        working_hours_set(calendar=calendar, weekday=weekday, periods=periods, actor=actor)
    return calendar


@transaction.atomic
def working_hours_set(
    *, calendar: WorkingCalendar, weekday: int, periods: Iterable[tuple[time, time]], actor=None
) -> list[WorkingHours]:
    """Replace the periods of one weekday; no periods makes it a day off."""
    calendar.hours.filter(weekday=weekday).delete()
    rows = []
    for start, end in sorted(periods):
        row = WorkingHours(calendar=calendar, weekday=weekday, start=start, end=end)
        row.full_clean()
        row.save()
        rows.append(row)
    calendar.save(update_fields=["updated_at"])
    return rows


@transaction.atomic
def calendar_exception_set(
    *, calendar: WorkingCalendar, day: date, kind: str, note: str = "", actor=None
) -> CalendarException:
    """Declare `day` an extra holiday or an extra working day of `calendar` (replacing any earlier
    exception of that day). Exceptions win over weekly hours and public holidays."""
    if kind not in ExceptionKind.values:
        raise ValueError(f"unknown exception kind {kind!r}")
    exception = CalendarException.objects.filter(calendar=calendar, date=day).first()
    if exception is None:
        exception = CalendarException(calendar=calendar, date=day)
    exception.kind = kind
    exception.note = note
    exception.full_clean()
    exception.save()
    calendar.save(update_fields=["updated_at"])
    return exception
