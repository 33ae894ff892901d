"""Helpers for page tests: logged-in clients and a work order moved through services."""

from __future__ import annotations

import pytest

from aftersales.workorders.services import workorder_transition

from .. import factories as f


@pytest.fixture
def client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def moved():
    """Run transitions in order on a work order, as `actor`; returns the refreshed work order."""

    def run(work_order, actor, *actions, **kwargs):
        for action in actions:
            work_order = workorder_transition(
                work_order_id=work_order.pk, action=action, actor=actor, **kwargs
            )
        return work_order

    return run


@pytest.fixture
def order(world):
    """A new repair at dealer A's service point with a customer phone on file."""
    return f.WorkOrderFactory(
        service_point=world.point_a,
        customer=f.CustomerFactory(name="北京华信打印设备有限公司", phone="+8613812345678"),
        contact_phone="+8613912345678",
        created_by=f.UserFactory(username="intake_agent"),
    )
