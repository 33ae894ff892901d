"""Writes of the service-level context: working calendars (R34) and the clock engine that the
work-order lifecycle drives (R34, R18). The admin edits calendars and policies through its own
forms, which run the same model validation (`full_clean`)."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from aftersales.accounts.choices import Role
from aftersales.accounts.models import ServicePoint, User
from aftersales.accounts.selectors import StaffRouting, staff_routing
from aftersales.core.errors import NotPermitted, StillInUse
from aftersales.core.services import change_record_text, changes_record, record_save, snapshot
from aftersales.notifications.choices import Channel
from aftersales.notifications.services import Notice, OutgoingMessage, messages_queue, notify_many
from aftersales.workorders.events import event_record
from aftersales.workorders.hooks import detail_url
from aftersales.workorders.models import WorkOrder

from .choices import CREATED, WARNING_SHARE, AlertKind, ExceptionKind, MilestoneKind, Weekday
from .events import SLA
from .models import (
    CalendarException,
    OfficialDay,
    SlaClock,
    SlaMilestone,
    SlaPolicy,
    WorkingCalendar,
    WorkingHours,
)
from .selectors import policy_by_id, policy_for, policy_has_clocks
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


# -- calendars and policies as HQ admins keep them (the API; R34) ---------------------------
#
# The SLA arithmetic reads calendars and policies from memory (`selectors.CALENDARS`,
# `selectors.POLICIES`); every save and delete here sends the model signals that make every
# process reload them, so a due time computed after a change counts on the new rules.

Kept = TypeVar("Kept", WorkingCalendar, SlaPolicy)

# One working period of a week: weekday (Monday = 0), start, end (00:00 meaning midnight).
WeeklyPeriod = tuple[int, time, time]

CALENDAR_FIELDS = ("name", "is_default", "service_point", "use_public_holidays", "note")
POLICY_FIELDS = (
    "name",
    "precedence",
    "is_default",
    "is_active",
    "match_priority",
    "match_type",
    "match_product_line",
    "match_province",
    "match_customer",
    "note",
)
MILESTONE_FIELDS = ("kind", "target_hours", "business_time", "start_on", "stop_on")


def may_configure_service_levels(user) -> bool:
    """R34: HQ admins keep the working calendars and the service-level policies (company-wide
    rules every clock counts on)."""
    return bool(user and user.is_authenticated and user.has_role(Role.HQ_ADMIN))


def _configure_check(actor) -> None:
    if not may_configure_service_levels(actor):
        raise NotPermitted(gettext("Only an HQ admin may change working calendars and service levels."))


def _known_fields(given: Iterable[str], allowed: Iterable[str]) -> None:
    unknown = set(given) - set(allowed)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")


def _locked_or_new(model: type[Kept], instance: Kept | None) -> Kept:
    """A new row, or `instance` read again with its row locked (a concurrent edit waits)."""
    return model() if instance is None else model.objects.select_for_update().get(pk=instance.pk)


def _prefixed(error: ValidationError, prefix: str) -> ValidationError:
    """A row's model errors named after the row of the input it came from (`milestones[1].kind`)."""
    if not hasattr(error, "error_dict"):
        return ValidationError({prefix: error.error_list})
    return ValidationError(
        {
            prefix if name == NON_FIELD_ERRORS else f"{prefix}.{name}": errors
            for name, errors in error.error_dict.items()
        }
    )


def _default_keep(instance: WorkingCalendar | SlaPolicy, *, was_default: bool, actor) -> None:
    """R34: one default at a time, and always one once there is one: making `instance` the
    default takes the flag from the previous default (its history says so); the default stops
    being it only that way."""
    if was_default and not instance.is_default:
        raise ValidationError(
            {
                "is_default": ValidationError(
                    gettext_lazy("It stays the default until another one is made the default."),
                    code="default_required",
                )
            }
        )
    if instance.is_default and not was_default:
        model = type(instance)
        previous = model.objects.select_for_update().filter(is_default=True).exclude(pk=instance.pk).first()
        if previous is not None:
            before = snapshot(previous, ["is_default"])
            previous.is_default = False
            previous.save(update_fields=["is_default", "updated_at"])
            changes_record(
                instance=previous, before=before, after=snapshot(previous, ["is_default"]), actor=actor
            )


def _period_end(end: time) -> time:
    return time.max if end == time(0) else end


def working_periods_check(hours: Sequence[WeeklyPeriod]) -> None:
    """R34: a week has at least one working period; each ends after it starts (an end of 00:00
    is midnight); the periods of a weekday do not overlap. Errors name the period at fault
    (`hours[<index>].end`; of two overlapping, the later one's start)."""
    if not hours:
        raise ValidationError(
            {
                "hours": ValidationError(
                    gettext_lazy("Give at least one working period."), code="hours_required"
                )
            }
        )
    errors: dict[str, ValidationError] = {}
    by_day: dict[int, list[tuple[time, time, int]]] = defaultdict(list)
    for index, (weekday, start, end) in enumerate(hours):
        if _period_end(end) <= start:
            errors[f"hours[{index}].end"] = ValidationError(
                gettext_lazy("The end must be after the start."), code="period_reversed"
            )
        else:
            by_day[weekday].append((start, _period_end(end), index))
    for periods in by_day.values():
        periods.sort()
        for (start, end, _index), (next_start, _end, later) in zip(periods, periods[1:], strict=False):
            if next_start < end:
                errors[f"hours[{later}].start"] = ValidationError(
                    gettext_lazy("Overlaps the period %(start)s-%(end)s of the same weekday."),
                    code="period_overlap",
                    params={"start": f"{start:%H:%M}", "end": "24:00" if end == time.max else f"{end:%H:%M}"},
                )
    if errors:
        raise ValidationError(errors)


def _hours_text(calendar: WorkingCalendar) -> str:
    """The weekly hours as the history shows them: "Monday 09:00-12:00, 13:00-18:00; ..."."""
    by_day: dict[int, list[str]] = defaultdict(list)
    for row in calendar.hours.order_by("weekday", "start"):
        by_day[row.weekday].append(f"{row.start:%H:%M}-{row.end:%H:%M}")
    return "; ".join(f"{Weekday(day).label} {', '.join(periods)}" for day, periods in sorted(by_day.items()))


@dataclass(frozen=True)
class _KeptRows:
    """The rows kept with a calendar or a policy (its hours, its milestones), replaced as a whole
    and shown in the history as one text."""

    field: str
    label: Any
    text: Callable[[Any], str]
    replace: Callable[[Any], None]


def _kept_save(
    model: type[Kept],
    instance: Kept | None,
    *,
    fields: dict[str, Any],
    rows: _KeptRows | None,
    check: Callable[[Kept], None],
    actor,
) -> Kept:
    """Create or change a calendar or a policy: `fields` set, `check` and the one-default rule
    applied, the model validated and saved, its `rows` replaced (when given), and the changes of
    one that existed in its history. The row is locked while it changes."""
    creating = instance is None
    kept = _locked_or_new(model, instance)
    before = {} if creating else snapshot(kept, fields)
    rows_before = "" if creating or rows is None else rows.text(kept)
    was_default = kept.is_default
    for name, value in fields.items():
        setattr(kept, name, value)
    check(kept)
    _default_keep(kept, was_default=was_default, actor=actor)
    kept.full_clean()
    kept.save()
    if rows is not None:
        rows.replace(kept)
        kept.save(update_fields=["updated_at"])  # what is kept in memory reloads after the rows
    if not creating:
        changes_record(instance=kept, before=before, after=snapshot(kept, fields), actor=actor)
        if rows is not None:
            new = rows.text(kept)
            change_record_text(
                instance=kept, field=rows.field, label=str(rows.label), old=rows_before, new=new, actor=actor
            )
    return kept


def _hours_replace(calendar: WorkingCalendar, hours: Sequence[WeeklyPeriod]) -> None:
    calendar.hours.all().delete()
    for weekday, start, end in sorted(hours):
        row = WorkingHours(calendar=calendar, weekday=weekday, start=start, end=end)
        row.full_clean()
        row.save()


@transaction.atomic
def working_calendar_save(
    *,
    calendar: WorkingCalendar | None = None,
    hours: Sequence[WeeklyPeriod] | None = None,
    actor,
    **fields: Any,
) -> WorkingCalendar:
    """R34: create a working calendar (no `calendar`; `hours` required) or change one, replacing
    its weekly periods when `hours` is given. A calendar with a service point is that point's
    own; making one the company default takes the flag from the previous default. Every change of
    an existing calendar is in its history (the hours as one text). Due times already computed
    stay as they are; those computed from now on count on the calendar as saved."""
    _configure_check(actor)
    _known_fields(fields, CALENDAR_FIELDS)
    if calendar is None and hours is None:
        hours = []
    weekly = hours
    rows = None
    if weekly is not None:
        rows = _KeptRows(
            field="hours",
            label=WorkingHours._meta.verbose_name_plural,
            text=_hours_text,
            replace=lambda kept: _hours_replace(kept, weekly),
        )
    return _kept_save(
        WorkingCalendar,
        calendar,
        fields=fields,
        rows=rows,
        check=lambda _calendar: working_periods_check(weekly) if weekly is not None else None,
        actor=actor,
    )


@transaction.atomic
def working_calendar_delete(*, calendar: WorkingCalendar, actor) -> None:
    """R34: delete a calendar with its hours and exceptions; its service point counts on the
    company default from then on. The company default itself is kept (409 `protected`) until
    another calendar is made the default."""
    _configure_check(actor)
    if calendar.is_default:
        raise StillInUse(
            gettext("The company default calendar is kept: make another calendar the default first.")
        )
    calendar.delete()


@transaction.atomic
def calendar_exception_save(
    *, exception: CalendarException | None = None, actor, **fields: Any
) -> CalendarException:
    """R34: add (no `exception`) or change a dated exception of a calendar: an extra holiday or an
    extra working day, which wins over the weekly hours and the public holidays. One per day and
    calendar. Changes of an existing one are in its history."""
    _configure_check(actor)
    _known_fields(fields, ("calendar", "date", "kind", "note"))
    return record_save(instance=exception or CalendarException(), data=fields, actor=actor)


@transaction.atomic
def calendar_exception_delete(*, exception: CalendarException, actor) -> None:
    """R34: the day follows the weekly hours and the public holidays again."""
    _configure_check(actor)
    exception.delete()


# How the history marks a milestone counted in calendar time (not working hours).
CALENDAR_TIME = gettext_lazy("calendar time")


def _milestones_text(policy: SlaPolicy) -> str:
    """The milestones as the history shows them: "First response 24.00 h: created → accept, resolve; ..."."""
    order = {kind: index for index, kind in enumerate(MilestoneKind.values)}
    rows = sorted(policy.milestones.all(), key=lambda row: order.get(row.kind, 99))
    return "; ".join(
        f"{row.get_kind_display()} {row.target_hours} h"
        + ("" if row.business_time else f" ({CALENDAR_TIME})")
        + f": {row.start_on} → {', '.join(row.stop_on)}"
        for row in rows
    )


def _milestones_replace(policy: SlaPolicy, milestones: Sequence[Mapping[str, Any]]) -> None:
    """The policy's milestones become `milestones` (one per kind): rows of a kind kept are
    updated, the others added or deleted. Errors name the row (`milestones[<index>].<field>`)."""
    seen: set[str] = set()
    for index, data in enumerate(milestones):
        _known_fields(data, MILESTONE_FIELDS)
        if data.get("kind") in seen:
            raise ValidationError(
                {
                    f"milestones[{index}].kind": ValidationError(
                        gettext_lazy("Each milestone appears once in a policy."), code="unique"
                    )
                }
            )
        seen.add(data.get("kind", ""))
    existing = {row.kind: row for row in policy.milestones.all()}
    for index, data in enumerate(milestones):
        row = existing.pop(data["kind"], None) or SlaMilestone(policy=policy)
        for name, value in data.items():
            setattr(row, name, value)
        try:
            row.full_clean()
        except ValidationError as error:
            raise _prefixed(error, f"milestones[{index}]") from error
        row.save()
    for row in existing.values():
        row.delete()


def _default_active_check(policy: SlaPolicy) -> None:
    """R34: the default policy applies when no other matches: it stays active."""
    if policy.is_default and not policy.is_active:
        raise ValidationError(
            {
                "is_active": ValidationError(
                    gettext_lazy("The default policy applies when no other matches: it stays active."),
                    code="default_inactive",
                )
            }
        )


@transaction.atomic
def sla_policy_save(
    *,
    policy: SlaPolicy | None = None,
    milestones: Sequence[Mapping[str, Any]] | None = None,
    actor,
    **fields: Any,
) -> SlaPolicy:
    """R34: create a service-level policy (no `policy`) or change one, replacing its milestones
    when `milestones` is given. Making one the default takes the flag from the previous default;
    the default stays active (it is the fallback when no other policy matches).

    What a change does to work already under way is what the clock engine does with any policy
    edit: a running clock keeps the target and counting mode it started with (copied onto the
    clock), so its due time does not move; the work orders whose clocks follow this policy keep
    following it (deactivated too), so the milestones as saved apply to their clocks that start
    from now on, and stop events as saved stop their running clocks at their next transitions.
    New work orders are matched against the policies as saved. Every change of an existing
    policy is in its history (the milestones as one text)."""
    _configure_check(actor)
    _known_fields(fields, POLICY_FIELDS)
    rows = None
    if milestones is not None:
        wanted = milestones
        rows = _KeptRows(
            field="milestones",
            label=SlaMilestone._meta.verbose_name_plural,
            text=_milestones_text,
            replace=lambda kept: _milestones_replace(kept, wanted),
        )
    return _kept_save(SlaPolicy, policy, fields=fields, rows=rows, check=_default_active_check, actor=actor)


@transaction.atomic
def sla_policy_delete(*, policy: SlaPolicy, actor) -> None:
    """R34: delete a policy no clock ever followed. The default is kept (409 `protected`) until
    another policy is made the default; so is a policy whose clocks exist (their work orders
    keep following it): deactivate it instead, so that no new work order matches it."""
    _configure_check(actor)
    if policy.is_default:
        raise StillInUse(gettext("The default policy is kept: make another policy the default first."))
    if policy_has_clocks(policy):
        raise StillInUse(
            gettext("Work orders follow this policy and keep following it: deactivate it instead.")
        )
    policy.delete()


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
