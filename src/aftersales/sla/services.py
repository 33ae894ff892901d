"""Writes of the service-level context: working calendars (R34) and the clock engine that the
work-order lifecycle drives (R34, R18). The admin edits calendars and policies through its own
forms, which run the same model validation (`full_clean`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from aftersales.accounts.models import ServicePoint
from aftersales.workorders.choices import State

from .calendar import WorkingTime
from .choices import CREATED, ExceptionKind, MilestoneKind
from .models import CalendarException, SlaClock, SlaMilestone, SlaPolicy, WorkingCalendar, WorkingHours
from .selectors import policy_for, working_time_for


@transaction.atomic
def working_calendar_create(
    *,
    name: str,
    service_point: ServicePoint | None = None,
    is_default: bool = False,
    use_public_holidays: bool = True,
    weekly_hours: dict[int, Iterable[tuple[time, time]]] | None = None,
    actor=None,
) -> WorkingCalendar:
    """Create a calendar with its weekly periods ({weekday: [(start, end), ...]}); a calendar with
    a service point overrides the company default for that point."""
    calendar = WorkingCalendar(
        name=name,
        service_point=service_point,
        is_default=is_default,
        use_public_holidays=use_public_holidays,
    )
    calendar.full_clean()
    calendar.save()
    for weekday, periods in (weekly_hours or {}).items():
        working_hours_set(calendar=calendar, weekday=weekday, periods=periods, actor=actor)
    return calendar


@transaction.atomic
def working_hours_set(
    *, calendar: WorkingCalendar, weekday: int, periods: Iterable[tuple[time, time]], actor=None
) -> list[WorkingHours]:
    """Replace the periods of one weekday; no periods makes it a day off."""
    calendar.hours.filter(weekday=weekday).delete()
    rows = []
    for start, end in sorted(periods):
        row = WorkingHours(calendar=calendar, weekday=weekday, start=start, end=end)
        row.full_clean()
        row.save()
        rows.append(row)
    calendar.save(update_fields=["updated_at"])
    return rows


@transaction.atomic
def calendar_exception_set(
    *, calendar: WorkingCalendar, day: date, kind: str, note: str = "", actor=None
) -> CalendarException:
    """Declare `day` an extra holiday or an extra working day of `calendar` (replacing any earlier
    exception of that day). Exceptions win over weekly hours and public holidays."""
    if kind not in ExceptionKind.values:
        raise ValueError(f"unknown exception kind {kind!r}")
    exception = CalendarException.objects.filter(calendar=calendar, date=day).first()
    if exception is None:
        exception = CalendarException(calendar=calendar, date=day)
    exception.kind = kind
    exception.note = note
    exception.full_clean()
    exception.save()
    calendar.save(update_fields=["updated_at"])
    return exception


# -- the clock engine (R34, R18) -------------------------------------------------------------
#
# Called by the work-order lifecycle through `hooks.py`, inside the transition's transaction
# (the work-order row is locked). The maths is the calendar's; this code only decides which
# clocks start, pause, resume and stop.


class _Calendar:
    """The work order's working time, loaded on first use (most transitions never need it)."""

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


def _clock_start(*, clock: SlaClock, milestone: SlaMilestone, at: datetime, calendar: _Calendar) -> SlaClock:
    """(Re)start `clock` from `at` with the milestone's budget (copied onto the clock)."""
    clock.policy_id = milestone.policy_id
    clock.target = milestone.target
    clock.business_time = milestone.business_time
    clock.started_at = at
    clock.due_at = calendar.add(clock, at, clock.target)
    clock.paused_at = None
    clock.paused_reason = ""
    clock.paused_total = timedelta(0)
    clock.stopped_at = None
    clock.met = None
    clock.breached_at = None
    clock.save()
    return clock


def _clock_stop(clock: SlaClock, *, at: datetime, verdict: bool = True) -> None:
    """Stop `clock`; with a verdict it is met when stopped at or before its due time."""
    clock.stopped_at = at
    if verdict:
        clock.met = at <= clock.due_at
        if not clock.met and clock.breached_at is None:
            clock.breached_at = clock.due_at
    else:
        clock.met = None
    clock.save(update_fields=["stopped_at", "met", "breached_at", "updated_at"])


def _clock_pause(clock: SlaClock, *, at: datetime, reason: str) -> None:
    clock.paused_at = at
    clock.paused_reason = reason
    clock.save(update_fields=["paused_at", "paused_reason", "updated_at"])


def _clock_resume(clock: SlaClock, *, at: datetime, calendar: _Calendar) -> None:
    """R34: the pause does not count. The working time paused is added to `paused_total` and the
    due time becomes the resume time plus what was left of the budget when the clock paused (a
    clock already past due keeps its due time)."""
    used = calendar.measure(clock, clock.started_at, clock.paused_at) - clock.paused_total
    clock.paused_total += calendar.measure(clock, clock.paused_at, at)
    remaining = clock.target - used
    if remaining > timedelta(0):
        clock.due_at = calendar.add(clock, at, remaining)
    clock.paused_at = None
    clock.paused_reason = ""
    clock.save(update_fields=["paused_at", "paused_reason", "paused_total", "due_at", "updated_at"])


@transaction.atomic
def sla_clocks_on_intake(*, work_order, actor=None, at: datetime | None = None) -> list[SlaClock]:
    """R34: a new work order gets the policy that matches it and starts the clocks that start on
    creation (first response, by default)."""
    policy = policy_for(work_order)
    if policy is None:
        return []
    at = at or timezone.now()
    calendar = _Calendar(work_order)
    return [
        _clock_start(
            clock=SlaClock(work_order=work_order, kind=m.kind), milestone=m, at=at, calendar=calendar
        )
        for m in policy.milestones.all()
        if m.start_on == CREATED
    ]


@transaction.atomic
def sla_clocks_on_transition(
    *, work_order, action: str, target_state: str = "", actor=None, at: datetime | None = None
) -> None:
    """R34, R18: move the work order's clocks for one lifecycle transition.

    - cancel: every clock not yet stopped stops without a verdict;
    - wait: running clocks pause with the waiting reason (customer, parts, vendor ...);
    - resume: paused clocks resume and their due time moves out by the working time paused;
    - clocks whose milestone stops on the action stop, met or breached;
    - clocks whose milestone starts on the action start (restart, if they ran before);
    - reopen: the repair clock restarts and a running record-complete clock stops without verdict;
    - a closing transition stops what is left without a verdict.
    The policy is the one the work order's clocks already follow, else the one that matches now.
    """
    at = at or timezone.now()
    clocks = {clock.kind: clock for clock in SlaClock.objects.filter(work_order_id=work_order.pk)}
    open_clocks = [clock for clock in clocks.values() if clock.stopped_at is None]
    if action == "cancel" or target_state == State.CANCELLED:
        for clock in open_clocks:
            _clock_stop(clock, at=at, verdict=False)
        return
    calendar = _Calendar(work_order)
    if action == "wait":
        for clock in open_clocks:
            if clock.paused_at is None:
                _clock_pause(clock, at=at, reason=work_order.waiting_reason)
    elif action == "resume":
        for clock in open_clocks:
            if clock.paused_at is not None:
                _clock_resume(clock, at=at, calendar=calendar)
    policy_id = next((c.policy_id for c in clocks.values() if c.policy_id), None)
    policy = SlaPolicy.objects.filter(pk=policy_id).first() if policy_id else None
    if policy is None:
        policy = policy_for(work_order)
    milestones = list(policy.milestones.all()) if policy is not None else []
    for milestone in milestones:
        clock = clocks.get(milestone.kind)
        if clock is not None and clock.stopped_at is None and action in milestone.stop_on:
            _clock_stop(clock, at=at)
    for milestone in milestones:
        restart = action == "reopen" and milestone.kind == MilestoneKind.REPAIR
        if milestone.start_on == action or restart:
            clock = clocks.get(milestone.kind) or SlaClock(work_order=work_order, kind=milestone.kind)
            clocks[milestone.kind] = _clock_start(clock=clock, milestone=milestone, at=at, calendar=calendar)
    if action == "reopen":
        record = clocks.get(MilestoneKind.RECORD_COMPLETE)
        if record is not None and record.stopped_at is None:
            _clock_stop(record, at=at, verdict=False)
    if target_state == State.CLOSED:
        for clock in clocks.values():
            if clock.stopped_at is None:
                _clock_stop(clock, at=at, verdict=False)
