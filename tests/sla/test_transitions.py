"""The clock lifecycle (R34, R18): the table of what each work-order transition does to the clocks,
the clock's state following its work order, and a clock move refused where its transition does not
start. (Sources, targets and roles of the clock machine are proven by tests/test_machines.py.)

Frozen clock, default policy 标准服务时效, standard calendar (see test_clocks.py)."""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps

from aftersales.sla.choices import ClockState, MilestoneKind
from aftersales.sla.models import SlaClock
from aftersales.sla.transitions import CLOCK, ON_TARGET, ON_TRANSITION, clock_move, clock_plan
from aftersales.workorders.choices import State, WaitingReason
from aftersales.workorders.transitions import WORKORDER
from tests.timeutil import at

from .helpers import DIAGNOSIS, FIRST, RECORD, REPAIR, clock, create, move

pytestmark = pytest.mark.django_db


def states(work_order) -> dict[str, str]:
    return dict(SlaClock.objects.filter(work_order=work_order).values_list("kind", "state"))


# The table -----------------------------------------------------------------------------------------


def test_r34_the_table_names_work_order_transitions_and_states_and_clock_transitions_only():
    """A renamed transition on either side cannot leave the table silently dead."""
    assert set(ON_TRANSITION) <= set(WORKORDER.transitions)
    assert set(ON_TARGET) <= set(State.values)
    plans = [*ON_TRANSITION.values(), *ON_TARGET.values()]
    for plan in plans:
        for step in (*plan.first, *plan.then):
            assert step.action in CLOCK.transitions
            assert step.kinds <= set(MilestoneKind.values)
        assert plan.restart <= set(MilestoneKind.values)


@pytest.mark.parametrize(
    ("action", "target", "first", "policy", "restart", "then"),
    [
        ("accept", State.ACCEPTED, [], True, set(), []),
        ("wait", State.WAITING, [("pause", set())], True, set(), []),
        ("resume", State.IN_SERVICE, [("resume", set())], True, set(), []),
        ("reopen", State.IN_SERVICE, [], True, {REPAIR}, [("void", {RECORD})]),
        ("close", State.CLOSED, [], True, set(), [("void", set())]),
        ("resolve", State.CLOSED, [], True, set(), [("void", set())]),
        ("cancel", State.CANCELLED, [("void", set())], False, set(), []),
    ],
)
def test_r34_r18_what_each_work_order_transition_does_to_the_clocks(
    action, target, first, policy, restart, then
):
    plan = clock_plan(action, target)

    assert [(step.action, set(step.kinds)) for step in plan.first] == first
    assert plan.policy is policy and set(plan.restart) == restart
    assert [(step.action, set(step.kinds)) for step in plan.then] == then


# The clock's state follows its work order -------------------------------------------------------------


def test_r34_the_clock_state_follows_the_work_order_through_its_lifecycle(people):
    work_order = create(people, at(2026, 11, 2, 9))
    assert states(work_order) == {FIRST: ClockState.RUNNING}

    move(people, work_order, "accept", at(2026, 11, 2, 9, 30))
    move(people, work_order, "assign", at(2026, 11, 2, 9, 45))
    move(people, work_order, "start", at(2026, 11, 2, 10))
    move(people, work_order, "wait", at(2026, 11, 2, 11), waiting_reason=WaitingReason.PARTS)
    assert states(work_order) == {
        FIRST: ClockState.STOPPED,
        DIAGNOSIS: ClockState.STOPPED,
        REPAIR: ClockState.PAUSED,
    }

    move(people, work_order, "resume", at(2026, 11, 3, 9))
    move(people, work_order, "complete", at(2026, 11, 3, 16))
    assert states(work_order)[REPAIR] == ClockState.STOPPED
    assert states(work_order)[RECORD] == ClockState.RUNNING

    move(people, work_order, "close", at(2026, 11, 4, 9))
    assert set(states(work_order).values()) == {ClockState.STOPPED}
    # the state says what the times say: the periodic job's indexes read the times
    for row in SlaClock.objects.filter(work_order=work_order):
        assert row.stopped_at is not None and row.paused_at is None


def test_r34_wait_pauses_only_running_clocks_and_resume_resumes_only_paused_ones(people):
    work_order = create(people, at(2026, 11, 2, 9))
    first = clock(work_order, FIRST)

    assert not clock_move(first, "resume", at=at(2026, 11, 2, 10))  # running: nothing to resume
    assert clock_move(first, "pause", at=at(2026, 11, 2, 10), reason=WaitingReason.CUSTOMER)
    assert not clock_move(first, "pause", at=at(2026, 11, 2, 11))  # paused already: left as is

    first.refresh_from_db()
    assert first.state == ClockState.PAUSED and first.paused_at == at(2026, 11, 2, 10)
    assert first.paused_reason == WaitingReason.CUSTOMER


def test_r34_a_stopped_clock_keeps_its_verdict_when_the_work_order_is_cancelled(people):
    work_order = create(people, at(2026, 11, 2, 9))
    move(people, work_order, "accept", at(2026, 11, 2, 9, 30))  # first response met

    move(people, work_order, "cancel", at(2026, 11, 3, 9))

    first, diagnosis = clock(work_order, FIRST), clock(work_order, DIAGNOSIS)
    assert (first.state, first.met, first.stopped_at) == (ClockState.STOPPED, True, at(2026, 11, 2, 9, 30))
    assert (diagnosis.state, diagnosis.met, diagnosis.stopped_at) == (
        ClockState.STOPPED,
        None,
        at(2026, 11, 3, 9),
    )


def test_r34_start_needs_the_milestone_it_counts():
    with pytest.raises(ValueError, match="milestone"):
        clock_move(SlaClock(kind=FIRST), "start", at=at(2026, 11, 2, 9))


def test_r34_clocks_written_before_they_had_a_state_get_theirs_from_their_times(people):
    work_order = create(people, at(2026, 11, 2, 9))
    move(people, work_order, "accept", at(2026, 11, 2, 9, 30))
    move(people, work_order, "assign", at(2026, 11, 2, 9, 45))
    move(people, work_order, "start", at(2026, 11, 2, 10))
    move(people, work_order, "wait", at(2026, 11, 2, 11), waiting_reason=WaitingReason.PARTS)
    expected = states(work_order)
    SlaClock.objects.update(state=ClockState.RUNNING)  # as the column's default left old rows

    import_module("aftersales.sla.migrations.0009_backfill_clock_state").backfill(apps, None)

    assert states(work_order) == expected


def test_r34_a_restarted_clock_counts_its_whole_budget_again(people):
    work_order = create(people, at(2026, 11, 2, 9))
    for action, moment in [
        ("accept", at(2026, 11, 2, 9, 30)),
        ("assign", at(2026, 11, 2, 9, 45)),
        ("start", at(2026, 11, 2, 10)),
        ("wait", at(2026, 11, 2, 11)),
        ("resume", at(2026, 11, 3, 11)),
        ("complete", at(2026, 11, 3, 16)),
        ("reopen", at(2026, 11, 4, 9)),
    ]:
        move(
            people,
            work_order,
            action,
            moment,
            **({"waiting_reason": WaitingReason.PARTS} if action == "wait" else {}),
        )

    repair = clock(work_order, REPAIR)
    assert repair.state == ClockState.RUNNING and repair.paused_total == timedelta(0)
    assert repair.started_at == at(2026, 11, 4, 9) and repair.target == timedelta(hours=48)
