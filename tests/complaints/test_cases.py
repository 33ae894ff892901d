"""R27: work orders meeting the difficult-case criteria are proposed (computed in SQL, scoped);
a clerk or department head opens the case with a handler; it escalates level by level; every
step is recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from aftersales.accounts.choices import Role
from aftersales.complaints.choices import CaseReason, CaseState
from aftersales.complaints.models import CaseCriteria, CaseLevel, CaseStep
from aftersales.complaints.selectors import case_proposals, case_reasons
from aftersales.complaints.services import (
    case_criteria_update,
    case_open,
    case_transition,
    complaint_transition,
)
from aftersales.core.errors import DomainError, NotPermitted
from aftersales.notifications.models import Notification
from aftersales.sla.models import SlaClock
from aftersales.workorders.choices import State
from aftersales.workorders.services import workorder_transition

from .. import factories as f
from ..field.visit_factories import visit_at
from ..timeutil import frozen
from .conftest import MONDAY_9

pytestmark = pytest.mark.django_db


def orders_on(device, *days_ago: int, **kwargs):
    """Work orders on `device` created the given number of days ago (oldest first)."""
    rows = []
    for days in sorted(days_ago, reverse=True):
        order = f.WorkOrderFactory(customer=device.customer, device=device, state=State.IN_SERVICE, **kwargs)
        order.created_at = timezone.now() - timedelta(days=days)
        order.save(update_fields=["created_at"])
        rows.append(order)
    return rows


def proposed(user) -> set[str]:
    return set(case_proposals(user).values_list("number", flat=True))


def test_r27_repeated_work_orders_on_a_device_are_proposed(supervisor):
    device = f.DeviceFactory()
    first, second, third = orders_on(device, 25, 10, 1)
    lonely = orders_on(f.DeviceFactory(), 1)[0]

    assert proposed(supervisor) == {third.number}  # the third within 30 days
    row = case_proposals(supervisor).get()
    assert row.repeat_count == 3
    assert case_reasons(third) == [CaseReason.REPEAT]
    assert lonely.number not in proposed(supervisor)


def test_r27_repeat_window_and_count_are_configurable(supervisor):
    device = f.DeviceFactory()
    orders = orders_on(device, 40, 20, 1)
    assert proposed(supervisor) == set()  # only two within 30 days

    case_criteria_update(actor=supervisor, repeat_days=45)
    assert proposed(supervisor) == {orders[-1].number}
    case_criteria_update(actor=supervisor, repeat_days=30, repeat_min_orders=2)
    assert proposed(supervisor) == {orders[1].number, orders[2].number}
    case_criteria_update(actor=supervisor, repeat_enabled=False)
    assert proposed(supervisor) == set()


def assigned_on(device, engineer):
    """A repair of `device` assigned to `engineer` (its visits go through the field services)."""
    return f.WorkOrderFactory(
        customer=device.customer,
        device=device,
        service_point=engineer.service_point,
        engineer=engineer,
        state=State.ASSIGNED,
    )


def visited(work_order, moment, *, satisfied=True, state="done"):
    """A visit of the work order's engineer on site at `moment` (checked out after a sign-off)."""
    with frozen(moment):
        return visit_at(work_order, state, satisfied=satisfied)


def test_r27_visits_after_a_reopen_of_the_same_work_order_count_as_repeated_work(
    supervisor, quality, engineer
):
    """R27: one work order on the device, visited, completed and reopened (unsatisfied return
    visit) twice: its three visits within 30 days are repeated work, though it is a single work
    order."""
    case_criteria_update(actor=supervisor, sla_breach_enabled=False)
    work_order = assigned_on(f.DeviceFactory(), engineer)
    for day in (MONDAY_9 - timedelta(days=25), MONDAY_9 - timedelta(days=15)):
        visited(work_order, day)
        with frozen(day + timedelta(hours=2)):
            workorder_transition(
                work_order_id=work_order.pk, action="complete", actor=engineer.user, resolution="已修复"
            )
        with frozen(day + timedelta(days=3)):
            workorder_transition(
                work_order_id=work_order.pk, action="reopen", actor=quality, note="回访：故障复发"
            )
    visited(work_order, MONDAY_9 - timedelta(days=2), state="on_site")
    with frozen(MONDAY_9):
        row = case_proposals(supervisor).get()
        assert row.pk == work_order.pk
        assert (row.repeat_orders, row.repeat_visits, row.repeat_count) == (1, 3, 3)
        assert case_reasons(work_order) == [CaseReason.REPEAT]
        case_criteria_update(actor=supervisor, repeat_days=20)  # the first visit falls out
        assert proposed(supervisor) == set()
        assert case_reasons(work_order) == []


def test_r27_visits_on_the_devices_other_work_orders_count_and_cancelled_or_future_ones_do_not(
    supervisor, engineer
):
    """R27: the visits on the same device are counted across its work orders (two visits on the
    first, one on the second: three, though only two work orders); a booked visit that never
    reached the customer and visits on another device are not."""
    case_criteria_update(actor=supervisor, sla_breach_enabled=False)
    device = f.DeviceFactory()
    with frozen(MONDAY_9 - timedelta(days=21)):
        first = assigned_on(device, engineer)
    visited(first, MONDAY_9 - timedelta(days=20), satisfied=False)
    visited(first, MONDAY_9 - timedelta(days=12))
    with frozen(MONDAY_9 - timedelta(days=4)):
        second = assigned_on(device, engineer)
        other = assigned_on(f.DeviceFactory(), engineer)
    visited(other, MONDAY_9 - timedelta(days=3))
    with frozen(MONDAY_9 - timedelta(days=2)):
        visit_at(second, "booked")  # planned, never on site: not counted
    with frozen(MONDAY_9):
        assert proposed(supervisor) == set()  # two work orders; the second not visited yet
    visited(second, MONDAY_9 - timedelta(days=1), state="on_site")
    with frozen(MONDAY_9):
        rows = {row.number: row for row in case_proposals(supervisor)}
        assert set(rows) == {second.number}
        assert (rows[second.number].repeat_orders, rows[second.number].repeat_visits) == (2, 3)
        assert case_reasons(second) == [CaseReason.REPEAT]
        assert case_reasons(other) == []


def test_r27_breached_service_level_is_proposed(supervisor, work_order):
    now = timezone.now()
    clock = SlaClock.objects.create(
        work_order=work_order,
        kind="repair",
        target=timedelta(hours=8),
        started_at=now - timedelta(days=2),
        due_at=now + timedelta(hours=1),
    )
    assert proposed(supervisor) == set()
    clock.due_at = now - timedelta(hours=1)  # running past its due time
    clock.save()
    assert proposed(supervisor) == {work_order.number}
    clock.stopped_at, clock.met = now, False  # stopped late
    clock.save()
    assert case_reasons(work_order) == [CaseReason.SLA_BREACH]
    case_criteria_update(actor=supervisor, sla_breach_enabled=False)
    assert proposed(supervisor) == set()


def test_r27_linked_complaint_is_proposed_unless_rejected(supervisor, quality, register, work_order):
    complaint = register(work_order)
    assert proposed(supervisor) == {work_order.number}
    complaint_transition(complaint_id=complaint.pk, action="reject", actor=quality, note="不属实")
    assert proposed(supervisor) == set()


def test_r27_value_criterion_needs_billing_and_matches_nothing(supervisor, work_order):
    case_criteria_update(actor=supervisor, value_enabled=True, value_threshold=1, repeat_enabled=False)
    assert proposed(supervisor) == set()


def test_r27_closed_cancelled_and_already_open_cases_are_not_proposed(
    supervisor, clerk, register, work_order
):
    register(work_order)
    others = [f.WorkOrderFactory(state=state) for state in (State.CLOSED, State.CANCELLED)]
    for other in others:
        register(other)
    assert proposed(supervisor) == {work_order.number}
    case_open(work_order=work_order, handler=clerk, actor=supervisor)
    assert proposed(supervisor) == set()


def test_r27_proposals_are_scoped(world, register, supervisor):
    register(world.order_a)
    register(world.order_b)
    assert proposed(world.staff_a) == {world.order_a.number}
    assert proposed(supervisor) == {world.order_a.number, world.order_b.number}


def test_r27_proposals_in_a_fixed_number_of_queries(supervisor, register, django_assert_max_num_queries):
    for _ in range(5):
        register(f.WorkOrderFactory())
    with django_assert_max_num_queries(2):
        rows = list(case_proposals(supervisor))
    assert len(rows) == 5


def test_r27_opening_a_case(supervisor, clerk, register, work_order):
    register(work_order)
    case = case_open(work_order=work_order, handler=clerk, actor=supervisor)

    assert case.number.startswith("DC") and case.state == CaseState.OPEN and case.level == 1
    assert case.reasons == [CaseReason.COMPLAINT]
    step = CaseStep.objects.get(case=case)
    assert (step.action, step.actor, step.handler, step.level) == ("open", supervisor, clerk, 1)
    assert work_order.events.filter(kind="case", action="open").exists()
    assert Notification.objects.filter(recipient=clerk, key=f"case:{case.pk}:handler:1").exists()


def test_r27_opening_is_for_clerks_and_department_heads(agent, clerk, register, work_order, make_user):
    register(work_order)
    for role in (Role.AGENT, Role.ENGINEER, Role.DEALER_STAFF, Role.FINANCE):
        with pytest.raises(NotPermitted):
            case_open(work_order=work_order, handler=clerk, actor=make_user(role, username=f"u-{role}"))
    for role in (Role.CLERK, Role.QUALITY, Role.SUPERVISOR, Role.HQ_ADMIN):
        other = f.WorkOrderFactory()
        case = case_open(
            work_order=other, handler=clerk, actor=make_user(role, username=f"ok-{role}"), note="立案"
        )
        assert case.work_order == other


def test_r27_one_open_case_per_work_order_and_a_reason_without_criteria(supervisor, clerk, work_order):
    with pytest.raises(DomainError) as refused:
        case_open(work_order=work_order, handler=clerk, actor=supervisor)
    assert refused.value.field == "note"
    with pytest.raises(DomainError) as refused:
        case_open(work_order=work_order, handler=None, actor=supervisor, note="客户为重点客户")
    assert refused.value.field == "handler"
    case = case_open(work_order=work_order, handler=clerk, actor=supervisor, note="客户为重点客户")
    assert case.reasons == [] and "重点客户" in case.summary
    with pytest.raises(DomainError) as refused:
        case_open(work_order=work_order, handler=clerk, actor=supervisor, note="again")
    assert refused.value.code == "case_exists"


def test_r27_escalation_climbs_the_configured_levels(supervisor, clerk, work_order, make_user):
    hq = make_user(Role.HQ_ADMIN, username="hq_tech")
    case = case_open(work_order=work_order, handler=clerk, actor=supervisor, note="疑难")
    case = case_transition(case_id=case.pk, action="start", actor=clerk)

    with pytest.raises(DomainError) as refused:  # level 2 is for supervisors
        case_transition(case_id=case.pk, action="escalate", actor=clerk, handler=hq, note="超出权限")
    assert refused.value.code == "wrong_role"
    with pytest.raises(DomainError) as refused:
        case_transition(case_id=case.pk, action="escalate", actor=clerk, handler=supervisor, note="")
    assert refused.value.field == "note"

    case = case_transition(
        case_id=case.pk, action="escalate", actor=clerk, handler=supervisor, note="需更换主板"
    )
    assert (case.state, case.level, case.handler) == (CaseState.ESCALATED, 2, supervisor)
    case = case_transition(
        case_id=case.pk, action="escalate", actor=supervisor, handler=hq, note="需厂家技术支持"
    )
    assert (case.level, case.handler) == (3, hq)
    with pytest.raises(DomainError) as refused:
        case_transition(case_id=case.pk, action="escalate", actor=hq, handler=hq, note="再升级")
    assert refused.value.code == "top_level"

    CaseLevel.objects.create(number=4, name="研发部", role=Role.QUALITY)
    quality = make_user(Role.QUALITY, username="rnd")
    case = case_transition(case_id=case.pk, action="escalate", actor=hq, handler=quality, note="需研发分析")
    assert case.level == 4
    assert Notification.objects.filter(recipient=quality, key=f"case:{case.pk}:handler:4").exists()

    steps = list(CaseStep.objects.filter(case=case).values_list("action", "level", "handler__username"))
    assert steps == [
        ("open", 1, clerk.username),
        ("start", 1, clerk.username),
        ("escalate", 2, supervisor.username),
        ("escalate", 3, "hq_tech"),
        ("escalate", 4, "rnd"),
    ]


def test_r27_result_is_tracked_until_closed(supervisor, clerk, work_order):
    case = case_open(work_order=work_order, handler=clerk, actor=supervisor, note="疑难")
    case = case_transition(case_id=case.pk, action="start", actor=clerk)
    with pytest.raises(DomainError):
        case_transition(case_id=case.pk, action="resolve", actor=clerk, result=" ")
    case = case_transition(case_id=case.pk, action="resolve", actor=clerk, result="更换主板")
    assert case.result == "更换主板" and case.resolved_at
    case = case_transition(case_id=case.pk, action="reopen", actor=supervisor, note="客户反馈仍有故障")
    assert case.state == CaseState.IN_PROGRESS and case.resolved_at is None
    case = case_transition(case_id=case.pk, action="resolve", actor=clerk, result="更换整机")
    case = case_transition(case_id=case.pk, action="close", actor=supervisor)
    assert case.state == CaseState.CLOSED and case.closed_at
    timeline = list(work_order.events.filter(kind="case").values_list("action", flat=True))
    assert timeline == ["open", "start", "resolve", "reopen", "resolve", "close"]
    # A closed case lets the work order become a case again later.
    again = case_open(work_order=work_order, handler=clerk, actor=supervisor, note="再次出现")
    assert again.pk != case.pk


def test_r27_criteria_are_edited_by_supervisors_only(clerk, supervisor):
    with pytest.raises(NotPermitted):
        case_criteria_update(actor=clerk, repeat_days=10)
    criteria = case_criteria_update(actor=supervisor, repeat_days=10)
    assert CaseCriteria.objects.get().repeat_days == criteria.repeat_days == 10
