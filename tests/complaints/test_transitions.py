"""R26, R27: every step of both lifecycles is allowed only from its declared states and for its
roles; everything else is refused (409 / 403) and changes nothing."""

from __future__ import annotations

import pytest

from aftersales.accounts.choices import Role
from aftersales.complaints.choices import CaseState, ComplaintOutcome, ComplaintState
from aftersales.complaints.models import ComplaintEvent
from aftersales.complaints.services import case_transition, complaint_transition
from aftersales.complaints.transitions import (
    CASE,
    COMPLAINT,
    may_configure_criteria,
    may_open_case,
    may_register,
)
from aftersales.core.errors import DomainError, NotPermitted, TransitionNotAllowed

from .. import factories as f

pytestmark = pytest.mark.django_db

# How to bring a complaint into each state.
COMPLAINT_PATHS = {
    ComplaintState.REGISTERED: (),
    ComplaintState.ACCEPTED: ("accept",),
    ComplaintState.ANALYSED: ("accept", "analyse"),
    ComplaintState.HANDLED: ("accept", "analyse", "handle"),
    ComplaintState.FED_BACK: ("accept", "analyse", "handle", "feed_back"),
    ComplaintState.CLOSED: ("accept", "analyse", "handle", "feed_back", "close"),
}
ALL_INPUTS = {"note": "说明", "cause": "原因", "measures": "措施", "feedback": "反馈"}


def inputs_of(transition, values: dict) -> dict:
    """The values of the inputs `transition` takes (a transition refuses inputs it does not know)."""
    return {name: value for name, value in values.items() if name in transition.inputs}


@pytest.mark.parametrize("state", list(COMPLAINT_PATHS))
@pytest.mark.parametrize("action", list(COMPLAINT.transitions))
def test_r26_complaint_step_runs_only_from_its_source_states(
    state, action, register, advance, work_order, supervisor
):
    complaint = advance(register(work_order), *COMPLAINT_PATHS[state])
    transition = COMPLAINT[action]
    inputs = inputs_of(transition, ALL_INPUTS)
    if state in transition.sources:
        done = complaint_transition(complaint_id=complaint.pk, action=action, actor=supervisor, **inputs)
        assert done.state == transition.target
    else:
        events = ComplaintEvent.objects.filter(complaint=complaint).count()
        with pytest.raises(TransitionNotAllowed):
            complaint_transition(complaint_id=complaint.pk, action=action, actor=supervisor, **inputs)
        complaint.refresh_from_db()
        assert complaint.state == state
        assert ComplaintEvent.objects.filter(complaint=complaint).count() == events


@pytest.mark.parametrize(
    "action, allowed, refused",
    [
        ("accept", {Role.QUALITY, Role.SUPERVISOR, Role.HQ_ADMIN}, {Role.AGENT, Role.CLERK, Role.ENGINEER}),
        ("reject", {Role.QUALITY, Role.SUPERVISOR}, {Role.AGENT, Role.DISPATCHER, Role.DEALER_STAFF}),
        ("analyse", {Role.QUALITY, Role.SUPERVISOR}, {Role.AGENT, Role.CLERK, Role.FINANCE}),
        ("handle", {Role.QUALITY, Role.SUPERVISOR, Role.CLERK}, {Role.AGENT, Role.ENGINEER}),
        ("feed_back", {Role.AGENT, Role.QUALITY, Role.SUPERVISOR}, {Role.CLERK, Role.PARTS_CLERK}),
        ("close", {Role.CLERK, Role.QUALITY, Role.SUPERVISOR}, {Role.AGENT, Role.DEALER_STAFF}),
    ],
)
def test_r26_complaint_steps_by_role(action, allowed, refused, register, advance, work_order, make_user):
    source = next(iter(COMPLAINT[action].sources))
    inputs = inputs_of(COMPLAINT[action], ALL_INPUTS)
    for role in refused:
        complaint = advance(register(work_order), *COMPLAINT_PATHS[source])
        with pytest.raises(NotPermitted):
            complaint_transition(
                complaint_id=complaint.pk,
                action=action,
                actor=make_user(role, username=f"x-{role}"),
                **inputs,
            )
    for role in allowed:
        complaint = advance(register(work_order), *COMPLAINT_PATHS[source])
        actor = make_user(role, username=f"ok-{role}")
        assert COMPLAINT[action] in COMPLAINT.available(complaint, actor)
        complaint_transition(complaint_id=complaint.pk, action=action, actor=actor, **inputs)


def test_r26_rejection_needs_a_reason_and_closes_the_complaint(register, work_order, quality):
    complaint = register(work_order)
    with pytest.raises(DomainError) as refused:
        complaint_transition(complaint_id=complaint.pk, action="reject", actor=quality, note="  ")
    assert refused.value.field == "note"
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.REGISTERED and complaint.responded_at is None

    complaint = complaint_transition(
        complaint_id=complaint.pk, action="reject", actor=quality, note="经核实不属实", is_reasonable=True
    )
    assert complaint.state == ComplaintState.CLOSED
    assert complaint.outcome == ComplaintOutcome.REJECTED
    assert (complaint.is_authentic, complaint.is_reasonable) == (False, True)
    assert complaint.assessment_note == "经核实不属实"
    assert complaint.responded_at is not None and complaint.closed_at is not None


def test_r26_acceptance_records_authentic_and_reasonable(register, work_order, quality):
    complaint = complaint_transition(complaint_id=register(work_order).pk, action="accept", actor=quality)
    assert complaint.outcome == ComplaintOutcome.ACCEPTED
    assert complaint.is_authentic is True and complaint.is_reasonable is True


@pytest.mark.parametrize(
    "action, path, field", [("analyse", 1, "cause"), ("handle", 2, "measures"), ("feed_back", 3, "feedback")]
)
def test_r26_each_step_needs_its_text(action, path, field, register, advance, work_order, supervisor):
    steps = ("accept", "analyse", "handle")[:path]
    complaint = advance(register(work_order), *steps)
    with pytest.raises(DomainError) as refused:
        complaint_transition(complaint_id=complaint.pk, action=action, actor=supervisor)
    assert refused.value.field == field and refused.value.code == "required"


def test_r26_unknown_action_is_refused(register, supervisor):
    complaint = register(None, customer=f.CustomerFactory())
    with pytest.raises(DomainError):
        complaint_transition(complaint_id=complaint.pk, action="archive", actor=supervisor)


# -- difficult cases (R27) -----------------------------------------------------------------------

CASE_PATHS = {
    CaseState.OPEN: (),
    CaseState.IN_PROGRESS: ("start",),
    CaseState.ESCALATED: ("start", "escalate"),
    CaseState.RESOLVED: ("start", "resolve"),
    CaseState.CLOSED: ("start", "resolve", "close"),
}


@pytest.fixture
def open_case(work_order, supervisor, clerk, make_user):
    from aftersales.complaints.services import case_open

    def make(*steps: str):
        case = case_open(work_order=work_order, handler=clerk, actor=supervisor, note="手工立案")
        for step in steps:
            case = case_transition(
                case_id=case.pk, action=step, actor=supervisor, **case_inputs(step, supervisor)
            )
        return case

    return make


def case_inputs(action: str, supervisor) -> dict:
    values = {"note": "说明", "result": "已解决", "handler": supervisor if action == "escalate" else None}
    return inputs_of(CASE[action], values)


@pytest.mark.parametrize("state", list(CASE_PATHS))
@pytest.mark.parametrize("action", list(CASE.transitions))
def test_r27_case_step_runs_only_from_its_source_states(state, action, open_case, supervisor, make_user):
    case = open_case(*CASE_PATHS[state])
    transition = CASE[action]
    next_handler = supervisor if case.level == 1 else make_user(Role.HQ_ADMIN, username="hq")
    inputs = case_inputs(action, next_handler)
    if state in transition.sources:
        done = case_transition(case_id=case.pk, action=action, actor=supervisor, **inputs)
        assert done.state == (transition.target or state)
    else:
        with pytest.raises(TransitionNotAllowed):
            case_transition(case_id=case.pk, action=action, actor=supervisor, **inputs)
        case.refresh_from_db()
        assert case.state == state


def test_r27_the_handler_works_the_case_whatever_their_role(work_order, supervisor, make_user):
    from aftersales.complaints.services import case_open

    handler = make_user(Role.DEALER_STAFF, username="point_head")
    case = case_open(work_order=work_order, handler=handler, actor=supervisor, note="手工立案")
    case = case_transition(case_id=case.pk, action="start", actor=handler)
    case = case_transition(case_id=case.pk, action="record", actor=handler, note="已远程诊断")
    case = case_transition(case_id=case.pk, action="resolve", actor=handler, result="更换主板")
    assert case.state == CaseState.RESOLVED
    with pytest.raises(NotPermitted):  # closing is for clerks and department heads
        case_transition(case_id=case.pk, action="close", actor=handler)
    other = make_user(Role.DEALER_STAFF, username="someone_else")
    with pytest.raises(NotPermitted):
        case_transition(case_id=case.pk, action="reopen", actor=other, note="x")


# -- named permissions (R26, R27) ----------------------------------------------------------------


@pytest.mark.parametrize(
    "role, registers, opens_cases, sets_criteria",
    [
        (Role.AGENT, True, False, False),
        (Role.CLERK, True, True, False),
        (Role.QUALITY, True, True, False),
        (Role.SUPERVISOR, True, True, True),
        (Role.HQ_ADMIN, True, True, True),
        (Role.ENGINEER, False, False, False),
        (Role.DEALER_STAFF, False, False, False),
        (Role.FINANCE, False, False, False),
    ],
)
def test_r26_r27_named_permissions_by_role(role, registers, opens_cases, sets_criteria, make_user):
    user = make_user(role, username=f"p-{role}")
    assert (may_register(user), may_open_case(user), may_configure_criteria(user)) == (
        registers,
        opens_cases,
        sets_criteria,
    )


def test_r27_the_handler_sees_the_steps_they_may_take(work_order, supervisor, make_user):
    """The handler's buttons are the handling steps; closing and reopening are the case team's."""
    from aftersales.complaints.services import case_open

    handler = make_user(Role.DEALER_STAFF, username="point_head")
    case = case_open(work_order=work_order, handler=handler, actor=supervisor, note="手工立案")
    assert [t.name for t in CASE.available(case, handler)] == ["start", "escalate"]
    case = case_transition(case_id=case.pk, action="start", actor=handler)
    case = case_transition(case_id=case.pk, action="resolve", actor=handler, result="更换主板")
    assert CASE.available(case, handler) == []
    assert [t.name for t in CASE.available(case, supervisor)] == ["reopen", "close"]
    someone = make_user(Role.DEALER_STAFF, username="someone")
    assert CASE.available(case, someone) == []
