"""R37: servicing records are seen exactly where their work order is seen."""

from __future__ import annotations

import pytest

from aftersales.servicing.selectors import (
    depot_repair_list,
    external_repair_list,
    remote_session_list,
    service_plan_list,
    vendors_for,
)
from aftersales.servicing.services import depot_repair_receive, plan_create, remote_session_start

from .. import factories as f
from .factories import VendorFactory

pytestmark = pytest.mark.django_db


def test_r37_dealer_staff_and_engineers_see_only_their_work(world, supervisor, finance):
    for order in (world.order_a, world.order_b):
        remote_session_start(work_order=order, actor=supervisor, method="phone", steps="电话指导")
        plan_create(work_order=order, actor=supervisor, measures="清洁", estimated_hours=1)
        depot_repair_receive(work_order=order, actor=supervisor)
    for selector in (remote_session_list, service_plan_list, depot_repair_list, external_repair_list):
        assert {r.work_order_id for r in selector(world.staff_a)} <= {world.order_a.pk}
        assert {r.work_order_id for r in selector(world.engineer_b.user)} <= {world.order_b.pk}
    assert depot_repair_list(world.staff_a).count() == 1
    assert depot_repair_list(finance).count() == 2  # company-wide read roles see all
    outsider = f.UserFactory(role="dealer_staff", dealer=None, username="nodealer")
    assert not remote_session_list(outsider).exists()


def test_r14_vendors_for_a_work_order_repair_its_product_line(order, line):
    mine = VendorFactory(product_lines=[line])
    every = VendorFactory()
    VendorFactory(product_lines=[f.ProductLineFactory()])
    VendorFactory(is_active=False)
    assert set(vendors_for(order)) == {mine, every}
