"""Worlds for the state-machine contract (tests/test_machines.py): for each lifecycle, how to make
an object in a given state, who acts for a role, and valid inputs for a transition. A machine
registered in the code without a world here fails the contract test, so every new lifecycle
brings its world along."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aftersales.accounts.choices import Role
from aftersales.core.transitions import Transition
from aftersales.workorders.choices import State, WaitingReason, WorkOrderType
from aftersales.workorders.models import WorkOrderEvent

from . import factories as f


@dataclass
class World:
    """One object of a lifecycle in a chosen state, and the people around it."""

    obj: Any
    # A user of the role who may act on `obj` when the role may (the owner for owner-bound roles).
    actor: Callable[[str], Any]
    # Valid inputs for a transition (exactly what it needs, and what its effects require).
    inputs: Callable[[Transition], dict[str, Any]]
    # How many timeline events `obj` has (a transition writes one).
    events: Callable[[], int]
    # A user of an owner-bound role who does not own `obj` (None if the machine has no owner).
    outsider: Callable[[], Any] | None = None


WorldMaker = Callable[[str, Transition], World]
WORLDS: dict[str, WorldMaker] = {}


def world(machine_name: str) -> Callable[[WorldMaker], WorldMaker]:
    def register(make: WorldMaker) -> WorldMaker:
        WORLDS[machine_name] = make
        return make

    return register


def staff(role: str, *, dealer=None):
    """A user of the role (dealer staff belong to `dealer`)."""
    if role == Role.DEALER_STAFF:
        return f.UserFactory(role=role, dealer=dealer or f.DealerFactory())
    return f.UserFactory(role=role)


# --- work order ----------------------------------------------------------------------------------

STATES_WITH_ENGINEER = {State.ASSIGNED, State.IN_SERVICE, State.WAITING, State.COMPLETED, State.CLOSED}


@world("workorder")
def workorder_world(state: str, transition: Transition) -> World:
    dealer = f.DealerFactory()
    point = f.ServicePointFactory(dealer=dealer)
    engineer = f.EngineerFactory(service_point=point)
    other = f.EngineerFactory(service_point=point)
    work_order = f.WorkOrderFactory(
        state=state,
        type=WorkOrderType.CONSULTATION if transition.name == "resolve" else WorkOrderType.REPAIR,
        service_point=point,
        engineer=engineer if state in STATES_WITH_ENGINEER else None,
        waiting_reason=WaitingReason.PARTS if state == State.WAITING else "",
    )
    values = {
        "note": "客户不满意，重新处理",
        "engineer": other,
        "waiting_reason": WaitingReason.PARTS,
        "resolution": "更换定影组件后打印正常",
    }
    return World(
        obj=work_order,
        actor=lambda role: engineer.user if role == Role.ENGINEER else staff(role, dealer=dealer),
        inputs=lambda t: {name: values[name] for name in t.inputs if name in values},
        events=lambda: WorkOrderEvent.objects.filter(work_order=work_order, kind="transition").count(),
        outsider=lambda: f.EngineerFactory(service_point=point).user,
    )


# --- return visit (feedback) ---------------------------------------------------------------------


@world("return_visit")
def return_visit_world(state: str, transition: Transition) -> World:
    from django.utils import timezone

    from aftersales.feedback.choices import AttemptResult, ReturnVisitKind
    from aftersales.feedback.models import ReturnVisit

    point = f.ServicePointFactory()
    engineer = f.EngineerFactory(service_point=point)
    now = timezone.now()
    work_order = f.WorkOrderFactory(
        state=State.COMPLETED, service_point=point, engineer=engineer, completed_at=now
    )
    visit = ReturnVisit.objects.create(
        number=f"RVW{work_order.pk:08d}",
        work_order=work_order,
        kind=ReturnVisitKind.ROUTINE,
        state=state,
        engineer=engineer,
        service_point=point,
        work_completed_at=now,
        due_at=now,
        next_call_at=now,
    )
    values = {
        "record": {
            "score_timeliness": 5,
            "score_skill": 4,
            "score_attitude": 5,
            "score_effectiveness": 4,
            "score_overall": 5,
            "praise": "工程师很耐心",
        },
        "retry": {"result": AttemptResult.NO_ANSWER, "note": "无人接听"},
        "give_up": {"result": AttemptResult.WRONG_NUMBER},
        "cancel": {"reason": "工单重新处理"},
    }
    return World(
        obj=visit,
        actor=lambda role: staff(role),
        inputs=lambda t: dict(values[t.name]),
        events=lambda: WorkOrderEvent.objects.filter(work_order=work_order, kind="return_visit").count(),
    )


# --- service-level clock (sla) --------------------------------------------------------------------


@world("sla_clock")
def sla_clock_world(state: str, transition: Transition) -> World:
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from aftersales.sla.choices import ClockState, MilestoneKind
    from aftersales.sla.models import SlaClock, SlaMilestone, SlaPolicy

    policy = SlaPolicy.objects.create(name=f"world policy {SlaPolicy.objects.count()}", precedence=999)
    milestone = SlaMilestone.objects.create(
        policy=policy,
        kind=MilestoneKind.REPAIR,
        target_hours=Decimal("8"),
        business_time=False,
        start_on="start",
        stop_on=["complete"],
    )
    now = timezone.now()
    clock = SlaClock.objects.create(
        work_order=f.WorkOrderFactory(state=State.IN_SERVICE, service_point=f.ServicePointFactory()),
        policy=policy,
        kind=MilestoneKind.REPAIR,
        state=state,
        target=timedelta(hours=8),
        business_time=False,
        started_at=now - timedelta(hours=2),
        due_at=now + timedelta(hours=6),
        warn_at=now + timedelta(hours=4),
        paused_at=now - timedelta(hours=1) if state == ClockState.PAUSED else None,
        paused_reason=WaitingReason.PARTS if state == ClockState.PAUSED else "",
        stopped_at=now - timedelta(minutes=5) if state == ClockState.STOPPED else None,
        met=True if state == ClockState.STOPPED else None,
    )
    values = {"start": {"milestone": milestone}, "pause": {"reason": WaitingReason.PARTS}}
    return World(
        obj=clock,
        actor=staff,
        inputs=lambda t: dict(values.get(t.name, {})),
        events=lambda: 0,  # clocks write no timeline event of their own (their work order's do)
    )
