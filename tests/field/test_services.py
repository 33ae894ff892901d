"""Automatic dispatch on intake (R5) and the dispatcher's assignment (R5 override, R38)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersales.core.errors import DomainError
from aftersales.field.models import EngineerLeave
from aftersales.field.services import dispatch_assign
from aftersales.workorders.choices import Channel, State, WorkOrderType
from aftersales.workorders.events import event_text
from aftersales.workorders.models import WorkOrderEvent
from aftersales.workorders.services import workorder_create

from .. import factories as f

pytestmark = pytest.mark.django_db


def intake(actor, customer, model, **extra):
    return workorder_create(
        actor=actor,
        channel=Channel.PHONE,
        type=WorkOrderType.REPAIR,
        customer=customer,
        contact_name="李娜",
        contact_phone="13800001111",
        product_model=model,
        fault_symptom="卡纸",
        **extra,
    )


def test_r5_intake_hook_sets_the_service_point_and_records_why(agent, customer, model, point, qualify):
    sp = point(district="徐汇区")
    qualify(f.EngineerFactory(service_point=sp))
    work_order = intake(agent, customer, model)
    work_order.refresh_from_db()
    assert work_order.service_point == sp
    assert work_order.engineer is None  # the engineer is the dispatcher's decision
    assert work_order.version == 1  # inserted with its point, not updated after
    event = WorkOrderEvent.objects.get(work_order=work_order, kind="dispatch", action="dispatch")
    assert (
        event.kind == "dispatch" and sp.name in event_text(event) and "district covered" in event_text(event)
    )
    assert event.params["point"] == str(sp) and event.note == ""


def test_r5_intake_keeps_a_given_point_and_does_not_guess_without_a_region(agent, model, point):
    given = point(code="GIVEN")
    point(code="OTHER", district="徐汇区")
    located = f.CustomerFactory(province="上海市", city="上海市", district="徐汇区")
    assert intake(agent, located, model, service_point=given).service_point == given
    unknown = f.CustomerFactory()
    work_order = intake(agent, unknown, model)
    assert work_order.service_point is None
    assert not WorkOrderEvent.objects.filter(work_order=work_order, action="dispatch").exists()


def test_r38_unqualified_assignment_is_refused(dispatcher, order, point, qualify, today):
    sp = point()
    unqualified = f.EngineerFactory(service_point=sp)
    expired = f.EngineerFactory(service_point=sp)
    qualify(expired, certified_on=today - timedelta(days=400), expires_on=today - timedelta(days=1))
    for engineer in (unqualified, expired):
        with pytest.raises(DomainError) as refused:
            dispatch_assign(
                work_order_id=order.pk, engineer=engineer, actor=dispatcher, reason="就近", expected_version=1
            )
        assert refused.value.field == "engineer" and refused.value.code == "not_qualified"
        assert "not qualified" in refused.value.message
    order.refresh_from_db()
    assert order.state == State.ACCEPTED and order.engineer is None


def test_r5_assignment_on_leave_refused_and_override_needs_a_reason(dispatcher, order, point, qualify, today):
    sp = point()
    suggested, other, away = (f.EngineerFactory(service_point=sp, employee_no=n) for n in ("E1", "E2", "E3"))
    for engineer in (suggested, other, away):
        qualify(engineer)
    f.WorkOrderFactory(service_point=sp, engineer=other, state=State.ASSIGNED)
    EngineerLeave.objects.create(engineer=away, start=today, end=today)
    with pytest.raises(DomainError) as refused:
        dispatch_assign(work_order_id=order.pk, engineer=away, actor=dispatcher, reason="x")
    assert refused.value.code == "on_leave"
    with pytest.raises(DomainError) as refused:
        dispatch_assign(work_order_id=order.pk, engineer=other, actor=dispatcher, reason=" ")
    assert refused.value.field == "reason"
    work_order = dispatch_assign(
        work_order_id=order.pk, engineer=other, actor=dispatcher, reason="客户指定", expected_version=1
    )
    assert work_order.state == State.ASSIGNED and work_order.engineer == other
    event = WorkOrderEvent.objects.get(work_order=order, action="assign")
    assert event.note == "客户指定"  # the dispatcher's own words
    dispatch = WorkOrderEvent.objects.get(work_order=order, kind="dispatch", action="dispatch_override")
    assert "Override" in event_text(dispatch) and str(other) in event_text(dispatch)


def test_r5_assigning_the_suggestion_records_the_explanation(dispatcher, order, point, qualify):
    sp = point()
    engineer = f.EngineerFactory(service_point=sp)
    qualify(engineer)
    dispatch_assign(work_order_id=order.pk, engineer=engineer, actor=dispatcher, reason="")
    event = WorkOrderEvent.objects.get(work_order=order, kind="dispatch", action="dispatch_suggested")
    assert "Suggested engineer" in event_text(event) and "open work orders" in event_text(event)
    assert WorkOrderEvent.objects.get(work_order=order, action="assign").note == ""
