"""R13 (warranty check of a repair; R36 refines it): in or out of warranty from the purchase date
and the product's warranty months, or a clear "unknown"."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from aftersales.devices.entitlement import months_after
from aftersales.servicing import warranty
from aftersales.servicing.choices import WarrantyState
from aftersales.servicing.warranty import WarrantyStatus, warranty_check

from .. import factories as f

pytestmark = pytest.mark.django_db


def test_r13_in_warranty_until_the_day_before_the_anniversary(order, device):
    device.purchase_date = date(2026, 3, 1)
    device.save()
    assert warranty_check(order, day=date(2027, 2, 28)).state == WarrantyState.IN
    status = warranty_check(order, day=date(2027, 3, 1))
    assert status.state == WarrantyState.OUT and status.until == date(2027, 2, 28)
    assert "2026-03-01" in status.reason and "12" in status.reason


def test_r13_warranty_unknown_without_purchase_date_or_model(make_order, device):
    device.purchase_date = None
    device.save()
    status = warranty_check(make_order(purchase_date=None))
    assert status.state == WarrantyState.UNKNOWN and status.label == "Warranty unknown" and status.reason
    no_model = make_order(device=None, product_model=None, purchase_date=date(2026, 1, 1))
    assert warranty_check(no_model).state == WarrantyState.UNKNOWN


def test_r13_the_intake_purchase_date_counts_when_the_device_has_none(make_order, device, model):
    device.purchase_date = None
    device.save()
    order = make_order(purchase_date=date.today() - timedelta(days=30))
    assert warranty_check(order).is_in
    loose = make_order(device=None, product_model=model, purchase_date=date.today() - timedelta(days=400))
    assert warranty_check(loose).state == WarrantyState.OUT


def test_r13_months_after_keeps_the_day_or_takes_the_months_last():
    assert months_after(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert months_after(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert months_after(date(2026, 11, 15), 14) == date(2028, 1, 15)


def test_r13_a_registered_check_answers_first(order):
    contract = WarrantyStatus(WarrantyState.IN, reason="延保合同")
    check = warranty.register_warranty_check(lambda work_order, *, day: contract)
    try:
        assert warranty_check(order) is contract
    finally:
        warranty.warranty_checks.remove(check)
    assert warranty_check(order).reason != "延保合同"


def test_r13_product_warranty_months_come_from_the_model(make_order, line):
    short = f.ProductModelFactory(product_line=line, warranty_months=3)
    device = f.DeviceFactory(product_model=short, purchase_date=date.today() - timedelta(days=100))
    assert (
        warranty_check(make_order(device=device, customer=device.customer, product_model=short)).state
        == "out"
    )
