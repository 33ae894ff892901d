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


# --- field: on-site visit, supervision card, appointment (R12, R15-R17, R19) ----------------------


def _field_work(state: str = State.IN_SERVICE):
    """An engineer and a work order of theirs (in service: a visit step does not start it)."""
    engineer = f.EngineerFactory()
    work_order = f.WorkOrderFactory(state=state, engineer=engineer, service_point=engineer.service_point)
    return engineer, work_order


def _visit(work_order, engineer, state: str, **fields):
    from django.utils import timezone

    from aftersales.core.services import number_next
    from aftersales.field.choices import VisitState
    from aftersales.field.models import Visit

    arrived = state in (VisitState.ON_SITE, VisitState.DONE)
    return Visit.objects.create(
        number=number_next(prefix="SV"),
        work_order=work_order,
        engineer=engineer,
        planned_date=timezone.localdate(),
        state=state,
        arrived_at=timezone.now() if arrived else None,
        checklist=[],
        created_by=engineer.user,
        **fields,
    )


@world("field_visit")
def field_visit_world(state: str, transition: Transition) -> World:
    from datetime import time, timedelta

    from django.utils import timezone

    from aftersales.field.choices import SignOffOutcome, VisitState
    from aftersales.field.models import Appointment, AppointmentState, SignOff

    engineer, work_order = _field_work()
    appointment = None
    if transition.name == "release":  # the system releases a visit whose appointment was cancelled
        appointment = Appointment.objects.create(
            work_order=work_order,
            engineer=engineer,
            date=timezone.localdate() + timedelta(days=1),
            window_start=time(9),
            window_end=time(11),
            state=AppointmentState.CANCELLED,
            reason="客户改期",
        )
    visit = _visit(work_order, engineer, state, appointment=appointment)
    if state == VisitState.ON_SITE:  # checking out needs the customer's answer (R15, R17)
        SignOff.objects.create(
            visit=visit,
            outcome=SignOffOutcome.REFUSED,
            refusal_reason="需请示领导",
            signed_at=timezone.now(),
            content_hash="0" * 64,
            recorded_by=engineer.user,
        )
    values = {"reason": "客户临时出差", "latitude": "31.2304", "longitude": "121.4737", "accuracy": "12"}
    return World(
        obj=visit,
        actor=lambda role: engineer.user if role == Role.ENGINEER else staff(role),
        inputs=lambda t: {name: values[name] for name in t.inputs if name in values},
        events=lambda: WorkOrderEvent.objects.filter(work_order=work_order, kind="visit").count(),
        outsider=lambda: f.EngineerFactory(service_point=engineer.service_point).user,
    )


@world("supervision_card")
def supervision_card_world(state: str, transition: Transition) -> World:
    from datetime import timedelta

    from django.utils import timezone

    from aftersales.field.choices import SupervisionState, VisitState
    from aftersales.field.models import SupervisionCard

    engineer, work_order = _field_work()
    visit = _visit(work_order, engineer, VisitState.DONE)
    submitted = state != SupervisionState.PENDING
    card = SupervisionCard.objects.create(
        visit=visit,
        state=state,
        due_at=timezone.now() + timedelta(days=1),
        summary="已更换定影组件" if submitted else "",
        submitted_at=timezone.now() if submitted else None,
    )
    values = {"summary": "按时完成，客户满意", "note": "请补充到场时间"}
    return World(
        obj=card,
        actor=lambda role: engineer.user if role == Role.ENGINEER else staff(role),
        inputs=lambda t: {name: values[name] for name in t.inputs if name in values},
        events=lambda: WorkOrderEvent.objects.filter(
            work_order=work_order, action__startswith="card_"
        ).count(),
        outsider=lambda: f.EngineerFactory(service_point=engineer.service_point).user,
    )


@world("appointment")
def appointment_world(state: str, transition: Transition) -> World:
    from datetime import time, timedelta

    from django.utils import timezone

    from aftersales.field.models import Appointment

    engineer, work_order = _field_work(State.ASSIGNED)
    day = timezone.localdate() + timedelta(days=1)
    appointment = Appointment.objects.create(
        work_order=work_order,
        engineer=engineer,
        date=day,
        window_start=time(9),
        window_end=time(11),
        state=state,
    )
    values = {
        "reason": "客户临时出差",
        "engineer": f.EngineerFactory(service_point=engineer.service_point),
        "conflict": {"code": "on_leave", "date": f"{day:%Y-%m-%d}"},
    }
    return World(
        obj=appointment,
        actor=lambda role: engineer.user if role == Role.ENGINEER else staff(role),
        inputs=lambda t: {name: values[name] for name in t.inputs if name in values},
        events=lambda: WorkOrderEvent.objects.filter(work_order=work_order, kind="appointment").count(),
        outsider=lambda: f.EngineerFactory(service_point=engineer.service_point).user,
    )
