"""R38: only engineers qualified for the product line on the day can be assigned its work, on
every path (page, API, dispatch board), because the lifecycle's assign checks it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from aftersales.core.errors import DomainError
from aftersales.workorders.choices import State
from aftersales.workorders.services import workorder_transition

from .. import factories as f


@pytest.fixture
def order(dispatcher):
    device = f.DeviceFactory()
    return f.WorkOrderFactory(
        device=device, customer=device.customer, product_model=device.product_model, state=State.ACCEPTED
    )


def assign(order, engineer, actor):
    return workorder_transition(work_order_id=order.pk, action="assign", actor=actor, engineer=engineer)


def test_r38_unqualified_engineer_is_refused(order, dispatcher):
    engineer = f.EngineerFactory(service_point=order.service_point)
    with pytest.raises(DomainError) as refused:
        assign(order, engineer, dispatcher)
    assert refused.value.field == "engineer" and refused.value.code == "not_qualified"
    order.refresh_from_db()
    assert order.state == State.ACCEPTED and order.engineer is None


def test_r38_expired_or_not_yet_valid_qualification_is_refused(order, dispatcher):
    today = timezone.localdate()
    line = order.product_line
    expired = f.QualificationFactory(
        product_line=line, certified_on=today - timedelta(days=800), expires_on=today - timedelta(days=1)
    )
    future = f.QualificationFactory(
        product_line=line, certified_on=today + timedelta(days=1), expires_on=today + timedelta(days=700)
    )
    for qualification in (expired, future):
        with pytest.raises(DomainError, match="not qualified"):
            assign(order, qualification.engineer, dispatcher)


def test_r38_qualified_engineer_is_assigned(order, dispatcher):
    qualification = f.QualificationFactory(
        product_line=order.product_line, certified_on=date(2020, 1, 1), expires_on=date(2099, 1, 1)
    )
    assigned = assign(order, qualification.engineer, dispatcher)
    assert assigned.state == State.ASSIGNED and assigned.engineer == qualification.engineer


def test_r38_work_without_a_known_product_line_may_go_to_any_engineer(dispatcher):
    order = f.WorkOrderFactory(state=State.ACCEPTED)  # free-text model, no product line on file
    engineer = f.EngineerFactory(service_point=order.service_point)
    assert assign(order, engineer, dispatcher).engineer == engineer


def test_r38_api_assign_of_unqualified_engineer_is_400_on_engineer(order, dispatcher, api_client):
    engineer = f.EngineerFactory(service_point=order.service_point)
    response = api_client(dispatcher).post(
        f"/api/workorders/{order.pk}/assign/", {"engineer": engineer.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "engineer"
