"""Writes of the service-level context: working calendars (R34) and the clock engine that the
work-order lifecycle drives (R34, R18). The admin edits calendars and policies through its own
forms, which run the same model validation (`full_clean`)."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales.accounts.choices import Role
from aftersales.accounts.models import ServicePoint, User
from aftersales.notifications.choices import Channel
from aftersales.notifications.services import Notice, OutgoingMessage, messages_queue, notify_many
from aftersales.workorders.choices import State
from aftersales.workorders.events import event_record

from .calendar import WorkingTime
from .choices import CREATED, WARNING_SHARE, ExceptionKind, MilestoneKind
from .events import SLA
from .models import CalendarException, SlaClock, SlaMilestone, SlaPolicy, WorkingCalendar, WorkingHours
from .selectors import policy_for, working_time_for

logger = logging.getLogger("aftersales.sla")


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
    clock.warn_at = calendar.add(clock, at, clock.target * WARNING_SHARE)
    clock.paused_at = None
    clock.paused_reason = ""
    clock.paused_total = timedelta(0)
    clock.stopped_at = None
    clock.met = None
    clock.breached_at = None
    clock.warned_at = None
    clock.escalated_at = None
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
    clock already past due keeps its due time); the warning time moves the same way (a clock
    already past 75 % is at risk at once)."""
    used = calendar.measure(clock, clock.started_at, clock.paused_at) - clock.paused_total
    clock.paused_total += calendar.measure(clock, clock.paused_at, at)
    remaining = clock.target - used
    if remaining > timedelta(0):
        clock.due_at = calendar.add(clock, at, remaining)
    clock.warn_at = calendar.add(clock, at, max(clock.target * WARNING_SHARE - used, timedelta(0)))
    clock.paused_at = None
    clock.paused_reason = ""
    clock.save(
        update_fields=["paused_at", "paused_reason", "paused_total", "due_at", "warn_at", "updated_at"]
    )


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


# -- warnings and escalations: the periodic job (R34) ---------------------------------------
#
# Run by beat every few minutes (`tasks.sla_check_clocks`). It reads only the running clocks that
# became due for a warning or an escalation (two partial indexes, see `SlaClock.Meta`), never the
# whole table. Each clock is claimed with a conditional UPDATE, in the transaction that records
# its notices, e-mails and timeline event, so a retried job or two workers running it at once warn
# and escalate each clock exactly once; the notices and e-mails carry idempotency keys on top.

MAX_CLOCKS_PER_RUN = 5000
BATCH_SIZE = 200
WARNING, BREACH = "warning", "breach"


@dataclass(frozen=True)
class SlaCheckResult:
    warned: int = 0
    escalated: int = 0


class _Staff:
    """The people the job notifies, loaded once per run: supervisors, and the dispatchers and
    dealer staff who own unassigned work (one query, a few dozen rows)."""

    def __init__(self) -> None:
        users = User.objects.filter(
            is_active=True, role__in=[Role.SUPERVISOR, Role.DISPATCHER, Role.DEALER_STAFF]
        ).order_by("pk")
        self.supervisors: list[User] = []
        self.company_dispatchers: list[User] = []
        self.by_point: dict[int, list[User]] = defaultdict(list)
        self.by_dealer: dict[int, list[User]] = defaultdict(list)
        for user in users:
            if user.role == Role.SUPERVISOR:
                self.supervisors.append(user)
                continue
            if user.service_point_id:
                self.by_point[user.service_point_id].append(user)
            elif user.role == Role.DEALER_STAFF and user.dealer_id:
                self.by_dealer[user.dealer_id].append(user)
            elif user.role == Role.DISPATCHER and not user.dealer_id:
                self.company_dispatchers.append(user)

    def owners(self, work_order) -> list[User]:
        """R34: who is warned. The assigned engineer; else the staff of the work order's service
        point (its dispatchers, its dealer's staff); else the company's dispatchers."""
        engineer = work_order.engineer if work_order.engineer_id else None
        if engineer is not None and engineer.is_active and engineer.user.is_active:
            return [engineer.user]
        point = work_order.service_point if work_order.service_point_id else None
        if point is not None:
            staff = self.by_point.get(point.pk, []) + self.by_dealer.get(point.dealer_id, [])
            if staff:
                return list({user.pk: user for user in staff}.values())
        return self.company_dispatchers

    def escalation(self, work_order) -> list[User]:
        """R34: who hears of a breach: the supervisors, and the owner, who was warned before."""
        return list({user.pk: user for user in self.supervisors + self.owners(work_order)}.values())


def _running_clocks():
    return SlaClock.objects.filter(stopped_at__isnull=True, paused_at__isnull=True).select_related(
        "work_order__engineer__user", "work_order__service_point"
    )


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _texts(clock: SlaClock, kind: str) -> tuple[str, str]:
    """Title and body of a warning or a breach notice, in the active language."""
    values = {
        "number": clock.work_order.number,
        "milestone": clock.get_kind_display(),
        "due": _local(clock.due_at),
        "percent": int(WARNING_SHARE * 100),
    }
    if kind == WARNING:
        title = _("%(number)s: %(milestone)s at risk") % values
        body = _("%(percent)s%% of the time allowed is used; due by %(due)s.") % values
    else:
        title = _("%(number)s: %(milestone)s overdue") % values
        body = _("It was due by %(due)s; escalated to the supervisors.") % values
    return title, body


def _announcements(clock: SlaClock, *, kind: str, recipients: list[User]) -> tuple[list, list]:
    """The notices (in each recipient's language) and the e-mails of one warning or escalation."""
    key = f"sla-{kind}:{clock.pk}:{int(clock.started_at.timestamp())}"
    url = reverse("workorders:detail", args=[clock.work_order_id])
    by_language: dict[str, list[User]] = defaultdict(list)
    for user in recipients:
        by_language[user.language or settings.LANGUAGE_CODE].append(user)
    notices, emails = [], []
    for language, users in by_language.items():
        with translation.override(language):
            title, body = _texts(clock, kind)
        notices.append(Notice(recipients=tuple(users), title=title, body=body, url=url, key=key))
        emails += [
            OutgoingMessage(
                channel=Channel.EMAIL,
                recipient=user.email,
                subject=title,
                body=body,
                key=f"{key}:{user.pk}:email",
            )
            for user in users
            if user.email
        ]
    return notices, emails


def _record(clock: SlaClock, *, kind: str, recipients: list[User]) -> None:
    """The warning or escalation on the work order's timeline, in the company's language."""
    with translation.override(settings.LANGUAGE_CODE):
        _title, body = _texts(clock, kind)
        note = _("%(milestone)s: %(body)s Notified: %(names)s.") % {
            "milestone": clock.get_kind_display(),
            "body": body,
            "names": ", ".join(user.display_name for user in recipients) or _("nobody"),
        }
    event_record(clock.work_order, kind=SLA, action=kind, note=note)


def _announce(clocks: list[SlaClock], *, kind: str, staff: _Staff) -> None:
    """Tell the people of each clock under the bell and by e-mail (in bulk), and record it on
    each work order's timeline. A warning goes to the owner, a breach to the supervisors too."""
    notices, emails = [], []
    for clock in clocks:
        work_order = clock.work_order
        recipients = staff.escalation(work_order) if kind == BREACH else staff.owners(work_order)
        clock_notices, clock_emails = _announcements(clock, kind=kind, recipients=recipients)
        notices += clock_notices
        emails += clock_emails
        _record(clock, kind=kind, recipients=recipients)
    notify_many(notices)
    messages_queue(emails)


class ClaimConflict(Exception):
    """Another worker marked some of a batch between our read and our UPDATE (only where the
    database cannot lock rows: SQLite); the batch is redone clock by clock."""


def _still_due(kind: str, at: datetime) -> dict:
    mark, due = ("escalated_at", "due_at") if kind == BREACH else ("warned_at", "warn_at")
    return {"stopped_at__isnull": True, "paused_at__isnull": True, f"{mark}__isnull": True, f"{due}__lte": at}


def _marks(kind: str, at: datetime) -> dict:
    if kind == BREACH:
        # A clock first seen past due is not warned any more: the breach notice says it all.
        return {
            "escalated_at": at,
            "breached_at": F("due_at"),
            "warned_at": Coalesce(F("warned_at"), Value(at)),
        }
    return {"warned_at": at}


def _claim(clocks: list[SlaClock], *, kind: str, at: datetime) -> list[SlaClock]:
    """Mark the clocks warned (or escalated and breached) that are still due and unmarked, and
    return them: those another worker marked first, or that moved on since they were read
    (stopped, paused, restarted, due later), are left out. The rows are locked while read
    (PostgreSQL; rows another worker holds are skipped) and marked by a conditional UPDATE, so
    each clock is claimed by exactly one run, even with two workers at once."""
    by_pk = {clock.pk: clock for clock in clocks}
    rows = (
        SlaClock.objects.select_for_update(skip_locked=True)
        .filter(pk__in=by_pk, **_still_due(kind, at))
        .values_list("pk", "started_at")
    )
    ids = [pk for pk, started_at in rows if started_at == by_pk[pk].started_at]
    marked = SlaClock.objects.filter(pk__in=ids, **_still_due(kind, at)).update(**_marks(kind, at))
    if marked != len(ids):
        if len(ids) > 1:
            raise ClaimConflict
        return []
    return [by_pk[pk] for pk in ids]


def _handle(clocks: list[SlaClock], *, kind: str, at: datetime, staff: _Staff) -> int:
    """Claim and announce `clocks` in one transaction; how many this run claimed."""
    with transaction.atomic():
        claimed = _claim(clocks, kind=kind, at=at)
        if claimed:
            _announce(claimed, kind=kind, staff=staff)
    return len(claimed)


def _handle_batch(clocks: list[SlaClock], *, kind: str, at: datetime, staff: _Staff) -> int:
    """A batch in one transaction; if it fails (a broken clock, a `ClaimConflict`), clock by
    clock, so that one broken clock holds back only itself (logged, and tried again next run)."""
    try:
        return _handle(clocks, kind=kind, at=at, staff=staff)
    except Exception:  # noqa: BLE001 - find the broken clock below
        if len(clocks) == 1:
            logger.exception("SLA %s of clock %s failed; retried next run", kind, clocks[0].pk)
            return 0
    return sum(_handle_batch([clock], kind=kind, at=at, staff=staff) for clock in clocks)


def sla_clocks_check(*, at: datetime | None = None) -> SlaCheckResult:
    """R34: breaches warn before they happen and escalate when they do.

    A running clock past its due time is marked breached and escalated to the supervisors (and
    its owner); one past 75 % of its budget warns its owner (the engineer, else the service
    point's staff, else the dispatchers). Each is announced once: under the bell, by e-mail and as
    an SLA event on the work order's timeline. Paused and stopped clocks are left alone. Clocks
    are handled in batches of `BATCH_SIZE`, each batch in one transaction (a failing batch is
    retried clock by clock).
    """
    at = at or timezone.now()
    to_escalate = list(
        _running_clocks()
        .filter(escalated_at__isnull=True, due_at__lte=at)
        .order_by("due_at", "pk")[:MAX_CLOCKS_PER_RUN]
    )
    to_warn = list(
        _running_clocks()
        .filter(warned_at__isnull=True, warn_at__lte=at, due_at__gt=at)
        .order_by("warn_at", "pk")[:MAX_CLOCKS_PER_RUN]
    )
    if not (to_escalate or to_warn):
        return SlaCheckResult()
    staff = _Staff()
    counts = {BREACH: 0, WARNING: 0}
    for kind, clocks in ((BREACH, to_escalate), (WARNING, to_warn)):
        for start in range(0, len(clocks), BATCH_SIZE):
            counts[kind] += _handle_batch(clocks[start : start + BATCH_SIZE], kind=kind, at=at, staff=staff)
    return SlaCheckResult(warned=counts[WARNING], escalated=counts[BREACH])
