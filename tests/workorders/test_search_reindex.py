"""`manage.py search_reindex` (issue 12): rebuilds the search words of work orders, customers and
devices written without the services (bulk SQL, an upgrade), in batches, and can resume from an id."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from aftersales.workorders.models import WorkOrder, WorkOrderSearch
from aftersales.workorders.search import INDEX
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_reindex_rebuilds_every_work_orders_words_in_batches(db):
    orders = [f.WorkOrderFactory(fault_symptom=f"定影组件异响 第{i}台") for i in range(5)]
    WorkOrderSearch.objects.all().delete()  # as after rows written in bulk SQL
    assert not WorkOrder.objects.filter(INDEX.condition("定影")).exists()
    out = io.StringIO()
    call_command("search_reindex", index=["workorders"], batch=2, stdout=out)
    assert set(WorkOrder.objects.filter(INDEX.condition("定影"))) == set(orders)
    assert "workorders: 5 indexed" in out.getvalue()
    assert out.getvalue().count("workorders: ") == 4  # batches of 2, 2 and 1, then the total


def test_reindex_resumes_from_an_id(db):
    first, second = f.WorkOrderFactory(fault_symptom="空调漏水"), f.WorkOrderFactory(fault_symptom="空调漏水")
    WorkOrderSearch.objects.all().delete()
    call_command("search_reindex", index=["workorders"], from_id=second.pk, stdout=io.StringIO())
    assert list(WorkOrder.objects.filter(INDEX.condition("漏水"))) == [second]
    assert first.pk < second.pk
    with pytest.raises(CommandError):
        call_command("search_reindex", from_id=second.pk, stdout=io.StringIO())


def test_reindex_rebuilds_customers_and_devices_too(db):
    from aftersales.customers.models import Customer, CustomerSearch
    from aftersales.customers.search import INDEX as CUSTOMERS
    from aftersales.devices.models import DeviceSearch

    device = f.DeviceFactory(install_address="二号车间")
    CustomerSearch.objects.all().delete()
    DeviceSearch.objects.all().delete()
    call_command("search_reindex", stdout=io.StringIO())
    assert list(Customer.objects.filter(CUSTOMERS.condition(device.customer.name))) == [device.customer]
    assert DeviceSearch.objects.get(pk=device.pk).document.split().count("车间") == 1
