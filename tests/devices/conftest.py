"""A contracts world (R35): a printer model with 12 months of warranty, a device bought on
2024-04-01 (its warranty ended on 2025-03-31), a work order on it, a clerk who sells contracts and
an engineer who does not."""

from __future__ import annotations

from datetime import date

import pytest

from aftersales.accounts.choices import Role
from aftersales.devices.services import contract_activate, contract_create
from aftersales.workorders.choices import State

from .. import factories as f
from ..timeutil import at, frozen

BOUGHT = date(2024, 4, 1)
# Every test of this package runs on this day unless it moves the clock itself: no test depends
# on the machine's date.
TODAY = at(2026, 6, 1, 10, 0)


@pytest.fixture(autouse=True)
def _today():
    with frozen(TODAY):
        yield


@pytest.fixture
def model(db):
    line = f.ProductLineFactory(code="PRN", name="打印机")
    return f.ProductModelFactory(product_line=line, warranty_months=12)


@pytest.fixture
def customer(db):
    return f.CustomerFactory()


@pytest.fixture
def device(model, customer):
    return f.DeviceFactory(product_model=model, customer=customer, purchase_date=BOUGHT)


@pytest.fixture
def seller(make_user):
    return make_user(Role.CLERK, username="seller")


@pytest.fixture
def engineer_user(make_user):
    return make_user(Role.ENGINEER, username="eng_user")


@pytest.fixture
def order(device):
    point = f.ServicePointFactory()
    engineer = f.EngineerFactory(service_point=point, user__username="eng")
    return f.WorkOrderFactory(
        state=State.IN_SERVICE,
        customer=device.customer,
        device=device,
        product_model=device.product_model,
        service_point=point,
        engineer=engineer,
    )


@pytest.fixture
def sell(seller, device):
    """Sell (and by default activate) a contract on the device through the services."""

    def make(*, activate: bool = True, devices=None, **fields):
        fields.setdefault("kind", "extended_warranty")
        fields.setdefault("starts_on", date(2026, 1, 1))
        fields.setdefault("ends_on", date(2027, 3, 31))
        fields.setdefault("price", "1280.00")
        contract = contract_create(
            customer=device.customer, devices=devices or [device], actor=seller, **fields
        )
        if activate:
            contract = contract_activate(contract_id=contract.pk, actor=seller)
        return contract

    return make
