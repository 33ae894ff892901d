"""R34: business-time arithmetic on the Chinese working calendar, exact across the 2026 Spring
Festival and National Day (holidays and 调休 make-up days), lunch breaks and midnight."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.sla.calendar import WorkingTime, public_calendar_knows

TZ = ZoneInfo("Asia/Shanghai")
H = timedelta(hours=1)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


@pytest.fixture
def standard() -> WorkingTime:
    return WorkingTime.standard()


def test_r34_what_chinese_calendar_says_about_2026():
    """The facts the tests below rely on, checked against the installed package."""
    assert public_calendar_knows(date(2026, 1, 1))
    spring = [date(2026, 2, 15) + timedelta(days=n) for n in range(9)]  # 02-15 .. 02-23
    assert not any(chinese_calendar.is_workday(d) for d in spring)
    assert chinese_calendar.is_workday(date(2026, 2, 14))  # Saturday make-up day
    assert chinese_calendar.is_workday(date(2026, 2, 28))  # Saturday make-up day
    national = [date(2026, 10, 1) + timedelta(days=n) for n in range(7)]  # 10-01 .. 10-07
    assert not any(chinese_calendar.is_workday(d) for d in national)
    assert chinese_calendar.is_workday(date(2026, 10, 10))  # Saturday make-up day
    assert chinese_calendar.is_workday(date(2026, 1, 4))  # Sunday make-up day (New Year)


def test_r34_working_days_follow_holidays_and_makeup_days(standard):
    assert standard.is_working_day(date(2026, 2, 13))  # Friday
    assert standard.is_working_day(date(2026, 2, 14))  # make-up Saturday
    assert not standard.is_working_day(date(2026, 2, 16))  # Spring Festival Monday
    assert not standard.is_working_day(date(2026, 10, 1))
    assert standard.is_working_day(date(2026, 10, 10))
    assert not standard.is_working_day(date(2026, 10, 11))  # ordinary Sunday
    assert standard.is_working_day(date(2026, 1, 4))  # make-up Sunday


def test_r34_makeup_day_uses_the_standard_weekday_periods(standard):
    spans = standard.spans(date(2026, 10, 10))
    assert spans == (
        (at(2026, 10, 10, 9), at(2026, 10, 10, 12)),
        (at(2026, 10, 10, 13), at(2026, 10, 10, 18)),
    )


def test_r34_24_business_hours_from_friday_before_spring_festival(standard):
    # Fri 02-13 15:00: 3 h that day, 8 h on make-up Saturday 02-14, holidays 02-15..02-23,
    # 8 h on Tue 02-24, then 09-12 and 13-15 on Wed 02-25.
    assert standard.add_business_time(at(2026, 2, 13, 15), 24 * H) == at(2026, 2, 25, 15)


def test_r34_24_business_hours_before_national_day(standard):
    # Wed 09-30 15:00: 3 h, holidays 10-01..10-07, Thu 10-08 8 h, Fri 10-09 8 h, make-up Sat 10-10 5 h.
    assert standard.add_business_time(at(2026, 9, 30, 15), 24 * H) == at(2026, 10, 10, 15)


def test_r34_what_chinese_calendar_says_about_september_2026():
    """Verified, not assumed: Mid-Autumn Festival is Fri 09-25..Sun 09-27 and Sunday 09-20 is a
    make-up working day for National Day."""
    assert not chinese_calendar.is_workday(date(2026, 9, 25))
    assert chinese_calendar.is_workday(date(2026, 9, 20))
    assert not chinese_calendar.is_workday(date(2026, 9, 19))  # ordinary Saturday


def test_r34_24_business_hours_over_a_makeup_working_sunday(standard):
    # Fri 09-18 15:00: 3 h, Sat 09-19 off, make-up Sun 09-20 8 h, Mon 09-21 8 h, Tue 09-22 5 h.
    assert standard.add_business_time(at(2026, 9, 18, 15), 24 * H) == at(2026, 9, 22, 15)


def test_r34_24_business_hours_over_mid_autumn_festival(standard):
    # Thu 09-24 15:00: 3 h, Mid-Autumn 09-25..09-27 off, Mon 8 h, Tue 8 h, Wed 09-30 5 h.
    assert standard.add_business_time(at(2026, 9, 24, 15), 24 * H) == at(2026, 9, 30, 15)


def test_r34_lunch_break_is_skipped(standard):
    assert standard.add_business_time(at(2026, 3, 2, 11), 2 * H) == at(2026, 3, 2, 14)
    assert standard.add_business_time(at(2026, 3, 2, 12, 30), H) == at(2026, 3, 2, 14)
    assert standard.business_time_between(at(2026, 3, 2, 11), at(2026, 3, 2, 14)) == 2 * H


def test_r34_budget_ending_at_closing_time_is_due_at_closing(standard):
    assert standard.add_business_time(at(2026, 3, 2, 9), 8 * H) == at(2026, 3, 2, 18)


def test_r34_midnight_and_night_are_not_counted(standard):
    # Tue 17:00 + 2 h -> 1 h Tuesday, 1 h Wednesday morning.
    assert standard.add_business_time(at(2026, 3, 3, 17), 2 * H) == at(2026, 3, 4, 10)
    # Starting in the night counts from 09:00.
    assert standard.add_business_time(at(2026, 3, 3, 23, 30), H) == at(2026, 3, 4, 10)
    assert standard.business_time_between(at(2026, 3, 3, 17), at(2026, 3, 4, 10)) == 2 * H


def test_r34_round_the_clock_calendar_crosses_midnight():
    always = WorkingTime(weekly=(((time(0), time(0)),),) * 7, use_public_holidays=False)
    assert always.add_business_time(at(2026, 3, 3, 23), 2 * H) == at(2026, 3, 4, 1)
    assert always.business_time_between(at(2026, 3, 3, 23), at(2026, 3, 5, 1)) == 26 * H


def test_r34_other_time_zones_in_same_instant_out(standard):
    utc = ZoneInfo("UTC")
    start = datetime(2026, 3, 2, 1, tzinfo=utc)  # 09:00 in Shanghai
    result = standard.add_business_time(start, 3 * H)
    assert result == at(2026, 3, 2, 12)
    assert result.tzinfo == TZ


def test_r34_naive_datetimes_and_negative_durations_are_refused(standard):
    with pytest.raises(ValueError):
        standard.add_business_time(datetime(2026, 3, 2, 9), H)
    with pytest.raises(ValueError):
        standard.add_business_time(at(2026, 3, 2, 9), -H)


def test_r34_business_time_between_across_national_day(standard):
    # Wed 09-30 09:00 to Fri 10-09 18:00: 8 h + holidays + 8 h + 8 h.
    assert standard.business_time_between(at(2026, 9, 30, 9), at(2026, 10, 9, 18)) == 24 * H
    assert standard.business_time_between(at(2026, 10, 9, 18), at(2026, 9, 30, 9)) == timedelta(0)


def test_r34_business_time_between_across_spring_festival(standard):
    # Fri 02-13 09:00 .. Tue 02-24 12:00: 8 (Fri) + 8 (make-up Sat) + 3 (Tue morning).
    assert standard.business_time_between(at(2026, 2, 13, 9), at(2026, 2, 24, 12)) == 19 * H


def test_r34_add_business_days_skips_holidays(standard):
    assert standard.add_business_days(at(2026, 9, 30, 10), 1) == at(2026, 10, 8, 10)
    assert standard.add_business_days(at(2026, 9, 30, 10), 3) == at(2026, 10, 10, 10)  # make-up Saturday
    assert standard.add_business_days(at(2026, 2, 13, 15), 2) == at(2026, 2, 24, 15)
    # Received on Friday night: counts from Monday 09:00.
    assert standard.add_business_days(at(2026, 3, 6, 20), 1) == at(2026, 3, 10, 9)
    assert standard.add_business_days(at(2026, 3, 6, 20), 0) == at(2026, 3, 6, 20)


def test_r34_extra_holiday_and_extra_working_day_win():
    calendar = WorkingTime.from_rows(
        hours=[(wd, time(9), time(12)) for wd in range(5)] + [(wd, time(13), time(18)) for wd in range(5)],
        exceptions=[(date(2026, 3, 4), "holiday"), (date(2026, 10, 3), "workday")],
    )
    assert not calendar.is_working_day(date(2026, 3, 4))
    assert calendar.is_working_day(date(2026, 10, 3))  # a National Day holiday opened by the point
    # Tue 03-03 17:00 + 2 h: 1 h Tuesday, Wednesday closed, 1 h Thursday.
    assert calendar.add_business_time(at(2026, 3, 3, 17), 2 * H) == at(2026, 3, 5, 10)
    # Wed 09-30 17:00 + 2 h: 1 h Wednesday, 10-01/02 closed, 1 h on Saturday 10-03.
    assert calendar.add_business_time(at(2026, 9, 30, 17), 2 * H) == at(2026, 10, 3, 10)


def test_r34_saturday_hours_of_a_point_apply_on_ordinary_saturdays_only():
    calendar = WorkingTime.from_rows(
        hours=[(wd, time(9), time(18)) for wd in range(5)] + [(5, time(9), time(12))],
    )
    assert calendar.spans(date(2026, 3, 7)) == ((at(2026, 3, 7, 9), at(2026, 3, 7, 12)),)
    assert calendar.spans(date(2026, 10, 3)) == ()  # National Day Saturday
    assert calendar.spans(date(2026, 10, 11)) == ()  # Sunday


def test_r34_unknown_years_fall_back_to_weekday_rules(standard):
    assert not public_calendar_knows(date(2031, 10, 1))
    assert standard.is_working_day(date(2031, 10, 1))  # a Wednesday: no holiday data for 2031
    assert not standard.is_working_day(date(2031, 10, 4))  # Saturday


def test_r34_calendar_without_working_time_is_an_error():
    idle = WorkingTime(weekly=((),) * 7, use_public_holidays=False)
    with pytest.raises(ValueError, match="no working time"):
        idle.add_business_time(at(2026, 3, 2, 9), H)


def test_r34_repeated_72_hour_additions_complete(standard):
    """Not timed; proves the hot path carries no hidden per-call cost (10,000 x 72 h)."""
    start = at(2026, 1, 1)
    result = start
    for n in range(10_000):
        result = standard.add_business_time(start + timedelta(minutes=37 * n), 72 * H)
    assert result > start


# -- properties ----------------------------------------------------------------------------

STANDARD = WorkingTime.standard()
POINT = WorkingTime.from_rows(  # a point open Saturday mornings and late on Fridays, with exceptions
    hours=[(wd, time(8, 30), time(12)) for wd in range(6)]
    + [(wd, time(13, 30), time(17, 30)) for wd in range(4)]
    + [(4, time(13, 30), time(0))],
    exceptions=[
        (date(2026, 10, 2), "workday"),
        (date(2026, 3, 4), "holiday"),
        (date(2026, 2, 22), "workday"),
    ],
)
calendars = st.sampled_from([STANDARD, POINT])
starts = st.datetimes(
    min_value=datetime(2025, 12, 1), max_value=datetime(2026, 12, 31), timezones=st.just(TZ)
)
durations = st.integers(min_value=0, max_value=200 * 60).map(lambda m: timedelta(minutes=m))


@settings(max_examples=200, deadline=None)
@given(working=calendars, start=starts, duration=durations)
def test_r34_round_trip_adding_then_measuring_gives_back_the_duration(working, start, duration):
    end = working.add_business_time(start, duration)
    assert end >= start
    assert working.business_time_between(start, end) == duration


@settings(max_examples=200, deadline=None)
@given(working=calendars, a=starts, b=starts, duration=durations)
def test_r34_later_start_is_never_due_earlier(working, a, b, duration):
    early, late = sorted([a, b])
    assert working.add_business_time(early, duration) <= working.add_business_time(late, duration)


@settings(max_examples=200, deadline=None)
@given(working=calendars, start=starts, d1=durations, d2=durations)
def test_r34_longer_budget_is_never_due_earlier(working, start, d1, d2):
    short, long = sorted([d1, d2])
    assert working.add_business_time(start, short) <= working.add_business_time(start, long)


@settings(max_examples=100, deadline=None)
@given(start=starts, end=starts)
def test_r34_business_time_never_exceeds_elapsed_time(start, end):
    measured = STANDARD.business_time_between(start, end)
    assert timedelta(0) <= measured <= max(end - start, timedelta(0))
