"""Reads of working calendars (R34): load a calendar once into a `WorkingTime`."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings

from aftersales.accounts.models import ServicePoint

from .calendar import WorkingTime
from .models import WorkingCalendar


def calendar_for(service_point: ServicePoint | None = None) -> WorkingCalendar | None:
    """The service point's own calendar if it has one, else the company default (None if none)."""
    if service_point is not None and service_point.pk is not None:
        own = WorkingCalendar.objects.filter(service_point=service_point).first()
        if own is not None:
            return own
    return WorkingCalendar.objects.filter(is_default=True).first()


def working_time_build(calendar: WorkingCalendar) -> WorkingTime:
    """A snapshot of `calendar` (two queries: its hours and its exceptions)."""
    return WorkingTime.from_rows(
        hours=calendar.hours.values_list("weekday", "start", "end"),
        exceptions=calendar.exceptions.values_list("date", "kind"),
        use_public_holidays=calendar.use_public_holidays,
        time_zone=settings.TIME_ZONE,
        name=calendar.name,
        calendar_id=calendar.pk,
    )


def working_time_for(service_point: ServicePoint | None = None) -> WorkingTime:
    """R34: the working time that SLA clocks of `service_point` count on.

    The point's own calendar, else the company default, else (no calendar in the database at
    all) the built-in standard: Monday-Friday 09:00-12:00, 13:00-18:00 with public holidays.
    Built fresh on every call (three small queries); a job that needs many points should use
    `working_time_resolver()` to build each calendar once.
    """
    calendar = calendar_for(service_point)
    if calendar is None:
        return WorkingTime.standard(time_zone=settings.TIME_ZONE, name="standard")
    return working_time_build(calendar)


def working_time_resolver() -> Callable[[ServicePoint | None], WorkingTime]:
    """A per-request/per-job memo: `resolve(service_point)` builds each calendar at most once.

    One query finds the calendars of all service points up front, so resolving thousands of
    work orders costs a handful of queries. Drop the resolver at the end of the job so edits
    made in the admin are seen by the next one.
    """
    by_point: dict[int, int] = dict(
        WorkingCalendar.objects.filter(service_point__isnull=False).values_list("service_point_id", "pk")
    )
    built: dict[int | None, WorkingTime] = {}

    def resolve(service_point: ServicePoint | None = None) -> WorkingTime:
        calendar_id = by_point.get(service_point.pk) if service_point is not None else None
        if calendar_id not in built:
            if calendar_id is None:
                built[None] = working_time_for(None)
            else:
                built[calendar_id] = working_time_build(WorkingCalendar.objects.get(pk=calendar_id))
        return built[calendar_id]

    return resolve
