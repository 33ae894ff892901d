"""Business-time arithmetic on a working calendar (R34), with no ORM in the hot path.

`WorkingTime` is a plain, immutable snapshot of one calendar; `selectors.working_time_for`
builds it from the database once and the SLA code then asks it questions as often as it likes.

Which days are worked, in this order of precedence:
1. a dated exception of the calendar (extra holiday / extra working day);
2. the Chinese public-holiday calendar (`chinese_calendar`), when the calendar follows it: a
   statutory holiday is a day off, a 调休 make-up day (usually a Saturday or Sunday) is worked;
3. otherwise the weekly hours: a weekday with working periods is worked.

A worked day with no periods of its own (a make-up Saturday, an extra working day on a Sunday)
uses the standard periods: those of the first weekday Monday-Friday that has any.

Outside the years `chinese_calendar` knows (it raises `NotImplementedError`; 1.11.0 knows
2004-2026) the official schedule an admin imported (`OfficialDay` rows, passed in as
`official_holidays` / `official_workdays`) takes its place; a year neither knows falls back to
weekends only: only exceptions and weekly hours apply. `holiday_source` says which of the three
a day's year uses.

All instants are aware datetimes; results are in the calendar's zone (Asia/Shanghai by
default). Durations are wall-clock durations in that zone, which is exact for zones without
daylight saving time such as China's.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

Period = tuple[time, time]  # local start, local end; an end of 00:00 means 24:00
Span = tuple[datetime, datetime]

DEFAULT_TIME_ZONE = "Asia/Shanghai"
STANDARD_PERIODS: tuple[Period, ...] = ((time(9), time(12)), (time(13), time(18)))
# A calendar with no working day in this many consecutive days is treated as broken.
MAX_IDLE_DAYS = 800

_PUBLIC_HOLIDAYS: frozenset[date] = frozenset(chinese_calendar.holidays)
_MAKEUP_WORKDAYS: frozenset[date] = frozenset(chinese_calendar.workdays)
_KNOWN_YEARS: frozenset[int] = frozenset(d.year for d in _PUBLIC_HOLIDAYS | _MAKEUP_WORKDAYS)
_ZERO = timedelta(0)
_ONE_DAY = timedelta(days=1)


# Where a year's public holidays come from (the values of `choices.HolidaySource`).
SOURCE_PACKAGE = "package"
SOURCE_IMPORTED = "imported"
SOURCE_WEEKENDS = "weekends"


def public_calendar_knows(day: date) -> bool:
    """True when `chinese_calendar` has the holidays of `day`'s year."""
    return day.year in _KNOWN_YEARS


def package_has_holidays(year: int) -> bool:
    """True when `chinese_calendar` lists a public holiday in `year`."""
    return year in _KNOWN_YEARS


def holiday_source(day: date, imported_years: frozenset[int] | set[int] = frozenset()) -> str:
    """R34: where the public holidays of `day`'s year come from: the package when it knows the
    year, else the imported official schedule when it has days of that year, else none at all
    (the weekends-only fallback)."""
    if day.year in _KNOWN_YEARS:
        return SOURCE_PACKAGE
    if day.year in imported_years:
        return SOURCE_IMPORTED
    return SOURCE_WEEKENDS


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")


@dataclass(frozen=True, eq=False)
class WorkingTime:
    """One calendar's working time: weekly periods, dated exceptions, public holidays on or off.

    `weekly[weekday]` holds the sorted, non-overlapping periods of that weekday (Monday = 0).
    """

    weekly: tuple[tuple[Period, ...], ...]
    extra_holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()
    official_holidays: frozenset[date] = frozenset()
    official_workdays: frozenset[date] = frozenset()
    use_public_holidays: bool = True
    time_zone: str = DEFAULT_TIME_ZONE
    name: str = ""
    calendar_id: int | None = None
    _tz: ZoneInfo = field(init=False, repr=False)
    _standard: tuple[Period, ...] = field(init=False, repr=False)
    _spans: dict[date, tuple[Span, ...]] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.weekly) != 7:
            raise ValueError("weekly needs 7 entries, Monday to Sunday")
        weekly = tuple(tuple(sorted(day)) for day in self.weekly)
        for periods in weekly:
            ends = [_end_as_time_max(end) for _, end in periods]
            for (start, _end), end in zip(periods, ends, strict=True):
                if end <= start:
                    raise ValueError(f"empty or reversed period {start}-{_end}")
            for (_s, _e), end, (next_start, _n) in zip(periods, ends, periods[1:], strict=False):
                if next_start < end:
                    raise ValueError("overlapping periods")
        object.__setattr__(self, "weekly", weekly)
        object.__setattr__(self, "_tz", ZoneInfo(self.time_zone))
        standard = next((weekly[wd] for wd in range(5) if weekly[wd]), ())
        object.__setattr__(self, "_standard", standard)

    # -- building -------------------------------------------------------------------------

    @classmethod
    def standard(cls, **kwargs) -> WorkingTime:
        """The built-in company standard: Monday-Friday 09:00-12:00 and 13:00-18:00."""
        return cls(weekly=(STANDARD_PERIODS,) * 5 + ((), ()), **kwargs)

    @classmethod
    def from_rows(
        cls,
        *,
        hours: Iterable[tuple[int, time, time]],
        exceptions: Iterable[tuple[date, str]] = (),
        **kwargs,
    ) -> WorkingTime:
        """Build from (weekday, start, end) rows and (date, "holiday" | "workday") rows."""
        weekly: list[list[Period]] = [[] for _ in range(7)]
        for weekday, start, end in hours:
            weekly[weekday].append((start, end))
        holidays = frozenset(day for day, kind in exceptions if kind == "holiday")
        workdays = frozenset(day for day, kind in exceptions if kind == "workday")
        return cls(
            weekly=tuple(tuple(day) for day in weekly),
            extra_holidays=holidays,
            extra_workdays=workdays,
            **kwargs,
        )

    # -- days -----------------------------------------------------------------------------

    @property
    def tz(self) -> ZoneInfo:
        return self._tz

    def day_periods(self, day: date) -> tuple[Period, ...]:
        """The local working periods of `day`; empty on a day off (rules in the module docstring)."""
        if day in self.extra_holidays:
            return ()
        if day in self.extra_workdays:
            return self.weekly[day.weekday()] or self._standard
        if self.use_public_holidays:
            if day.year in _KNOWN_YEARS:
                holidays, workdays = _PUBLIC_HOLIDAYS, _MAKEUP_WORKDAYS
            else:
                holidays, workdays = self.official_holidays, self.official_workdays
            if day in holidays:
                return ()
            if day in workdays:
                return self.weekly[day.weekday()] or self._standard
        return self.weekly[day.weekday()]

    def holiday_source(self, day: date) -> str:
        """R34: where this calendar takes the public holidays of `day`'s year from (see the
        module's `holiday_source`); a calendar that does not follow them uses weekends only."""
        if not self.use_public_holidays:
            return SOURCE_WEEKENDS
        years = {d.year for d in self.official_holidays | self.official_workdays}
        return holiday_source(day, years)

    def is_working_day(self, day: date) -> bool:
        """True when `day` has working time (rules in the module docstring)."""
        return bool(self.day_periods(day))

    def spans(self, day: date) -> tuple[Span, ...]:
        """The working periods of `day` as aware datetimes in the calendar's zone (cached)."""
        cached = self._spans.get(day)
        if cached is None:
            tz = self._tz
            next_day = day + _ONE_DAY
            cached = tuple(
                (
                    datetime.combine(day, start, tzinfo=tz),
                    datetime.combine(next_day if end == time(0) else day, end, tzinfo=tz),
                )
                for start, end in self.day_periods(day)
            )
            self._spans[day] = cached
        return cached

    def _days_from(self, day: date) -> Iterator[tuple[date, tuple[Span, ...]]]:
        """Days from `day` onwards with their spans; raises if no working day comes for too long."""
        idle = 0
        while True:
            spans = self.spans(day)
            if spans:
                idle = 0
            else:
                idle += 1
                if idle > MAX_IDLE_DAYS:
                    raise ValueError(f"calendar {self.name!r} has no working time after {day}")
            yield day, spans
            day += _ONE_DAY

    # -- instants -------------------------------------------------------------------------

    def is_working_time(self, moment: datetime) -> bool:
        """True when `moment` lies inside a working period (start inclusive, end exclusive)."""
        _require_aware(moment, "moment")
        local = moment.astimezone(self._tz)
        return any(start <= local < end for start, end in self.spans(local.date()))

    def next_working_moment(self, moment: datetime) -> datetime:
        """`moment` itself when it is working time, else the start of the next working period."""
        _require_aware(moment, "moment")
        local = moment.astimezone(self._tz)
        for _day, spans in self._days_from(local.date()):
            for start, end in spans:
                if local < end:
                    return max(start, local)
        raise AssertionError("unreachable")  # pragma: no cover

    def add_business_time(self, start: datetime, duration: timedelta) -> datetime:
        """The earliest instant at which `duration` of working time has passed since `start`.

        A zero duration returns `start` unchanged. A positive one skips non-working time
        (nights, lunch breaks, weekends, holidays) and may end exactly at a period's end (a
        budget that runs out at 18:00 is due at 18:00, not at 09:00 the next working day).
        """
        _require_aware(start, "start")
        if duration < _ZERO:
            raise ValueError("duration must not be negative")
        local = start.astimezone(self._tz)
        if duration == _ZERO:
            return local
        remaining = duration
        for _day, spans in self._days_from(local.date()):
            for period_start, period_end in spans:
                if period_end <= local:
                    continue
                begin = max(period_start, local)
                available = period_end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        raise AssertionError("unreachable")  # pragma: no cover

    def business_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time in [start, end); zero when `end` is not after `start`."""
        _require_aware(start, "start")
        _require_aware(end, "end")
        if end <= start:
            return _ZERO
        local_start = start.astimezone(self._tz)
        local_end = end.astimezone(self._tz)
        total = _ZERO
        # A period ending at midnight belongs to the previous day: start one day early.
        day = local_start.date() - _ONE_DAY
        last = local_end.date()
        while day <= last:
            for period_start, period_end in self.spans(day):
                begin = max(period_start, local_start)
                finish = min(period_end, local_end)
                if finish > begin:
                    total += finish - begin
            day += _ONE_DAY
        return total

    def add_business_days(self, start: datetime, days: int) -> datetime:
        """The same clock time `days` working days later.

        `start` first moves to the next working moment (a request at 20:00 on Friday counts
        from 09:00 on the next working day). The result is that clock time on the `days`-th
        following working day, moved forward to the next period start when the time falls
        in a break, or back to the day's last period end when it is after closing (so the
        answer is never later than that working day). Zero days return `start` unchanged.
        """
        _require_aware(start, "start")
        if days < 0:
            raise ValueError("days must not be negative")
        if days == 0:
            return start.astimezone(self._tz)
        anchor = self.next_working_moment(start)
        clock = anchor.timetz()
        counted = 0
        for day, spans in self._days_from(anchor.date() + _ONE_DAY):
            if not spans:
                continue
            counted += 1
            if counted < days:
                continue
            target = datetime.combine(day, clock.replace(tzinfo=None), tzinfo=self._tz)
            for period_start, period_end in spans:
                if target < period_end:
                    return max(period_start, target)
            return spans[-1][1]
        raise AssertionError("unreachable")  # pragma: no cover


def _end_as_time_max(end: time) -> time:
    return time.max if end == time(0) else end
