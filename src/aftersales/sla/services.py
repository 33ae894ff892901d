"""Writes of the service-level context: working calendars (R34) and the clock engine that the
work-order lifecycle drives (R34, R18). The admin edits calendars and policies through its own
forms, which run the same model validation (`full_clean`)."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from django.conf import settings
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from aftersales.accounts.choices import Role
from aftersales.accounts.models import ServicePoint, User
from aftersales.accounts.selectors import StaffRouting, staff_routing
from aftersales.core.errors import NotPermitted
from aftersales.notifications.choices import Channel
from aftersales.notifications.services import Notice, OutgoingMessage, messages_queue, notify_many
from aftersales.workorders.events import event_record
from aftersales.workorders.hooks import detail_url
from aftersales.workorders.models import WorkOrder

from .choices import CREATED, WARNING_SHARE, AlertKind, ExceptionKind, MilestoneKind
from .events import SLA
from .models import CalendarException, OfficialDay, SlaClock, SlaMilestone, WorkingCalendar, WorkingHours
from .selectors import policy_by_id, policy_for
from .transitions import ClockCalendar, clock_move, clock_plan

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


# -- the official schedule of years the holiday package does not know (R34) -----------------


def may_edit_official_schedule(user) -> bool:
    """HQ admins keep the official holiday schedule (it applies to every calendar)."""
    return bool(user and user.is_authenticated and user.has_role(Role.HQ_ADMIN))


@transaction.atomic
def official_day_set(*, day: date, kind: str, name: str, actor) -> OfficialDay:
    """R34: record one day of the official schedule of a year the `chinese_calendar` package does
    not know: a public holiday or a make-up working day (调休), replacing what that date said
    before. Refused for years the package knows (`official_year_known`) and for anyone but an HQ
    admin. Every calendar that follows public holidays counts it from now on."""
    if not may_edit_official_schedule(actor):
        raise NotPermitted(gettext("Only an HQ admin may change the official holiday schedule."))
    official = OfficialDay.objects.filter(date=day).first() or OfficialDay(date=day, created_by=actor)
    official.kind = kind
    official.name = name.strip()
    official.full_clean()
    official.save()
    return official


# -- the clock engine (R34, R18) -------------------------------------------------------------
#
# Called by the work-order lifecycle through `hooks.py`, inside the transition's transaction
# (the work-order row is locked). The maths is the calendar's, the clock lifecycle and the table
# of what each work-order transition does are `transitions.py`; this code reads the clocks and
# the policy once and applies the plan.


def sla_clocks_plan(*, work_order, at: datetime | None = None) -> list[SlaClock]:
    """R34: the clocks a new work order starts on creation (first response, by default) under
    the policy that matches it, started at `at` (the time the request was received; now by
    default), not yet saved: they are planned before the work order is inserted, so that the due
    time of the one due next goes into the INSERT (`sla_due_at`)."""
    policy = policy_for(work_order)
    if policy is None:
        return []
    at = at or timezone.now()
    calendar = ClockCalendar(work_order)
    clocks = []
    for milestone in policy.milestones.all():
        if milestone.start_on == CREATED:
            clock = SlaClock(work_order=work_order, kind=milestone.kind)
            clock_move(clock, "start", at=at, milestone=milestone, calendar=calendar, save=False)
            clocks.append(clock)
    work_order.sla_due_at = _next_due(clocks)
    return clocks


def sla_clocks_save(clocks: list[SlaClock]) -> list[SlaClock]:
    """The planned clocks of a work order just inserted, in one INSERT."""
    return SlaClock.objects.bulk_create(clocks)


def _next_due(clocks: Iterable[SlaClock]) -> datetime | None:
    """The due time of the running clock due next (the list's SLA sort)."""
    return min(
        (clock.due_at for clock in clocks if clock.stopped_at is None and clock.paused_at is None),
        default=None,
    )


def _next_due_keep(work_order, clocks: Iterable[SlaClock]) -> None:
    """Copy the due time of the running clock due next onto the work order (the list's SLA
    sort), with one UPDATE when it changed; the version is not bumped: it is derived data."""
    due_at = _next_due(clocks)
    if due_at != work_order.sla_due_at:
        WorkOrder.objects.filter(pk=work_order.pk).update(sla_due_at=due_at)
        work_order.sla_due_at = due_at


def _milestones(work_order, clocks: dict[str, SlaClock]) -> list[SlaMilestone]:
    """The milestones of the policy the work order's clocks already follow, else of the one that
    matches it now."""
    policy_id = next((clock.policy_id for clock in clocks.values() if clock.policy_id), None)
    policy = policy_by_id(policy_id) if policy_id else None
    if policy is None:
        policy = policy_for(work_order)
    return list(policy.milestones.all()) if policy is not None else []


@transaction.atomic
def sla_clocks_on_transition(
    *, work_order, action: str, target_state: str = "", actor=None, at: datetime | None = None
) -> None:
    """R34, R18: move the work order's clocks for one lifecycle transition, by the plan of
    `transitions.clock_plan` (e.g. wait pauses the running clocks, resume resumes the paused
    ones, cancel stops every clock without a verdict) and the policy's milestones: the clocks
    whose milestone stops on `action` stop, met or breached; those whose milestone starts on it
    start (again, if they ran before). The policy is the one the work order's clocks already
    follow, else the one that matches now."""
    at = at or timezone.now()
    plan = clock_plan(action, target_state)
    clocks = {clock.kind: clock for clock in SlaClock.objects.filter(work_order_id=work_order.pk)}
    context = {"calendar": ClockCalendar(work_order), "reason": work_order.waiting_reason}
    for step in plan.first:
        step.apply(clocks, at=at, **context)
    if plan.policy:
        milestones = _milestones(work_order, clocks)
        for milestone in milestones:
            clock = clocks.get(milestone.kind)
            if clock is not None and action in milestone.stop_on:
                clock_move(clock, "stop", at=at)
        for milestone in milestones:
            if milestone.start_on == action or milestone.kind in plan.restart:
                clock = clocks.get(milestone.kind) or SlaClock(work_order=work_order, kind=milestone.kind)
                clock_move(clock, "start", at=at, milestone=milestone, **context)
                clocks[milestone.kind] = clock
    for step in plan.then:
        step.apply(clocks, at=at, **context)
    _next_due_keep(work_order, clocks.values())


# -- warnings and escalations: the periodic job (R34) ---------------------------------------
#
# Run by beat every few minutes (`tasks.sla_check_clocks`). It reads only the running clocks that
# became due for a warning or an escalation (two partial indexes, see `SlaClock.Meta`), never the
# whole table. Each clock is claimed with a conditional UPDATE, in the transaction that records
# its notices, e-mails and timeline event, so a retried job or two workers running it at once warn
# and escalate each clock exactly once; the notices and e-mails carry idempotency keys on top.

MAX_CLOCKS_PER_RUN = 5000
BATCH_SIZE = 200

# What a warning and an escalation say under the bell and by e-mail, in the reader's language.
NOTICE_TITLES = {
    AlertKind.WARNING: gettext_lazy("%(number)s: %(milestone)s at risk"),
    AlertKind.BREACH: gettext_lazy("%(number)s: %(milestone)s overdue"),
}
NOTICE_BODIES = {
    AlertKind.WARNING: gettext_lazy("%(percent)s%% of the time allowed is used; due by %(due)s."),
    AlertKind.BREACH: gettext_lazy("It was due by %(due)s; escalated to the supervisors."),
}


@dataclass(frozen=True)
class SlaCheckResult:
    warned: int = 0
    escalated: int = 0


def _running_clocks():
    return SlaClock.objects.filter(stopped_at__isnull=True, paused_at__isnull=True).select_related(
        "work_order__engineer__user", "work_order__service_point"
    )


def _recipients(clock: SlaClock, *, kind: AlertKind, routing: StaffRouting) -> list[User]:
    """R34: a warning goes to the work order's owner (its engineer, else its service point's staff,
    else the company's dispatchers); a breach to the supervisors and the owner."""
    work_order = clock.work_order
    engineer = work_order.engineer if work_order.engineer_id else None
    point = work_order.service_point if work_order.service_point_id else None
    if kind == AlertKind.BREACH:
        return routing.escalation(engineer=engineer, service_point=point)
    return routing.owners(engineer=engineer, service_point=point)


def _params(clock: SlaClock) -> dict:
    """What the notices and the timeline event of a warning or a breach show."""
    return {
        "number": clock.work_order.number,
        "milestone": MilestoneKind(clock.kind).label,
        "due": clock.due_at,
        "percent": int(WARNING_SHARE * 100),
    }


def _announcements(clock: SlaClock, *, kind: AlertKind, recipients: list[User]) -> tuple[Notice, list]:
    """The notice (shown in each reader's language) and the e-mails (written in each recipient's
    language) of one warning or escalation."""
    notice = Notice(
        recipients=tuple(recipients),
        title=NOTICE_TITLES[kind],
        body=NOTICE_BODIES[kind],
        url=detail_url(clock.work_order_id, "service", "sla-panel"),
        key=f"sla-{kind}:{clock.pk}:{int(clock.started_at.timestamp())}",
        params=_params(clock),
    )
    message = notice.message()
    by_language: dict[str, list[User]] = defaultdict(list)
    for user in recipients:
        if user.email:
            by_language[user.language or settings.LANGUAGE_CODE].append(user)
    emails = []
    for language, users in by_language.items():
        subject, body = notice.text_in(language, message)
        emails += [
            OutgoingMessage(
                channel=Channel.EMAIL,
                recipient=user.email,
                subject=subject,
                body=body,
                key=f"{notice.key}:{user.pk}:email",
            )
            for user in users
        ]
    return notice, emails


def _record(clock: SlaClock, *, kind: AlertKind, recipients: list[User]) -> None:
    """The warning or escalation on the work order's timeline (shown in the reader's language)."""
    names = [user.display_name for user in recipients] or gettext_lazy("nobody")
    event_record(clock.work_order, kind=SLA, action=kind, params={**_params(clock), "names": names})


def _announce(clocks: list[SlaClock], *, kind: AlertKind, routing: StaffRouting) -> None:
    """Tell the people of each clock under the bell and by e-mail (in bulk), and record it on
    each work order's timeline."""
    notices, emails = [], []
    for clock in clocks:
        recipients = _recipients(clock, kind=kind, routing=routing)
        notice, clock_emails = _announcements(clock, kind=kind, recipients=recipients)
        notices.append(notice)
        emails += clock_emails
        _record(clock, kind=kind, recipients=recipients)
    notify_many(notices)
    messages_queue(emails)


class ClaimConflict(Exception):
    """Another worker marked some of a batch between our read and our UPDATE (only where the
    database cannot lock rows: SQLite); the batch is redone clock by clock."""


def _still_due(kind: AlertKind, at: datetime) -> dict:
    mark, due = ("escalated_at", "due_at") if kind == AlertKind.BREACH else ("warned_at", "warn_at")
    return {"stopped_at__isnull": True, "paused_at__isnull": True, f"{mark}__isnull": True, f"{due}__lte": at}


def _marks(kind: AlertKind, at: datetime) -> dict:
    if kind == AlertKind.BREACH:
        # A clock first seen past due is not warned any more: the breach notice says it all.
        return {
            "escalated_at": at,
            "breached_at": F("due_at"),
            "warned_at": Coalesce(F("warned_at"), Value(at)),
        }
    return {"warned_at": at}


def _claim(clocks: list[SlaClock], *, kind: AlertKind, at: datetime) -> list[SlaClock]:
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


def _handle(clocks: list[SlaClock], *, kind: AlertKind, at: datetime, routing: StaffRouting) -> int:
    """Claim and announce `clocks` in one transaction; how many this run claimed."""
    with transaction.atomic():
        claimed = _claim(clocks, kind=kind, at=at)
        if claimed:
            _announce(claimed, kind=kind, routing=routing)
    return len(claimed)


def _handle_batch(clocks: list[SlaClock], *, kind: AlertKind, at: datetime, routing: StaffRouting) -> int:
    """A batch in one transaction; if it fails (a broken clock, a `ClaimConflict`), clock by
    clock, so that one broken clock holds back only itself (logged, and tried again next run)."""
    try:
        return _handle(clocks, kind=kind, at=at, routing=routing)
    except Exception:  # noqa: BLE001 - find the broken clock below
        if len(clocks) == 1:
            logger.exception("SLA %s of clock %s failed; retried next run", kind, clocks[0].pk)
            return 0
    return sum(_handle_batch([clock], kind=kind, at=at, routing=routing) for clock in clocks)


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
    routing = staff_routing()
    counts = {AlertKind.BREACH: 0, AlertKind.WARNING: 0}
    for kind, clocks in ((AlertKind.BREACH, to_escalate), (AlertKind.WARNING, to_warn)):
        for start in range(0, len(clocks), BATCH_SIZE):
            counts[kind] += _handle_batch(
                clocks[start : start + BATCH_SIZE], kind=kind, at=at, routing=routing
            )
    return SlaCheckResult(warned=counts[AlertKind.WARNING], escalated=counts[AlertKind.BREACH])
