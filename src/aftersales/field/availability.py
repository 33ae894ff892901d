"""Availability of engineers for dispatch (R5, R12): the working calendar of each candidate
service point (a day off moves the visit to the next working day; the SLA app's calendars, read
through its selectors) and the visits already booked that day. Two queries whatever the number of
points and engineers: the calendars that apply (with their hours and exceptions), then the booked
appointments of the day(s)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from aftersales.sla.selectors import working_times_of_points

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


def point_days(point_ids: Iterable[int], day: date, *, fixed: bool) -> dict[int, PointDay]:
    """The service day of each point; `fixed` (a window was requested) keeps `day` even when off."""
    result = {}
    for point_id, working_time in working_times_of_points(point_ids).items():
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
