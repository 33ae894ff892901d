"""Availability of engineers for dispatch (R5, R12): the working calendar of each candidate
service point (a day off moves the visit to the next working day; the SLA app's calendars, read
through its selectors) and the visits already booked that day. Two queries whatever the number of
points and engineers: the calendars that apply (with their hours and exceptions), then the booked
appointments of the day(s)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import connection

from aftersales.sla.selectors import working_times_of_points
from aftersales.workorders.models import WorkOrder

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


# Booked appointments of some engineers on some days with their work order's number, in plain
# SQL (portable): read on every create by routing, where the ORM's form cost 1.5 ms of Python for
# a query of 0.1 ms (issue 9).
_BOOKINGS_SQL = """
SELECT a.engineer_id, a.date, a.window_start, a.window_end, w.number
FROM {appointment} a JOIN {work_order} w ON w.id = a.work_order_id
WHERE a.engineer_id IN ({engineers}) AND a.date IN ({days}) AND a.state = %s
ORDER BY a.date, a.window_start
"""


def bookings(engineer_ids: Iterable[int], days: Iterable[date]) -> dict[tuple[int, date], list[Booking]]:
    """Booked appointments per (engineer, day), earliest first: one query."""
    engineer_ids, days = sorted(set(engineer_ids)), sorted(set(days))
    if not engineer_ids or not days:
        return {}
    sql = _BOOKINGS_SQL.format(
        appointment=Appointment._meta.db_table,
        work_order=WorkOrder._meta.db_table,
        engineers=", ".join(["%s"] * len(engineer_ids)),
        days=", ".join(["%s"] * len(days)),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*engineer_ids, *days, AppointmentState.BOOKED])
        rows = cursor.fetchall()
    result: dict[tuple[int, date], list[Booking]] = {}
    date_field, time_field = Appointment._meta.get_field("date"), Appointment._meta.get_field("window_start")
    for engineer_id, day, start, end, number in rows:
        day = date_field.to_python(day)  # SQLite answers text
        start, end = time_field.to_python(start), time_field.to_python(end)
        result.setdefault((engineer_id, day), []).append(Booking(day, (start, end), number))
    return result
