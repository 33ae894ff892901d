"""What the demo seeders of every app share (`manage.py demo_seed`): the simulated clock the services
run under, and moments placed in working hours (08:30-18:00 in Asia/Shanghai on Chinese working
days), so that what people did in the demo happened when people work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from unittest import mock

import chinese_calendar
from django.utils import timezone

WORKDAY_START = time(8, 30)
WORKDAY_END = time(18, 0)
# A moment after hours moves to the next working morning, spread over its first two hours by the
# minutes it overran, so that the evening's work does not all start at 08:30 sharp.
MORNING_SPREAD_MINUTES = 120
_PUBLIC_HOLIDAYS: frozenset[date] = frozenset(chinese_calendar.holidays)
_MAKEUP_WORKDAYS: frozenset[date] = frozenset(chinese_calendar.workdays)


@contextmanager
def simulated_clock(moment: datetime) -> Iterator[None]:
    """Make `timezone.now()` return `moment` while the services run (timestamps in the past)."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def is_working_day(day: date) -> bool:
    """Monday to Friday, except public holidays, plus the make-up working days (调休)."""
    if day in _MAKEUP_WORKDAYS:
        return True
    return day.weekday() < 5 and day not in _PUBLIC_HOLIDAYS


def is_working_moment(moment: datetime) -> bool:
    local = timezone.localtime(moment)
    return is_working_day(local.date()) and WORKDAY_START <= local.time() <= WORKDAY_END


def _at(day: date, clock: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock))


def _next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def previous_working_day(day: date) -> date:
    day -= timedelta(days=1)
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def working_moment(moment: datetime, *, not_after: datetime | None = None) -> datetime:
    """`moment` when it is in working hours, else the next working morning (spread by how far it
    overran, MORNING_SPREAD_MINUTES). When that passes `not_after`, the last working moment before
    `not_after` instead (which may be earlier than `moment`: callers keeping an order compare)."""
    local = timezone.localtime(moment)
    day = local.date()
    if is_working_day(day) and WORKDAY_START <= local.time() <= WORKDAY_END:
        placed = local
    else:
        if local.time() > WORKDAY_END:
            overrun = local - _at(day, WORKDAY_END)
        elif local.time() < WORKDAY_START:
            overrun = local - _at(day - timedelta(days=1), WORKDAY_END)
        else:  # working hours of a day off: the same time of the next working day
            overrun = None
        if local.time() > WORKDAY_END or not is_working_day(day):
            day = _next_working_day(day)
        if overrun is None:
            placed = _at(day, local.time())
        else:
            spread = overrun.total_seconds() // 60 % MORNING_SPREAD_MINUTES
            placed = _at(day, WORKDAY_START) + timedelta(minutes=spread)
    if not_after is not None and placed > not_after:
        return last_working_moment(not_after)
    return placed


def working_after(moment: datetime, hours: float, *, not_after: datetime) -> datetime:
    """The next step of a story: a working moment about `hours` after `moment`, never after
    `not_after` nor before `moment` (so the steps stay in order)."""
    return max(working_moment(moment + timedelta(hours=hours), not_after=not_after), moment)


def last_working_moment(limit: datetime) -> datetime:
    """The latest moment in working hours not after `limit`."""
    local = timezone.localtime(limit)
    day = local.date()
    if is_working_day(day) and WORKDAY_START <= local.time() <= WORKDAY_END:
        return local
    if not (is_working_day(day) and local.time() > WORKDAY_END):
        day = previous_working_day(day)
    return _at(day, WORKDAY_END)


def working_days_from(day: date, count: int) -> list[date]:
    """`count` working days from `day` (itself included when it is one)."""
    days = [day] if is_working_day(day) else []
    while len(days) < count:
        day = _next_working_day(day)
        days.append(day)
    return days[:count]
