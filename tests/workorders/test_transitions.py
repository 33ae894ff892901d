"""The work-order lifecycle (ARCHITECTURE.md, R4, R41): what each transition records and needs.

The allowed/refused matrix of every state, role and transition is the generic contract of every
machine (tests/test_machines.py); here are the work order's own rules: inputs, effects, history.
"""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from aftersales.accounts.choices import Role
from aftersales.core.errors import ConcurrentUpdate, DomainError, NotPermitted, TransitionNotAllowed
from aftersales.core.models import ChangeRecord
from aftersales.workorders.choices import State, WaitingReason, WorkOrderType
from aftersales.workorders.events import event_text
from aftersales.workorders.models import WorkOrder, WorkOrderEvent
from aftersales.workorders.services import workorder_transition
from aftersales.workorders.transitions import TRANSITIONS, transitions_available
from tests import factories as f

pytestmark = pytest.mark.django_db

# States in which an engineer is (normally) on the work order.
STATES_WITH_ENGINEER = {State.ASSIGNED, State.IN_SERVICE, State.WAITING, State.COMPLETED, State.CLOSED}


class Scene:
    """A dealer's service point with two engineers, and one work order in the given state."""

    def __init__(self, *, state: str, transition_name: str):
        self.dealer = f.DealerFactory()
        self.point = f.ServicePointFactory(dealer=self.dealer)
        self.engineer = f.EngineerFactory(service_point=self.point)
        self.other_engineer = f.EngineerFactory(service_point=self.point)
        order_type = WorkOrderType.CONSULTATION if transition_name == "resolve" else WorkOrderType.REPAIR
        self.work_order = f.WorkOrderFactory(
            state=state,
            type=order_type,
            service_point=self.point,
            engineer=self.engineer if state in STATES_WITH_ENGINEER else None,
            waiting_reason=WaitingReason.PARTS if state == State.WAITING else "",
        )

    def actor(self, role: str):
        if role == Role.ENGINEER:
            return self.engineer.user  # the engineer assigned to the work order
        if role == Role.DEALER_STAFF:
            return f.UserFactory(role=role, dealer=self.dealer)
        return f.UserFactory(role=role)

    def inputs(self, transition_name: str) -> dict:
        """Valid inputs for the transition (R41 notes, engineer, reason, resolution)."""
        values = {
            "note": "客户不满意，重新处理",
            "engineer": self.other_engineer,
            "waiting_reason": WaitingReason.PARTS,
            "resolution": "更换定影组件后打印正常",
        }
        transition = TRANSITIONS[transition_name]
        wanted = transition.needs | (transition.inputs - {"note"})
        return {name: value for name, value in values.items() if name in wanted}


def run(scene: Scene, name: str, actor, **overrides):
    inputs = {**scene.inputs(name), **overrides}
    return workorder_transition(work_order_id=scene.work_order.pk, action=name, actor=actor, **inputs)


def transition_events(work_order: WorkOrder):
    return list(WorkOrderEvent.objects.filter(work_order=work_order, kind="transition"))


def state_changes(work_order: WorkOrder):
    return list(
        ChangeRecord.objects.filter(
            content_type=ContentType.objects.get_for_model(WorkOrder), object_id=work_order.pk, field="state"
        )
    )


def assert_untouched(scene: Scene, state: str) -> None:
    scene.work_order.refresh_from_db()
    assert scene.work_order.state == state
    assert scene.work_order.version == 1
    assert transition_events(scene.work_order) == []
    assert state_changes(scene.work_order) == []


def test_r41_a_transition_is_recorded_with_who_from_where_to_where(dispatcher):
    """One append-only event and one history row say who moved it from where to where (R41); the
    engineer assigned is a parameter of the event, shown in the reader's language."""
    scene = Scene(state=State.ACCEPTED, transition_name="assign")

    work_order = run(scene, "assign", dispatcher, note="就近派单")

    assert (work_order.state, work_order.version) == (State.ASSIGNED, 2)
    [event] = transition_events(work_order)
    assert (event.actor, event.action, event.from_state, event.to_state, event.note) == (
        dispatcher,
        "assign",
        State.ACCEPTED,
        State.ASSIGNED,
        "就近派单",
    )
    assert event.params == {
        "machine": "workorder",
        "transition": "assign",
        "engineer": str(scene.other_engineer),
    }
    assert str(scene.other_engineer) in event_text(event)
    [change] = state_changes(work_order)
    assert (change.actor, change.old_value, change.new_value) == (
        dispatcher,
        str(State.ACCEPTED.label),
        str(State.ASSIGNED.label),
    )


def test_superuser_may_run_any_transition(make_user):
    scene = Scene(state=State.ASSIGNED, transition_name="start")
    admin = make_user(Role.AGENT, username="root", is_superuser=True)

    assert run(scene, "start", admin).state == State.IN_SERVICE


def test_every_state_is_reachable_and_terminal_states_only_leave_by_reopen():
    targets = {t.target for t in TRANSITIONS.values()}
    assert set(State.values) - {State.NEW} <= targets
    leaving_closed = {name for name, t in TRANSITIONS.items() if State.CLOSED in t.sources}
    assert leaving_closed == {"reopen"}
    assert not [name for name, t in TRANSITIONS.items() if State.CANCELLED in t.sources]


# ---------------------------------------------------------------- required inputs


@pytest.mark.parametrize(("name", "source"), [("cancel", State.NEW), ("reopen", State.CLOSED)])
@pytest.mark.parametrize("note", ["", "   "])
def test_r41_cancel_and_reopen_need_a_reason(name, source, note, supervisor):
    scene = Scene(state=source, transition_name=name)

    with pytest.raises(DomainError) as error:
        run(scene, name, supervisor, note=note)

    assert (error.value.code, error.value.field) == ("required", "note")
    assert_untouched(scene, source)


def test_assign_needs_an_engineer(dispatcher):
    scene = Scene(state=State.ACCEPTED, transition_name="assign")

    with pytest.raises(DomainError) as error:
        run(scene, "assign", dispatcher, engineer=None)

    assert (error.value.code, error.value.field) == ("required", "engineer")
    assert_untouched(scene, State.ACCEPTED)


def test_assign_refuses_an_inactive_engineer(dispatcher):
    scene = Scene(state=State.ACCEPTED, transition_name="assign")
    scene.other_engineer.is_active = False
    scene.other_engineer.save()

    with pytest.raises(DomainError) as error:
        run(scene, "assign", dispatcher)

    assert error.value.code == "inactive"
    assert_untouched(scene, State.ACCEPTED)


def test_r37_dealer_staff_assign_only_their_own_dealers_engineers():
    scene = Scene(state=State.ACCEPTED, transition_name="assign")
    stranger = f.EngineerFactory(service_point=f.ServicePointFactory(dealer=f.DealerFactory()))

    with pytest.raises(NotPermitted):
        run(scene, "assign", scene.actor(Role.DEALER_STAFF), engineer=stranger)

    assert_untouched(scene, State.ACCEPTED)


def test_assign_moves_the_work_order_to_the_engineers_service_point(dispatcher):
    scene = Scene(state=State.ACCEPTED, transition_name="assign")
    elsewhere = f.EngineerFactory()

    work_order = run(scene, "assign", dispatcher, engineer=elsewhere)

    assert (work_order.engineer, work_order.service_point) == (elsewhere, elsewhere.service_point)
    fields = set(ChangeRecord.objects.filter(object_id=work_order.pk).values_list("field", flat=True))
    assert {"state", "engineer", "service_point"} <= fields


@pytest.mark.parametrize("reason", ["", "lunch"])
def test_wait_needs_a_known_waiting_reason(reason):
    scene = Scene(state=State.IN_SERVICE, transition_name="wait")

    with pytest.raises(DomainError) as error:
        run(scene, "wait", scene.actor(Role.ENGINEER), waiting_reason=reason)

    assert error.value.field == "waiting_reason"
    assert_untouched(scene, State.IN_SERVICE)


def test_wait_records_the_reason_and_resume_clears_it():
    scene = Scene(state=State.IN_SERVICE, transition_name="wait")
    engineer = scene.actor(Role.ENGINEER)

    waiting = run(scene, "wait", engineer, waiting_reason=WaitingReason.CUSTOMER)
    assert (waiting.state, waiting.waiting_reason) == (State.WAITING, WaitingReason.CUSTOMER)

    resumed = run(scene, "resume", engineer)
    assert (resumed.state, resumed.waiting_reason) == (State.IN_SERVICE, "")


@pytest.mark.parametrize(("name", "source"), [("complete", State.IN_SERVICE), ("resolve", State.NEW)])
def test_complete_and_resolve_need_a_resolution(name, source, supervisor):
    scene = Scene(state=source, transition_name=name)

    with pytest.raises(DomainError) as error:
        run(scene, name, supervisor, resolution="  ")

    assert (error.value.code, error.value.field) == ("required", "resolution")
    assert_untouched(scene, source)


def test_complete_accepts_a_resolution_written_earlier(supervisor):
    scene = Scene(state=State.IN_SERVICE, transition_name="complete")
    WorkOrder.objects.filter(pk=scene.work_order.pk).update(resolution="已更换硒鼓")

    work_order = run(scene, "complete", supervisor, resolution="")

    assert (work_order.state, work_order.resolution) == (State.COMPLETED, "已更换硒鼓")
    assert work_order.completed_at is not None


def test_unknown_action_is_a_clear_error(agent):
    scene = Scene(state=State.NEW, transition_name="accept")

    with pytest.raises(DomainError) as error:
        workorder_transition(work_order_id=scene.work_order.pk, action="teleport", actor=agent)

    assert error.value.code == "unknown_action"


def test_stale_version_refuses_the_transition(agent):
    scene = Scene(state=State.NEW, transition_name="accept")

    with pytest.raises(ConcurrentUpdate) as error:
        run(scene, "accept", agent, expected_version=7)

    assert error.value.status == 409
    assert_untouched(scene, State.NEW)


# ---------------------------------------------------------------- first-contact resolution (R4)


@pytest.mark.parametrize("source", [State.NEW, State.ACCEPTED])
def test_r4_consultation_resolved_and_closed_at_first_contact(source, agent):
    scene = Scene(state=source, transition_name="resolve")

    work_order = run(scene, "resolve", agent, resolution="已电话告知操作步骤")

    assert work_order.state == State.CLOSED
    assert work_order.resolution == "已电话告知操作步骤"
    assert work_order.closed_at is not None and work_order.completed_at is not None


@pytest.mark.parametrize("order_type", sorted(set(WorkOrderType.values) - {WorkOrderType.CONSULTATION}))
def test_r4_first_contact_resolution_only_for_consultations(order_type, agent):
    scene = Scene(state=State.NEW, transition_name="resolve")
    WorkOrder.objects.filter(pk=scene.work_order.pk).update(type=order_type)

    with pytest.raises(TransitionNotAllowed) as error:
        run(scene, "resolve", agent)

    assert error.value.field == "type"
    assert_untouched(scene, State.NEW)


def test_r4_available_actions_offer_resolution_only_for_consultations(agent):
    consultation = Scene(state=State.NEW, transition_name="resolve").work_order
    repair = Scene(state=State.NEW, transition_name="accept").work_order

    assert [t.name for t in transitions_available(consultation, agent)] == ["accept", "resolve", "cancel"]
    assert [t.name for t in transitions_available(repair, agent)] == ["accept", "cancel"]


# ---------------------------------------------------------------- timestamps and the full path


def test_r41_full_lifecycle_keeps_an_ordered_timeline(agent, dispatcher, clerk):
    """accept → assign → start → wait → resume → complete → close → reopen, each an event."""
    scene = Scene(state=State.NEW, transition_name="accept")
    engineer = scene.engineer.user
    steps = [
        ("accept", agent, {}),
        ("assign", dispatcher, {"engineer": scene.engineer}),
        ("start", engineer, {}),
        ("wait", engineer, {"waiting_reason": WaitingReason.PARTS}),
        ("resume", engineer, {}),
        ("complete", engineer, {"resolution": "更换搓纸轮"}),
        ("close", clerk, {}),
        ("reopen", clerk, {"note": "回访不满意"}),
    ]
    for name, actor, inputs in steps:
        work_order = workorder_transition(
            work_order_id=scene.work_order.pk, action=name, actor=actor, **inputs
        )
        if name == "accept":
            assert work_order.accepted_at is not None
        if name == "complete":
            assert work_order.completed_at is not None
        if name == "close":
            assert work_order.closed_at is not None

    assert work_order.state == State.IN_SERVICE
    assert (work_order.completed_at, work_order.closed_at) == (None, None)
    assert work_order.version == 1 + len(steps)
    assert [e.action for e in transition_events(work_order)] == [name for name, _, _ in steps]
    kinds = list(work_order.events.values_list("kind", flat=True))
    assert kinds.count("notification") == 1  # the acknowledgement (R3)


# ---------------------------------------------------------------- append-only history (R41)


def test_r41_events_cannot_be_edited_or_deleted(agent):
    scene = Scene(state=State.NEW, transition_name="accept")
    run(scene, "accept", agent)
    [event] = transition_events(scene.work_order)

    event.note = "篡改"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    event.refresh_from_db()
    assert event.note == ""


def test_r41_change_records_cannot_be_edited_or_deleted(agent):
    scene = Scene(state=State.NEW, transition_name="accept")
    run(scene, "accept", agent)
    [change] = state_changes(scene.work_order)

    change.new_value = "篡改"
    with pytest.raises(ValueError, match="append-only"):
        change.save()
    with pytest.raises(ValueError, match="append-only"):
        change.delete()
    change.refresh_from_db()
    assert change.new_value == str(State.ACCEPTED.label)
