"""The demo seed adds servicing records through the services (R6, R8, R13, R14)."""

from __future__ import annotations

import pytest

from aftersales.servicing.choices import DepotState, ExternalState, FollowUpKind, PlanState, RemoteState
from aftersales.servicing.models import (
    DepotRepair,
    ExternalRepair,
    ExternalRepairFollowUp,
    RemoteSession,
    ServicePlan,
    Vendor,
)
from aftersales.servicing.selectors import plan_blocks_start
from aftersales.workorders.choices import State, WaitingReason
from aftersales.workorders.models import WorkOrder

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]


def test_r6_r8_r13_r14_demo_seed_has_servicing_records_in_their_states(demo):
    assert Vendor.objects.count() == 4 and all(
        v.name.endswith(("中心", "站", "部")) for v in Vendor.objects.all()
    )
    assert {RemoteState.SOLVED, RemoteState.ESCALATED, RemoteState.OPEN} <= set(
        RemoteSession.objects.values_list("state", flat=True)
    )
    assert {PlanState.DRAFT, PlanState.SENT, PlanState.CONFIRMED, PlanState.REVISED} <= set(
        ServicePlan.objects.values_list("state", flat=True)
    )
    blocked = [wo for wo in WorkOrder.objects.filter(state=State.ASSIGNED) if plan_blocks_start(wo)]
    assert blocked and all(wo.engineer.user.username != "engineer" for wo in blocked)
    assert {DepotState.RECEIVED, DepotState.REPAIRING, DepotState.EXTERNAL, DepotState.HANDED_BACK} <= set(
        DepotRepair.objects.values_list("state", flat=True)
    )
    at_vendor = ExternalRepair.objects.filter(state=ExternalState.SENT)
    assert at_vendor.count() == 2 and ExternalRepair.objects.filter(state=ExternalState.DONE).exists()
    assert all(
        e.work_order.state == State.WAITING and e.work_order.waiting_reason == WaitingReason.VENDOR
        for e in at_vendor
    )
    assert any(e.is_overdue for e in at_vendor)
    assert ExternalRepairFollowUp.objects.filter(kind=FollowUpKind.REMINDER).exists()
