"""The servicing lifecycles are explicit state machines (ARCHITECTURE.md): declared sources,
targets and roles; engineers act only on their own work orders (R6, R8, R13, R14, R37). The generic
contract (tests/test_machines.py) runs every transition from every state as every role; these
tests prove the servicing rules behind the declarations, by doing."""

from __future__ import annotations

import pytest

from aftersales.accounts.choices import Role
from aftersales.core.errors import NotPermitted, TransitionNotAllowed
from aftersales.servicing.choices import DepotState, ExternalState, PlanState, RemoteState, SendOutReason
from aftersales.servicing.services import (
    depot_repair_inspect,
    depot_repair_receive,
    depot_repair_recheck,
    depot_repair_start,
    external_repair_complete,
    external_repair_receive,
    external_repair_resend,
    external_repair_send,
    external_repair_unrepairable,
    plan_create,
    plan_revise,
    plan_send,
    remote_session_start,
)
from aftersales.servicing.transitions import (
    DEPOT,
    EXTERNAL,
    PLAN,
    REMOTE,
    VENDOR_HANDLING,
    may_edit_plan,
    may_follow_up,
    may_keep_record,
    may_plan,
    may_start_remote,
    may_take_in,
)
from aftersales.workorders.choices import State, WaitingReason

from .. import factories as f
from .factories import VendorFactory

pytestmark = pytest.mark.django_db

MACHINES = [(REMOTE, RemoteState), (PLAN, PlanState), (DEPOT, DepotState), (EXTERNAL, ExternalState)]


@pytest.mark.parametrize(("machine", "states"), MACHINES)
def test_every_transition_names_real_states(machine, states):
    for transition in machine:
        assert transition.sources and set(transition.sources) <= set(states.values)
        assert transition.target in states.values and transition.roles


def inspected(order, actor):
    repair = depot_repair_receive(work_order=order, actor=actor)
    return depot_repair_inspect(repair_id=repair.pk, actor=actor, appearance="完好", configuration="标准")


def send(repair, actor, vendor, **changes):
    fields = {"reason": SendOutReason.BEYOND_LOCAL, "vendor_contact": "陈工", "voucher_number": "V-1"}
    return external_repair_send(repair_id=repair.pk, actor=actor, vendor=vendor, **{**fields, **changes})


def test_r13_r14_a_device_goes_out_after_its_inspection_until_its_re_check(order, eng, vendor):
    """Sent out from the inspection or during the repair; not before, not once re-checked."""
    repair = depot_repair_receive(work_order=order, actor=eng)
    with pytest.raises(TransitionNotAllowed):
        send(repair, eng, vendor)
    repair = depot_repair_inspect(repair_id=repair.pk, actor=eng, appearance="完好", configuration="标准")
    repair = depot_repair_start(repair_id=repair.pk, actor=eng)
    assert send(repair, eng, vendor).state == ExternalState.SENT  # while repairing
    other = f.WorkOrderFactory(
        state=State.IN_SERVICE, engineer=order.engineer, service_point=order.service_point
    )
    repair = depot_repair_start(repair_id=inspected(other, eng).pk, actor=eng)
    repair = depot_repair_recheck(repair_id=repair.pk, actor=eng, result="正常")
    with pytest.raises(TransitionNotAllowed):
        send(repair, eng, vendor)
    repair.refresh_from_db()
    assert repair.state == DepotState.RECHECKED and not repair.external_repairs.exists()


def test_r14_only_an_unrepairable_device_is_re_sent_and_done_needs_a_verdict(order, eng, vendor):
    """Re-sent only when unrepairable; done only once re-checked or unrepairable."""
    external = send(inspected(order, eng), eng, vendor)
    other_vendor = VendorFactory()
    with pytest.raises(TransitionNotAllowed):
        external_repair_resend(
            external_repair_id=external.pk,
            actor=eng,
            vendor=other_vendor,
            reason=SendOutReason.BEYOND_LOCAL,
            vendor_contact="王经理",
            voucher_number="V-2",
        )
    with pytest.raises(TransitionNotAllowed):
        external_repair_complete(external_repair_id=external.pk, actor=eng)
    external_repair_receive(external_repair_id=external.pk, actor=eng)
    with pytest.raises(TransitionNotAllowed):
        external_repair_complete(external_repair_id=external.pk, actor=eng)  # not re-checked yet
    external = external_repair_unrepairable(external_repair_id=external.pk, actor=eng, reason="缺件")
    assert external_repair_complete(external_repair_id=external.pk, actor=eng).state == ExternalState.DONE


def test_r8_a_plan_is_revised_once_the_customer_has_it_not_as_a_draft(order, eng):
    plan = plan_create(work_order=order, actor=eng, measures="清洁", estimated_hours=1)
    with pytest.raises(TransitionNotAllowed):
        plan_revise(plan_id=plan.pk, actor=eng, reason="草稿直接编辑即可")
    plan_send(plan_id=plan.pk, actor=eng)
    assert plan_revise(plan_id=plan.pk, actor=eng, reason="客户要求").revision == 2


@pytest.mark.parametrize("role", sorted(VENDOR_HANDLING))
def test_r14_vendor_handlers_hold_the_work_order_and_resume_it(role, order, eng, vendor, make_user):
    """Whoever sends a device out also puts its work order on hold (SLA paused) and resumes it when
    the device is back: a vendor handler who could not would be refused halfway."""
    actor = eng if role == Role.ENGINEER else make_user(role, dealer=order.service_point.dealer)
    external = send(inspected(order, eng), actor, vendor)
    order.refresh_from_db()
    assert order.state == State.WAITING and order.waiting_reason == WaitingReason.VENDOR
    assert order.events.get(action="wait").actor == actor
    external_repair_receive(external_repair_id=external.pk, actor=actor)
    order.refresh_from_db()
    assert order.state == State.IN_SERVICE
    assert order.events.get(action="resume").actor == actor


@pytest.mark.parametrize("role", [Role.CLERK, Role.HQ_ADMIN, Role.FINANCE, Role.QUALITY])
def test_r14_others_do_not_send_devices_out(role, order, eng, vendor, make_user):
    repair = inspected(order, eng)
    with pytest.raises(NotPermitted):
        send(repair, make_user(role), vendor)
    order.refresh_from_db()
    assert order.state == State.IN_SERVICE


def test_r37_engineers_act_only_on_their_own_work_orders(order, eng, supervisor):
    plan = type("Plan", (), {"state": PlanState.SENT, "work_order": order})()
    assert {t.name for t in PLAN.available(plan, eng)} == {"confirm", "reject", "revise"}
    other = f.EngineerFactory(service_point=order.service_point).user
    assert PLAN.available(plan, other) == []
    draft = type("Plan", (), {"state": PlanState.DRAFT, "work_order": order})()
    assert {t.name for t in PLAN.available(draft, supervisor)} == {"send", "approve"}
    assert Role.SUPERVISOR in PLAN["approve"].roles and Role.ENGINEER not in PLAN["approve"].roles


# --- named permissions ------------------------------------------------------------------------------


def test_r6_r8_r13_named_permissions_on_a_work_order(order, eng, agent, finance, make_order):
    """Remote service is technical work; planning and taking a device in are also the service
    office's; read-only roles and other engineers do neither; a closed work order takes nothing."""
    other = f.EngineerFactory(service_point=order.service_point).user
    assert (may_start_remote(eng, order), may_plan(eng, order), may_take_in(eng, order)) == (True,) * 3
    assert (may_start_remote(agent, order), may_plan(agent, order), may_take_in(agent, order)) == (
        False,
        True,
        True,
    )
    for user in (finance, other):
        assert not any(may(user, order) for may in (may_start_remote, may_plan, may_take_in))
    closed = make_order(State.CLOSED)
    assert not any(may(eng, closed) for may in (may_start_remote, may_plan, may_take_in))


def test_r8_a_plan_is_edited_while_it_is_a_draft(order, eng):
    plan = plan_create(work_order=order, actor=eng, measures="清洁", estimated_hours=1)
    assert may_edit_plan(eng, plan)
    plan = plan_send(plan_id=plan.pk, actor=eng)
    assert not may_edit_plan(eng, plan)


def test_r13_r14_the_process_record_and_vendor_follow_ups(order, eng, clerk, vendor):
    """The process record is the technical staff's, from the inspection to the re-check; the
    vendor is followed up by the vendor handlers and the service office while the device is away."""
    repair = depot_repair_receive(work_order=order, actor=eng)
    assert not may_keep_record(eng, repair)  # not inspected yet
    repair = depot_repair_inspect(repair_id=repair.pk, actor=eng, appearance="完好", configuration="标准")
    assert may_keep_record(eng, repair) and not may_keep_record(clerk, repair)
    external = send(repair, eng, vendor)
    assert may_follow_up(clerk, external) and may_follow_up(eng, external)
    other = f.EngineerFactory(service_point=order.service_point).user
    assert not may_follow_up(other, external)
    external = external_repair_receive(external_repair_id=external.pk, actor=eng)
    assert not may_follow_up(clerk, external)


def test_r6_remote_sessions_are_started_by_the_permitted_only(order, eng, agent):
    with pytest.raises(NotPermitted):
        remote_session_start(work_order=order, actor=agent, method="phone", steps="电话")
    assert remote_session_start(work_order=order, actor=eng, method="phone", steps="电话").pk
