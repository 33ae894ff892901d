"""The service-level clock lifecycle (R34, R18), and what each work-order transition does to a
work order's clocks.

```
                 ┌──pause (the work order waits)──▶ paused ──resume──┐
    ──start──▶ running ◀─────────────────────────────────────────────┘
                 │  running | paused ──stop (a milestone's stop event: met or breached)──▶ stopped
                 │  running | paused ──void (cancelled, closed...: no verdict)───────────▶ stopped
    any state ──start (a milestone's start event again; reopen restarts the repair clock)──▶ running
```

Every transition is the system's (no roles): a clock moves only because its work order did. A
stopped clock's verdict is `met` (True: in time, False: breached, None: voided). The periodic
job's warnings and escalations (`services.sla_clocks_check`) are marks on a running clock, not
state changes.

**Why the clocks are moved in bulk.** Clocks change inside every work-order transition (through
`hooks.py`, while the work order's row is locked) and are counted by query-count tests there.
`transition_run` per clock would lock and read each clock row again (a query per clock) and go
through the generic runner for a handful of field updates. So `clock_move` applies this machine's
declarations to clocks already read: it refuses (skips) a clock that is not in one of the
transition's sources, gives the transition the inputs it declares (and fails without the ones it
needs), sets the target state, runs the declared effects and saves the clock once. It takes no
lock of its own (the work order's row lock serialises the writers of its clocks) and records no
event (the clocks panel shows them). `transition_run` runs this machine too: the contract test
(tests/test_machines.py) proves the declarations through it.

`ON_TRANSITION` and `ON_TARGET` are the table "work-order transition → clock actions": what a
work-order transition (by name, or by the state it reaches) does to the clocks besides the
policy's own starts and stops (`SlaMilestone.start_on`/`stop_on`, data edited in the admin).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils.translation import gettext_lazy as _

from aftersales.core.transitions import Machine, Transition, TransitionRun
from aftersales.workorders.choices import State

from .calendar import WorkingTime
from .choices import WARNING_SHARE, ClockState, MilestoneKind
from .models import SlaClock
from .selectors import working_time_for

SYSTEM: frozenset[str] = frozenset()  # no role: only the system runs these
LIVE = frozenset({ClockState.RUNNING, ClockState.PAUSED})


class ClockCalendar:
    """A work order's working time, loaded on first use (most clock moves never need it)."""

    def __init__(self, work_order) -> None:
        self._work_order = work_order
        self._working_time: WorkingTime | None = None

    def get(self) -> WorkingTime:
        if self._working_time is None:
            wo = self._work_order
            self._working_time = working_time_for(wo.service_point if wo.service_point_id else None)
        return self._working_time

    def add(self, clock: SlaClock, start: datetime, duration: timedelta) -> datetime:
        if clock.business_time:
            return self.get().add_business_time(start, duration)
        return start + duration

    def measure(self, clock: SlaClock, start: datetime, end: datetime) -> timedelta:
        if clock.business_time:
            return self.get().business_time_between(start, end)
        return max(end - start, timedelta(0))


def _calendar(run: TransitionRun) -> ClockCalendar:
    return run.inputs.get("calendar") or ClockCalendar(run.obj.work_order)


# --- effects ---------------------------------------------------------------------------------------


def start_budget(run: TransitionRun) -> None:
    """(Re)start from now with the milestone's budget, copied onto the clock (later policy edits
    do not move it); the warning comes at 75 % of it; pauses, verdict and marks are cleared."""
    milestone = run.inputs["milestone"]
    run.set(
        policy_id=milestone.policy_id,
        target=milestone.target,
        business_time=milestone.business_time,
        started_at=run.now,
        paused_at=None,
        paused_reason="",
        paused_total=timedelta(0),
        stopped_at=None,
        met=None,
        breached_at=None,
        warned_at=None,
        escalated_at=None,
    )
    calendar, clock = _calendar(run), run.obj
    run.set(
        due_at=calendar.add(clock, run.now, clock.target),
        warn_at=calendar.add(clock, run.now, clock.target * WARNING_SHARE),
    )


def pause_with_reason(run: TransitionRun) -> None:
    """The clock stops counting; the reason is what the work order waits for (customer, parts...)."""
    run.set(paused_at=run.now, paused_reason=run.text("reason"))


def resume_budget(run: TransitionRun) -> None:
    """R34: the pause does not count. The working time paused is added to `paused_total`; the due
    time becomes now plus what was left of the budget when the clock paused (a clock already past
    due keeps its due time); the warning time moves the same way (a clock already past 75 % is at
    risk at once)."""
    calendar, clock = _calendar(run), run.obj
    used = calendar.measure(clock, clock.started_at, clock.paused_at) - clock.paused_total
    remaining = clock.target - used
    run.set(
        paused_total=clock.paused_total + calendar.measure(clock, clock.paused_at, run.now),
        warn_at=calendar.add(clock, run.now, max(clock.target * WARNING_SHARE - used, timedelta(0))),
        paused_at=None,
        paused_reason="",
    )
    if remaining > timedelta(0):
        run.set(due_at=calendar.add(clock, run.now, remaining))


def verdict(run: TransitionRun) -> None:
    """Met when stopped at or before the due time; else breached (at the due time)."""
    clock = run.obj
    met = run.now <= clock.due_at
    run.set(stopped_at=run.now, met=met, breached_at=clock.breached_at or (None if met else clock.due_at))


def no_verdict(run: TransitionRun) -> None:
    run.set(stopped_at=run.now, met=None)


# --- the machine -----------------------------------------------------------------------------------

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "start",
            _("Start the clock"),
            frozenset(ClockState.values),
            ClockState.RUNNING,
            SYSTEM,
            needs=frozenset({"milestone"}),
            accepts=frozenset({"calendar"}),
            effects=(start_budget,),
        ),
        Transition(
            "pause",
            _("Pause the clock"),
            frozenset({ClockState.RUNNING}),
            ClockState.PAUSED,
            SYSTEM,
            accepts=frozenset({"reason"}),
            effects=(pause_with_reason,),
        ),
        Transition(
            "resume",
            _("Resume the clock"),
            frozenset({ClockState.PAUSED}),
            ClockState.RUNNING,
            SYSTEM,
            accepts=frozenset({"calendar"}),
            effects=(resume_budget,),
        ),
        Transition("stop", _("Stop the clock"), LIVE, ClockState.STOPPED, SYSTEM, effects=(verdict,)),
        Transition(
            "void",
            _("Stop the clock without a verdict"),
            LIVE,
            ClockState.STOPPED,
            SYSTEM,
            effects=(no_verdict,),
        ),
    )
}

CLOCK = Machine(name="sla_clock", model=SlaClock, transitions=TRANSITIONS, lock_related=("work_order",))


def clock_move(clock: SlaClock, action: str, *, at: datetime, save: bool = True, **context: Any) -> bool:
    """Apply the clock transition `action` to `clock` at `at` as declared (see the module
    docstring) and save it (unless `save` is False: a new work order's clocks are planned before
    it is inserted): the inputs it declares are taken from `context`, the others ignored.
    False, and nothing done, when the clock is not in one of the transition's sources."""
    transition = CLOCK[action]
    if not transition.allows_state(clock.state):
        return False
    inputs = {
        name: value for name, value in context.items() if name in transition.inputs and value is not None
    }
    missing = transition.needs - set(inputs)
    if missing:
        raise ValueError(f"{CLOCK.name}.{action} needs {sorted(missing)}")
    run = TransitionRun(
        machine=CLOCK,
        transition=transition,
        obj=clock,
        actor=None,
        inputs=inputs,
        from_state=clock.state,
        now=at,
    )
    clock.state = transition.target_from(run.from_state)
    for effect in (*transition.effects, *CLOCK.effects):
        effect(run)
    if not save:
        return True
    if clock.pk is None:
        clock.save()
    else:
        clock.save(update_fields=[*sorted(run.changed), "state", "updated_at"])
    return True


# --- work-order transition → clock actions (R34, R18) ------------------------------------------


@dataclass(frozen=True)
class ClockStep:
    """The clock transition `action` for the work order's clocks of `kinds` (all when empty) that
    are in one of its sources (`clock_move` leaves the others alone)."""

    action: str
    kinds: frozenset[str] = frozenset()

    def apply(self, clocks: dict[str, SlaClock], *, at: datetime, **context: Any) -> None:
        for clock in clocks.values():
            if not self.kinds or clock.kind in self.kinds:
                clock_move(clock, self.action, at=at, **context)


@dataclass(frozen=True)
class ClockPlan:
    """What one work-order transition does to its clocks, in this order: the `first` steps; then,
    unless `policy` is False, the policy's milestones stop the clocks they stop on it and start
    those they start on it (the `restart` kinds too); then the `then` steps."""

    first: tuple[ClockStep, ...] = ()
    policy: bool = True
    restart: frozenset[str] = frozenset()
    then: tuple[ClockStep, ...] = ()

    def __add__(self, other: ClockPlan) -> ClockPlan:
        return ClockPlan(
            first=self.first + other.first,
            policy=self.policy and other.policy,
            restart=self.restart | other.restart,
            then=self.then + other.then,
        )


# By the work-order transition's name.
ON_TRANSITION: dict[str, ClockPlan] = {
    # The customer, parts or a vendor hold the work: the clocks do not count meanwhile (R34).
    "wait": ClockPlan(first=(ClockStep("pause"),)),
    "resume": ClockPlan(first=(ClockStep("resume"),)),
    # An unsatisfied customer (R23): the repair starts over; the record is not due any more.
    "reopen": ClockPlan(
        restart=frozenset({MilestoneKind.REPAIR}),
        then=(ClockStep("void", frozenset({MilestoneKind.RECORD_COMPLETE})),),
    ),
}
# By the state the work order reaches.
ON_TARGET: dict[str, ClockPlan] = {
    # Nothing is due on a cancelled request: every clock stops, without a verdict.
    State.CANCELLED: ClockPlan(first=(ClockStep("void"),), policy=False),
    # Closed: what the policy did not stop has nothing left to measure.
    State.CLOSED: ClockPlan(then=(ClockStep("void"),)),
}


def clock_plan(action: str, target_state: str = "") -> ClockPlan:
    """The plan of the work-order transition `action` reaching `target_state`."""
    return ON_TRANSITION.get(action, ClockPlan()) + ON_TARGET.get(target_state, ClockPlan())
