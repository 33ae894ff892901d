"""R34: which working calendar a service point's clocks count on, loaded once from the database."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from aftersales.sla.choices import ExceptionKind
from aftersales.sla.models import WorkingCalendar
from aftersales.sla.selectors import (
    working_time_for,
    working_time_of,
    working_time_resolver,
    working_times_of_points,
)
from aftersales.sla.services import calendar_exception_set, working_calendar_create

from .. import factories as f

TZ = ZoneInfo("Asia/Shanghai")
H = timedelta(hours=1)
STANDARD_DAY = {wd: [(time(9), time(12)), (time(13), time(18))] for wd in range(5)}

pytestmark = pytest.mark.django_db


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def test_r34_data_migration_creates_the_company_standard_calendar():
    calendar = WorkingCalendar.objects.get(is_default=True)
    assert calendar.name == "公司标准日历"
    assert calendar.service_point is None
    rows = list(calendar.hours.values_list("weekday", "start", "end"))
    assert rows == [(wd, s, e) for wd in range(5) for s, e in STANDARD_DAY[wd]]


def test_r34_default_calendar_counts_across_national_day(django_assert_num_queries):
    with django_assert_num_queries(4):  # the calendars, their hours, their exceptions, official days
        working_time_for()
    with django_assert_num_queries(0):  # then from memory (core/reference.py)
        working = working_time_for()
    assert working.name == "公司标准日历"
    assert working.add_business_time(at(2026, 9, 30, 15), 24 * H) == at(2026, 10, 10, 15)


def test_r34_point_without_calendar_uses_the_default():
    point = f.ServicePointFactory()
    assert working_time_for(point).calendar_id == WorkingCalendar.objects.get(is_default=True).pk


def test_r34_point_extra_holiday_and_extra_working_day():
    point = f.ServicePointFactory()
    other = f.ServicePointFactory()
    calendar = working_calendar_create(name="杭州网点日历", service_point=point, weekly_hours=STANDARD_DAY)
    calendar_exception_set(calendar=calendar, day=date(2026, 3, 4), kind=ExceptionKind.HOLIDAY, note="盘点")
    calendar_exception_set(
        calendar=calendar, day=date(2026, 10, 3), kind=ExceptionKind.WORKDAY, note="国庆值班"
    )

    own = working_time_for(point)
    assert own.name == "杭州网点日历"
    assert own.add_business_time(at(2026, 3, 3, 17), 2 * H) == at(2026, 3, 5, 10)
    assert own.add_business_time(at(2026, 9, 30, 17), 2 * H) == at(2026, 10, 3, 10)
    assert own.business_time_between(at(2026, 9, 30, 9), at(2026, 10, 8, 18)) == 24 * H

    default = working_time_for(other)
    assert default.add_business_time(at(2026, 3, 3, 17), 2 * H) == at(2026, 3, 4, 10)
    assert default.add_business_time(at(2026, 9, 30, 17), 2 * H) == at(2026, 10, 8, 10)


def test_r34_an_exception_can_be_changed_from_holiday_to_working_day():
    calendar = WorkingCalendar.objects.get(is_default=True)
    calendar_exception_set(calendar=calendar, day=date(2026, 3, 4), kind=ExceptionKind.HOLIDAY)
    assert not working_time_for().is_working_day(date(2026, 3, 4))
    calendar_exception_set(calendar=calendar, day=date(2026, 3, 4), kind=ExceptionKind.WORKDAY)
    assert working_time_for().is_working_day(date(2026, 3, 4))
    assert calendar.exceptions.count() == 1


def test_r34_builtin_standard_when_no_calendar_exists():
    WorkingCalendar.objects.all().delete()
    working = working_time_for()
    assert working.calendar_id is None
    assert working.add_business_time(at(2026, 2, 13, 15), 24 * H) == at(2026, 2, 25, 15)


def test_r34_resolver_builds_each_calendar_once(django_assert_max_num_queries):
    points = [f.ServicePointFactory() for _ in range(3)]
    working_calendar_create(name="夜班网点", service_point=points[0], weekly_hours=STANDARD_DAY)
    with django_assert_max_num_queries(1 + 3 + 3):
        resolve = working_time_resolver()
        results = [resolve(point) for point in points * 5] + [resolve(None)]
    assert {r.name for r in results[0:15:3]} == {"夜班网点"}
    assert {r.name for r in results if r is not results[0]} == {"公司标准日历"}
    assert results[1] is results[2] is results[-1]
    assert results[0] is results[3]


def test_r34_breached_clocks_of_a_work_order_for_other_apps():
    """What complaints' difficult-case criteria need (R27), without reading the clock model:
    late, marked breached, running past due, or paused after the due time."""
    from django.db.models import Exists, OuterRef

    from aftersales.sla.choices import MilestoneKind
    from aftersales.sla.models import SlaClock
    from aftersales.sla.selectors import breached_clocks_of
    from aftersales.workorders.models import WorkOrder

    now = at(2026, 11, 4, 12)

    def clock_of(**fields):
        work_order = f.WorkOrderFactory()
        values = dict(target=H, started_at=now - 2 * H, due_at=now - H, business_time=False)
        values.update(fields)
        SlaClock.objects.create(work_order=work_order, kind=MilestoneKind.FIRST_RESPONSE, **values)
        return work_order

    on_time = clock_of(due_at=now + H)
    met = clock_of(stopped_at=now - 2 * H, met=True)
    late = clock_of(stopped_at=now, met=False)
    running_late = clock_of()
    paused_late = clock_of(paused_at=now - H / 2)
    paused_in_time = clock_of(paused_at=now - 3 * H / 2)

    breached = set(
        WorkOrder.objects.filter(Exists(breached_clocks_of(OuterRef("pk"), at=now))).values_list(
            "pk", flat=True
        )
    )

    assert breached == {late.pk, running_late.pk, paused_late.pk}
    assert not {on_time.pk, met.pk, paused_in_time.pk} & breached
    assert breached_clocks_of(late.pk, at=now).count() == 1


def test_r34_working_time_of_a_work_order_for_other_apps():
    """Complaints' response due time (R26) counts on the work order's point's calendar, else the
    company default; without a work order (a hotline complaint) on the default."""
    point = f.ServicePointFactory()
    working_calendar_create(name="杭州网点日历", service_point=point, weekly_hours=STANDARD_DAY)
    assert working_time_of(f.WorkOrderFactory(service_point=point)).name == "杭州网点日历"
    assert working_time_of(f.WorkOrderFactory(service_point=None)).name == "公司标准日历"
    assert working_time_of(None).name == "公司标准日历"


def test_r34_working_times_of_many_points_from_memory_for_dispatch(django_assert_num_queries):
    """Field's dispatch availability (R5, R12) reads every point's calendar from memory: read
    once (3 queries), then none until a calendar changes."""
    own, other = f.ServicePointFactory(), f.ServicePointFactory()
    calendar = working_calendar_create(name="杭州网点日历", service_point=own, weekly_hours=STANDARD_DAY)
    calendar_exception_set(calendar=calendar, day=date(2026, 3, 4), kind=ExceptionKind.HOLIDAY)
    calendar_exception_set(calendar=calendar, day=date(2026, 6, 4), kind=ExceptionKind.HOLIDAY)

    with django_assert_num_queries(4):
        working_times_of_points([own.pk])
    with django_assert_num_queries(0):
        times = working_times_of_points([own.pk, other.pk])

    assert times[own.pk].name == "杭州网点日历" and times[other.pk].name == "公司标准日历"
    assert not times[own.pk].is_working_day(date(2026, 3, 4))
    assert not times[own.pk].is_working_day(date(2026, 6, 4))
    assert times[other.pk].is_working_day(date(2026, 3, 4))
    assert working_times_of_points([]) == {}
