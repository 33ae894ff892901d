"""`manage.py search_reindex` (issue 12): rebuilds the search words of work orders written without
the services (bulk SQL, an upgrade), in batches, and can resume from an id."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from aftersales.workorders.models import WorkOrder, WorkOrderSearch
from aftersales.workorders.search import INDEX
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_reindex_rebuilds_every_work_orders_words_in_batches(db):
    orders = [f.WorkOrderFactory(fault_symptom=f"定影组件异响 第{i}台") for i in range(5)]
    WorkOrderSearch.objects.all().delete()  # as after rows written in bulk SQL
    assert not WorkOrder.objects.filter(INDEX.condition("定影")).exists()
    out = io.StringIO()
    call_command("search_reindex", batch=2, stdout=out)
    assert set(WorkOrder.objects.filter(INDEX.condition("定影"))) == set(orders)
    assert "5 work orders indexed" in out.getvalue()
    assert out.getvalue().count("work orders (up to id") == 3  # batches of 2, 2 and 1


def test_reindex_resumes_from_an_id(db):
    first, second = f.WorkOrderFactory(fault_symptom="空调漏水"), f.WorkOrderFactory(fault_symptom="空调漏水")
    WorkOrderSearch.objects.all().delete()
    call_command("search_reindex", from_id=second.pk, stdout=io.StringIO())
    assert list(WorkOrder.objects.filter(INDEX.condition("漏水"))) == [second]
    assert first.pk < second.pk
