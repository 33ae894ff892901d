"""R34: calendar rows are validated when written; one company default, no overlapping periods."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.core.exceptions import ValidationError

from aftersales.sla.models import WorkingCalendar
from aftersales.sla.services import calendar_exception_set, working_calendar_create, working_hours_set

from .. import factories as f

pytestmark = pytest.mark.django_db


def test_r34_overlapping_periods_are_refused():
    calendar = working_calendar_create(name="测试日历", service_point=f.ServicePointFactory())
    with pytest.raises(ValidationError):
        working_hours_set(calendar=calendar, weekday=0, periods=[(time(9), time(13)), (time(12), time(18))])
    assert not calendar.hours.exists()


def test_r34_reversed_period_is_refused_but_midnight_end_is_allowed():
    calendar = working_calendar_create(name="全天日历", service_point=f.ServicePointFactory())
    with pytest.raises(ValidationError):
        working_hours_set(calendar=calendar, weekday=0, periods=[(time(18), time(9))])
    rows = working_hours_set(calendar=calendar, weekday=0, periods=[(time(0), time(0))])
    assert len(rows) == 1


def test_r34_only_one_company_default():
    with pytest.raises(ValidationError):
        working_calendar_create(name="第二个默认", is_default=True)
    assert WorkingCalendar.objects.filter(is_default=True).count() == 1


def test_r34_default_calendar_cannot_belong_to_a_point():
    WorkingCalendar.objects.all().delete()
    with pytest.raises(ValidationError):
        working_calendar_create(name="默认", is_default=True, service_point=f.ServicePointFactory())


def test_r34_unknown_exception_kind_is_refused():
    calendar = WorkingCalendar.objects.get(is_default=True)
    with pytest.raises(ValueError):
        calendar_exception_set(calendar=calendar, day=date(2026, 3, 4), kind="vacation")
