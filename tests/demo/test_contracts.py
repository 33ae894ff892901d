"""The demo seed sells service contracts through the services (R35): an extended warranty on a
device whose warranty has ended (its work orders are paid by the contract), a maintenance
contract whose plan generated its first maintenance work orders, a reminded bundle, a draft and a
cancelled one."""

from __future__ import annotations

import pytest

from aftersales.devices.choices import ContractKind, ContractState, Payer
from aftersales.devices.entitlement import entitlement_for
from aftersales.devices.models import ServiceContract
from aftersales.servicing.models import MaintenanceOccurrence
from aftersales.workorders.choices import WorkOrderType
from aftersales.workorders.models import WorkOrder

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]


def test_r35_demo_seed_has_contracts_in_their_states_and_maintenance_work_orders(demo):
    states = set(ServiceContract.objects.values_list("state", flat=True))
    assert {ContractState.DRAFT, ContractState.ACTIVE, ContractState.CANCELLED} <= states
    extended = ServiceContract.objects.get(kind=ContractKind.EXTENDED_WARRANTY, state=ContractState.ACTIVE)
    device = extended.devices.get()
    day = demo.now.date()

    request = WorkOrder(device=device, customer=device.customer, product_model=device.product_model)
    entitlement = entitlement_for(request, day=day)
    assert entitlement.contract == extended
    assert any(line.payer == Payer.CONTRACT for line in entitlement.lines)

    occurrences = MaintenanceOccurrence.objects.select_related("work_order")
    assert occurrences.exists() and all(o.work_order.type == WorkOrderType.MAINTENANCE for o in occurrences)
    assert ServiceContract.objects.filter(expiry_reminded_at__isnull=False).count() == 1
