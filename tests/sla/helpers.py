"""Helpers of the service-level tests: a frozen clock and work orders moved through the lifecycle
by the services, at given instants (Asia/Shanghai)."""

from __future__ import annotations

from datetime import datetime

from aftersales.sla.choices import MilestoneKind
from aftersales.sla.models import SlaClock
from aftersales.workorders.choices import Channel, WorkOrderType
from aftersales.workorders.services import workorder_create, workorder_transition
from tests import factories as f
from tests.timeutil import frozen

FIRST, DIAGNOSIS, REPAIR, RECORD = (
    MilestoneKind.FIRST_RESPONSE,
    MilestoneKind.DIAGNOSIS,
    MilestoneKind.REPAIR,
    MilestoneKind.RECORD_COMPLETE,
)


def create(people, moment: datetime, **overrides):
    data = dict(
        channel=Channel.PHONE,
        type=WorkOrderType.REPAIR,
        customer=f.CustomerFactory(),
        contact_name="张伟",
        contact_phone="138 0013 8000",
        device_model_text="HP LaserJet Pro M404",
        fault_symptom="打印时卡纸",
        service_point=people.point,
    )
    data.update(overrides)
    with frozen(moment):
        return workorder_create(actor=people.agent, **data)


def move(people, work_order, action: str, moment: datetime, **kwargs):
    actor = people.supervisor if action in {"start", "wait", "resume", "complete"} else people.agent
    if action == "assign":
        kwargs.setdefault("engineer", people.engineer)
        actor = people.supervisor
    if action in {"reopen", "cancel"}:
        kwargs.setdefault("note", "客户要求")
    if action == "complete":
        kwargs.setdefault("resolution", "更换定影组件")
    with frozen(moment):
        return workorder_transition(work_order_id=work_order.pk, action=action, actor=actor, **kwargs)


def clock(work_order, kind) -> SlaClock:
    return SlaClock.objects.get(work_order=work_order, kind=kind)
