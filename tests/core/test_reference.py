"""Reference data kept in memory (core/reference.py, issue 9): read once, then no query; a saved
change, a change of many-to-many links and another process's change are seen on the next read;
writes without signals at the latest after REFERENCE_CACHE_SECONDS."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache

from aftersales.core.reference import ReferenceCache
from aftersales.field.suggestions import ROUTING_POINTS
from aftersales.sla.models import CalendarException, WorkingCalendar
from aftersales.sla.selectors import POLICIES, working_time_for
from tests import factories as f

pytestmark = pytest.mark.django_db

NATIONAL_DAY_WEEK = date(2026, 10, 9)  # a Friday, an ordinary working day


def point_codes() -> set[str]:
    return {facts.point.code for facts in ROUTING_POINTS.get()}


def test_read_once_then_from_memory(django_assert_num_queries):
    f.ServicePointFactory(code="R-1")
    with django_assert_num_queries(3):  # points, their product lines, their areas
        assert "R-1" in point_codes()
    with django_assert_num_queries(0):
        assert "R-1" in point_codes()


def test_r5_a_saved_point_and_its_product_lines_are_seen_at_once():
    point = f.ServicePointFactory(code="R-1")
    assert "R-1" in point_codes()
    f.ServicePointFactory(code="R-2")
    assert point_codes() >= {"R-1", "R-2"}
    line = f.ProductLineFactory()
    point.product_lines.add(line)  # m2m_changed
    assert next(x for x in ROUTING_POINTS.get() if x.point.code == "R-1").lines == {line.pk}
    point.is_active = False
    point.save()
    assert "R-1" not in point_codes()


def test_r34_a_new_holiday_is_seen_by_the_next_read():
    default = WorkingCalendar.objects.get(is_default=True)
    assert working_time_for().is_working_day(NATIONAL_DAY_WEEK)
    CalendarException.objects.create(calendar=default, date=NATIONAL_DAY_WEEK, kind="holiday")
    assert not working_time_for().is_working_day(NATIONAL_DAY_WEEK)


def test_r34_a_deactivated_policy_no_longer_applies():
    assert POLICIES.get()
    for policy in POLICIES.get():
        policy.is_active = False
        policy.save()
    assert POLICIES.get() == []


def test_another_process_change_is_seen_through_the_shared_version():
    """Another process bumps the version in the shared cache; this one reloads."""
    f.ServicePointFactory(code="R-1")
    assert "R-1" in point_codes()
    from aftersales.accounts.models import ServicePoint

    ServicePoint.objects.filter(code="R-1").update(code="R-9")  # no signal, as in another process
    assert "R-1" in point_codes()  # this process cannot know yet
    cache.incr(ROUTING_POINTS.key)  # what the other process's save did
    assert "R-9" in point_codes() and "R-1" not in point_codes()


def test_writes_without_signals_are_seen_after_the_time_limit(settings):
    f.ServicePointFactory(code="R-1")
    assert "R-1" in point_codes()
    from aftersales.accounts.models import ServicePoint

    ServicePoint.objects.filter(code="R-1").update(code="R-9")
    settings.REFERENCE_CACHE_SECONDS = 0
    assert "R-9" in point_codes()


def test_a_missing_version_is_a_version_too():
    """Evicted from the cache, or the cache cleared: the next read loads again, once."""
    loads = []
    reference = ReferenceCache("test.evicted", lambda: loads.append(1) or len(loads), depends_on=())
    assert reference.get() == 1 and reference.get() == 1
    reference.invalidate()
    assert reference.get() == 2
    cache.delete(reference.key)
    assert reference.get() == 3 and reference.get() == 3
