"""Availability of engineers for dispatch (R5, R12): the working calendar of each candidate
service point (a day off moves the visit to the next working day) and the visits already booked
that day. Two queries whatever the number of points and engineers: the calendars that apply (with
their hours and exceptions), then the booked appointments of the day(s)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import FilteredRelation, Q

from aftersales.sla.calendar import WorkingTime
from aftersales.sla.models import WorkingCalendar

from . import scoring
from .models import Appointment, AppointmentState


@dataclass(frozen=True)
class PointDay:
    """The day a point's availability is counted on: the requested day, or the next working day
    of the point's calendar when the requested day is a day off and no window was asked for."""

    requested: date
    day: date
    working_minutes: int

    @property
    def shifted(self) -> bool:
        return self.day != self.requested


@dataclass(frozen=True)
class Booking:
    """A booked visit of an engineer (the window, and the work order it is for)."""

    date: date
    window: scoring.Window
    number: str


def point_working_times(point_ids: Iterable[int], *, start: date) -> dict[int, WorkingTime]:
    """R34 calendars: each point's own calendar, else the company default, else the standard one.

    One plain query, no model instances (dispatch runs for every board row and work-order page):
    the calendars that apply, joined with their hours and with their exceptions from `start` to
    the horizon of `scoring.next_working_day` (a few rows per calendar)."""
    point_ids = set(point_ids)
    if not point_ids:
        return {}
    horizon = start + timedelta(days=scoring.WORKING_DAY_HORIZON)
    rows = (
        WorkingCalendar.objects.filter(Q(is_default=True) | Q(service_point_id__in=point_ids))
        .annotate(near=FilteredRelation("exceptions", condition=Q(exceptions__date__range=(start, horizon))))
        .values_list(
            "pk",
            "is_default",
            "service_point_id",
            "use_public_holidays",
            "name",
            "hours__weekday",
            "hours__start",
            "hours__end",
            "near__date",
            "near__kind",
        )
    )
    calendars: dict[int, dict] = {}
    for pk, is_default, point_id, public, name, weekday, begin, end, day, kind in rows:
        calendar = calendars.setdefault(
            pk,
            {
                "default": is_default,
                "point": point_id,
                "public": public,
                "name": name,
                "hours": set(),
                "days": set(),
            },
        )
        if weekday is not None:
            calendar["hours"].add((weekday, begin, end))
        if day is not None:
            calendar["days"].add((day, kind))
    built = {
        pk: WorkingTime.from_rows(
            hours=c["hours"],
            exceptions=c["days"],
            use_public_holidays=c["public"],
            time_zone=settings.TIME_ZONE,
            name=c["name"],
            calendar_id=pk,
        )
        for pk, c in calendars.items()
    }
    default = next((built[pk] for pk, c in calendars.items() if c["default"]), None)
    default = default or WorkingTime.standard(time_zone=settings.TIME_ZONE, name="standard")
    own = {c["point"]: built[pk] for pk, c in calendars.items() if c["point"]}
    return {point_id: own.get(point_id, default) for point_id in point_ids}


def point_days(point_ids: Iterable[int], day: date, *, fixed: bool) -> dict[int, PointDay]:
    """The service day of each point; `fixed` (a window was requested) keeps `day` even when off."""
    result = {}
    for point_id, working_time in point_working_times(point_ids, start=day).items():
        service_day = day if fixed else scoring.next_working_day(day, working_time.is_working_day)
        minutes = sum(scoring.window_minutes(period) for period in working_time.day_periods(service_day))
        result[point_id] = PointDay(requested=day, day=service_day, working_minutes=minutes)
    return result


def bookings(engineer_ids: Iterable[int], days: Iterable[date]) -> dict[tuple[int, date], list[Booking]]:
    """Booked appointments per (engineer, day), earliest first: one query."""
    engineer_ids, days = set(engineer_ids), set(days)
    if not engineer_ids or not days:
        return {}
    rows = (
        Appointment.objects.filter(engineer_id__in=engineer_ids, date__in=days, state=AppointmentState.BOOKED)
        .order_by("date", "window_start")
        .values_list("engineer_id", "date", "window_start", "window_end", "work_order__number")
    )
    result: dict[tuple[int, date], list[Booking]] = {}
    for engineer_id, day, start, end, number in rows:
        result.setdefault((engineer_id, day), []).append(Booking(day, (start, end), number))
    return result
