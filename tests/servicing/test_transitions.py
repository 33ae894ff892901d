"""The servicing lifecycles are explicit state machines (ARCHITECTURE.md): declared sources,
targets and roles; engineers act only on their own work orders (R6, R8, R13, R14, R37)."""

from __future__ import annotations

import pytest

from aftersales.accounts.choices import Role
from aftersales.servicing.choices import DepotState, ExternalState, PlanState, RemoteState
from aftersales.servicing.transitions import DEPOT, EXTERNAL, PLAN, REMOTE, VENDOR_HANDLING, available
from aftersales.workorders.transitions import TRANSITIONS

from .. import factories as f

pytestmark = pytest.mark.django_db

MACHINES = [(REMOTE, RemoteState), (PLAN, PlanState), (DEPOT, DepotState), (EXTERNAL, ExternalState)]


@pytest.mark.parametrize(("machine", "states"), MACHINES)
def test_every_transition_names_real_states(machine, states):
    for transition in machine.values():
        assert transition.sources and set(transition.sources) <= set(states.values)
        assert transition.target in states.values and transition.roles


def test_r13_r14_the_lifecycles_as_declared():
    assert DEPOT["send_out"].sources == {DepotState.INSPECTED, DepotState.REPAIRING}
    assert DEPOT["hand_back"].sources == {DepotState.RECHECKED}
    assert EXTERNAL["resend"].sources == {ExternalState.UNREPAIRABLE}
    assert EXTERNAL["complete"].sources == {ExternalState.RECHECKED, ExternalState.UNREPAIRABLE}
    assert PLAN["revise"].sources == {PlanState.SENT, PlanState.REJECTED, PlanState.CONFIRMED}


def test_r14_vendor_handling_roles_may_also_hold_and_resume_the_work_order():
    assert TRANSITIONS["wait"].roles >= VENDOR_HANDLING and TRANSITIONS["resume"].roles >= VENDOR_HANDLING


def test_r37_engineers_act_only_on_their_own_work_orders(order, eng, supervisor):
    plan = type("Plan", (), {"state": PlanState.SENT, "work_order": order})()
    assert {t.name for t in available(PLAN, plan, eng)} == {"confirm", "reject", "revise"}
    other = f.EngineerFactory(service_point=order.service_point).user
    assert available(PLAN, plan, other) == []
    draft = type("Plan", (), {"state": PlanState.DRAFT, "work_order": order})()
    assert {t.name for t in available(PLAN, draft, supervisor)} == {"send", "approve"}
    assert Role.SUPERVISOR in PLAN["approve"].roles and Role.ENGINEER not in PLAN["approve"].roles
