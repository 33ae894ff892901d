"""The demo's clock (core.demo): what people did in the demo lands in working hours, 08:30-18:00 in
Shanghai on Chinese working days (issue 12)."""

from __future__ import annotations

from datetime import date

from aftersales.core.demo import (
    is_working_day,
    last_working_moment,
    working_after,
    working_days_from,
    working_moment,
)
from tests.timeutil import at


def test_a_working_moment_stays_where_it_is():
    assert working_moment(at(2026, 11, 20, 10, 15)) == at(2026, 11, 20, 10, 15)


def test_an_evening_moves_to_the_next_working_morning_spread_by_its_overrun():
    # Friday 19:10 is 70 minutes after hours: Monday 08:30 + 70 minutes.
    assert working_moment(at(2026, 11, 20, 19, 10)) == at(2026, 11, 23, 9, 40)
    # Before opening: counted from the evening before (07:10 is 790 minutes after 18:00; 790 % 120 = 70).
    assert working_moment(at(2026, 11, 23, 7, 10)) == at(2026, 11, 23, 9, 40)


def test_days_off_and_holidays_move_to_the_next_working_day_and_make_up_days_count():
    assert working_moment(at(2026, 11, 22, 14, 0)) == at(2026, 11, 23, 14, 0)  # Sunday → Monday
    assert working_moment(at(2026, 10, 5, 11, 0)) == at(2026, 10, 8, 11, 0)  # National Day week
    assert is_working_day(date(2026, 10, 10))  # a Saturday worked (调休)
    assert not is_working_day(date(2026, 10, 1))


def test_never_after_the_limit_and_never_before_the_last_step():
    limit = at(2026, 11, 22, 21, 0)  # Sunday evening: the last working moment was Friday 18:00
    assert last_working_moment(limit) == at(2026, 11, 20, 18, 0)
    assert working_moment(at(2026, 11, 21, 10, 0), not_after=limit) == at(2026, 11, 20, 18, 0)
    step = at(2026, 11, 20, 17, 0)
    assert working_after(step, 3, not_after=limit) == at(2026, 11, 20, 18, 0)
    assert working_after(at(2026, 11, 20, 18, 0), 3, not_after=limit) == at(2026, 11, 20, 18, 0)


def test_working_days_from_a_day_off_start_on_the_next_working_day():
    assert working_days_from(date(2026, 11, 21), 3) == [
        date(2026, 11, 23),
        date(2026, 11, 24),
        date(2026, 11, 25),
    ]
    assert working_days_from(date(2026, 11, 20), 2) == [date(2026, 11, 20), date(2026, 11, 23)]
