"""Reads of the service-level context (R34, R18): working calendars loaded once into a
`WorkingTime`, the policy that applies to a work order, and its clocks with risk levels."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from aftersales.accounts.choices import Role
from aftersales.accounts.models import ServicePoint
from aftersales.accounts.selectors import service_points_in_scope
from aftersales.core.reference import ReferenceCache
from aftersales.customers.selectors import customer_scope
from aftersales.workorders.selectors import workorder_scope

from .calendar import WorkingTime, package_has_holidays
from .choices import WARNING_SHARE, HolidaySource, MilestoneKind, OfficialDayKind, RiskLevel
from .models import (
    CalendarException,
    OfficialDay,
    SlaClock,
    SlaMilestone,
    SlaPolicy,
    WorkingCalendar,
    WorkingHours,
)


def working_time_for(service_point: ServicePoint | None = None) -> WorkingTime:
    """R34: the working time that SLA clocks of `service_point` count on.

    The point's own calendar, else the company default, else (no calendar in the database at
    all) the built-in standard: Monday-Friday 09:00-12:00, 13:00-18:00 with public holidays.
    Read from the calendars kept in memory (`CALENDARS`): no query while they are unchanged.
    """
    own, default = CALENDARS.get()
    return own.get(service_point.pk, default) if service_point is not None else default


def working_time_resolver() -> Callable[[ServicePoint | None], WorkingTime]:
    """`resolve(service_point)` for jobs over many work orders: one snapshot of the calendars for
    the whole job, even if they are edited while it runs."""
    own, default = CALENDARS.get()

    def resolve(service_point: ServicePoint | None = None) -> WorkingTime:
        return own.get(service_point.pk, default) if service_point is not None else default

    return resolve


def working_times_of_points(point_ids: Iterable[int]) -> dict[int, WorkingTime]:
    """R34: the working time of each service point in `point_ids`: its own calendar, else the
    company default, else the standard one; for other apps (field's dispatch availability)."""
    own, default = CALENDARS.get()
    return {point_id: own.get(point_id, default) for point_id in set(point_ids)}


def _calendars_load() -> tuple[dict[int, WorkingTime], WorkingTime]:
    """The points' own calendars by point id, and the company default (the standard one when the
    database has none): four plain queries, no model instances (the calendars, their hours,
    their exceptions, the imported official schedule that every calendar shares)."""
    official = list(OfficialDay.objects.values_list("date", "kind"))
    shared = {
        "official_holidays": frozenset(day for day, kind in official if kind == OfficialDayKind.HOLIDAY),
        "official_workdays": frozenset(day for day, kind in official if kind == OfficialDayKind.WORKDAY),
        "time_zone": settings.TIME_ZONE,
    }
    calendars = WorkingCalendar.objects.filter(Q(is_default=True) | Q(service_point__isnull=False))
    heads = list(calendars.values_list("pk", "is_default", "service_point_id", "use_public_holidays", "name"))
    ids = [head[0] for head in heads]
    hours: dict[int, list] = defaultdict(list)
    for calendar_id, *row in WorkingHours.objects.filter(calendar_id__in=ids).values_list(
        "calendar_id", "weekday", "start", "end"
    ):
        hours[calendar_id].append(tuple(row))
    days: dict[int, list] = defaultdict(list)
    for calendar_id, *row in CalendarException.objects.filter(calendar_id__in=ids).values_list(
        "calendar_id", "date", "kind"
    ):
        days[calendar_id].append(tuple(row))
    built = {
        pk: WorkingTime.from_rows(
            hours=hours[pk],
            exceptions=days[pk],
            use_public_holidays=public,
            name=name,
            calendar_id=pk,
            **shared,
        )
        for pk, _default, _point, public, name in heads
    }
    default = next((built[pk] for pk, is_default, *_ in heads if is_default), None)
    default = default or WorkingTime.standard(name="standard", **shared)
    return {point: built[pk] for pk, _default, point, *_ in heads if point}, default


# R34: the working calendars, read on every create (SLA clocks, dispatch availability).
CALENDARS = ReferenceCache(
    "sla.calendars",
    _calendars_load,
    depends_on=(WorkingCalendar, WorkingHours, CalendarException, OfficialDay),
)


# -- the calendars and policies as kept (the API's reads) -----------------------------------


def working_calendar_scope(user) -> QuerySet[WorkingCalendar]:
    """R34, R37: the calendars a user reads: every one for company-wide roles; for the others the
    company default and the own calendars of the service points they work with."""
    calendars = WorkingCalendar.objects.all()
    if not user.is_authenticated:
        return calendars.none()
    if user.sees_whole_company:
        return calendars
    return calendars.filter(Q(is_default=True) | Q(service_point__in=service_points_in_scope(user)))


def working_calendar_list(user) -> QuerySet[WorkingCalendar]:
    """The calendars in the user's scope with their service point and weekly hours, default first."""
    return (
        working_calendar_scope(user)
        .select_related("service_point")
        .prefetch_related("hours")
        .order_by("-is_default", "name", "pk")
    )


def calendar_exception_list(user) -> QuerySet[CalendarException]:
    """The dated exceptions of the calendars in the user's scope, by date."""
    return (
        CalendarException.objects.filter(calendar__in=working_calendar_scope(user))
        .select_related("calendar")
        .order_by("date", "calendar__name", "pk")
    )


def sla_policy_list(user) -> QuerySet[SlaPolicy]:
    """R34, R37: the policies with their milestones, active and inactive, by precedence; for roles
    scoped to a dealer or a service point, a customer's own agreement only when they see the
    customer."""
    policies = SlaPolicy.objects.select_related("match_product_line").prefetch_related("milestones")
    if not user.is_authenticated:
        return policies.none()
    if not user.sees_whole_company:
        policies = policies.filter(
            Q(match_customer__isnull=True) | Q(match_customer__in=customer_scope(user))
        )
    return policies.order_by("precedence", "name", "pk")


def policy_has_clocks(policy: SlaPolicy) -> bool:
    """True when the clocks of some work order follow `policy` (they keep following it, R34)."""
    return SlaClock.objects.filter(policy=policy).exists()


# -- the official schedule of coming years (R34) --------------------------------------------


def holiday_source(day: date, service_point: ServicePoint | None = None) -> HolidaySource:
    """R34: which rule the SLA arithmetic follows for the public holidays of `day`'s year: the
    `chinese_calendar` package (it knows the year), the official schedule an admin imported (the
    package does not know the year, the database has days of it), or the fallback of weekends
    only (neither knows it, or the calendar does not follow public holidays). For the calendar of
    `service_point` (its own, else the company default); no query while the calendars are
    unchanged (`CALENDARS`)."""
    return HolidaySource(working_time_for(service_point).holiday_source(day))


def schedule_known(year: int) -> bool:
    """R34: True when the package or the imported official schedule has a public holiday in `year`."""
    if package_has_holidays(year):
        return True
    _own, default = CALENDARS.get()
    return any(day.year == year for day in default.official_holidays)


def next_year_schedule_missing(today: date) -> int | None:
    """R34: from 1 November, next year when neither the package nor the imported official schedule
    has a public holiday in it (admins are told to import it); None otherwise."""
    if today.month < 11 or schedule_known(today.year + 1):
        return None
    return today.year + 1


def schedule_years_missing(today: date) -> list[int]:
    """R34: the years whose official schedule admins are told to import: from 1 November next year
    (`next_year_schedule_missing`), and all year long the current one if it is still unknown (its
    holidays are being counted as working days)."""
    years = [] if schedule_known(today.year) else [today.year]
    upcoming = next_year_schedule_missing(today)
    return years + ([upcoming] if upcoming is not None else [])


def official_days(year: int | None = None) -> QuerySet[OfficialDay]:
    """The imported official schedule (of `year` when given), by date."""
    days = OfficialDay.objects.select_related("created_by").order_by("date")
    return days.filter(date__year=year) if year is not None else days


def official_years() -> list[int]:
    """The years that have imported official days, in order."""
    return [day.year for day in OfficialDay.objects.dates("date", "year")]


def working_time_of(work_order) -> WorkingTime:
    """R34: the working time of a work order (its service point's calendar, else the company
    default); with no work order, the company default. For other apps (complaints' response due
    time, R26)."""
    point = work_order.service_point if work_order is not None and work_order.service_point_id else None
    return working_time_for(point)


# -- policies and clocks (R34, R18) ---------------------------------------------------------


def _province_of(work_order) -> str:
    """The customer's province, else the service point's ('' if neither is known)."""
    province = ""
    if work_order.customer_id:
        province = work_order.customer.province
    if not province and work_order.service_point_id:
        province = work_order.service_point.province
    return province


def _product_line_id_of(work_order) -> int | None:
    line = work_order.product_line
    return line.pk if line is not None else None


def _active_policies() -> list[SlaPolicy]:
    return list(SlaPolicy.objects.filter(is_active=True).prefetch_related("milestones"))


# R34: the active SLA policies with their milestones, matched on every create.
POLICIES = ReferenceCache("sla.policies", _active_policies, depends_on=(SlaPolicy, SlaMilestone))


def policy_for(work_order) -> SlaPolicy | None:
    """R34: the active policy that applies to `work_order`.

    Candidates are those whose every match field is empty or equal; of those the most specific
    wins (most match fields set), then a non-default one over the default, then the lowest
    precedence number, then the oldest. Milestones come prefetched (`POLICIES`, kept in memory).
    """
    wanted = {
        "match_priority": work_order.priority,
        "match_type": work_order.type,
        "match_product_line_id": _product_line_id_of(work_order),
        "match_province": _province_of(work_order),
        "match_customer_id": work_order.customer_id,
    }
    candidates = [
        policy
        for policy in POLICIES.get()
        if all(getattr(policy, name) in ("", None, value) for name, value in wanted.items())
    ]
    ranked = sorted(candidates, key=lambda p: (-p.specificity, p.is_default, p.precedence, p.pk))
    return ranked[0] if ranked else None


def policy_by_id(policy_id: int) -> SlaPolicy | None:
    """The policy a clock follows, with its milestones (from memory when it is active)."""
    active = next((policy for policy in POLICIES.get() if policy.pk == policy_id), None)
    return active or SlaPolicy.objects.filter(pk=policy_id).prefetch_related("milestones").first()


def _counted(clock: SlaClock, start: datetime, end: datetime, working_time: WorkingTime) -> timedelta:
    """The time from `start` to `end` as the clock counts it: working time, or calendar time."""
    if clock.business_time:
        return working_time.business_time_between(start, end)
    return max(end - start, timedelta(0))


def clock_used(clock: SlaClock, *, at: datetime, working_time: WorkingTime) -> timedelta:
    """Time counted against the clock's budget up to `at` (frozen while paused or stopped)."""
    end = clock.paused_at or clock.stopped_at or at
    return max(_counted(clock, clock.started_at, end, working_time) - clock.paused_total, timedelta(0))


def risk_of_running(*, due_at: datetime, warn_at: datetime | None, at: datetime) -> str:
    """R34: the risk of a running clock from its due and warning times: breached once `at` is past
    the due time, at risk from `warn_at` (when 75 % of the budget is used), else ok. The same
    levels as `clock_view`, without the calendar: for lists of many work orders."""
    if at > due_at:
        return RiskLevel.BREACHED
    if warn_at is not None and at >= warn_at:
        return RiskLevel.WARNING
    return RiskLevel.OK


def running_clocks_of(work_order_ref) -> QuerySet[SlaClock]:
    """The running clocks of the work order `work_order_ref` points to (e.g. an OuterRef), the
    next one due first: the subquery of the work-order list's SLA column."""
    return SlaClock.objects.filter(
        work_order_id=work_order_ref, stopped_at__isnull=True, paused_at__isnull=True
    ).order_by("due_at", "pk")


def breached_clocks_of(work_order_ref, *, at: datetime) -> QuerySet[SlaClock]:
    """R34: the clocks of the work order `work_order_ref` points to (an id, or an OuterRef for an
    `Exists` subquery) that missed their due time by `at`: stopped late or marked breached, still
    running past due, or paused after their due time. For other apps (complaints' difficult-case
    criteria, R27) that need to know without reading the clock model."""
    return SlaClock.objects.filter(work_order_id=work_order_ref).filter(
        Q(met=False)
        | Q(breached_at__isnull=False)
        | Q(stopped_at__isnull=True, paused_at__isnull=True, due_at__lt=at)
        | Q(stopped_at__isnull=True, paused_at__gt=F("due_at"))
    )


@dataclass(frozen=True)
class ClockView:
    """A clock with what the page shows about it: state, time used and left, time paused
    (the ongoing pause included), risk (R34)."""

    clock: SlaClock
    state: str  # running | paused | met | breached | cancelled
    used: timedelta
    remaining: timedelta
    percent: int
    risk: str
    paused: timedelta = timedelta(0)

    @property
    def kind_label(self) -> str:
        return self.clock.get_kind_display()

    @property
    def due_at(self) -> datetime:
        return self.clock.due_at


def clock_view(clock: SlaClock, *, at: datetime, working_time: WorkingTime) -> ClockView:
    """R34: the risk level is ok below 75 % of the budget, warning from 75 %, breached once the
    due time has passed (for a paused clock: when it was paused after its due time)."""
    used = clock_used(clock, at=at, working_time=working_time)
    target = clock.target
    percent = int(used / target * 100) if target else 100
    if clock.stopped_at is not None:
        state = {True: "met", False: "breached", None: "cancelled"}[clock.met]
        risk = RiskLevel.BREACHED if clock.met is False else RiskLevel.OK
    else:
        state = "paused" if clock.paused_at is not None else "running"
        reference = clock.paused_at or at
        if reference > clock.due_at:
            risk = RiskLevel.BREACHED
        elif used >= target * WARNING_SHARE:
            risk = RiskLevel.WARNING
        else:
            risk = RiskLevel.OK
    paused = clock.paused_total
    if clock.stopped_at is None and clock.paused_at is not None:  # the ongoing pause
        paused += _counted(clock, clock.paused_at, at, working_time)
    return ClockView(
        clock=clock,
        state=state,
        used=used,
        remaining=max(target - used, timedelta(0)),
        percent=percent,
        risk=risk,
        paused=paused,
    )


def clocks_for(
    work_order, *, at: datetime | None = None, working_time: WorkingTime | None = None
) -> list[ClockView]:
    """R34, R18: the work order's clocks in milestone order with time used, remaining, percent
    of budget and risk. One query for the clocks, plus the calendar (three) when a clock counts
    business time and no `working_time` is given."""
    at = at or timezone.now()
    clocks = list(
        SlaClock.objects.filter(work_order_id=work_order.pk)
        .select_related("policy")
        .order_by("started_at", "pk")
    )
    if working_time is None and any(clock.business_time for clock in clocks):
        working_time = working_time_of(work_order)
    order = {kind: index for index, kind in enumerate(MilestoneKind.values)}
    clocks.sort(key=lambda clock: order.get(clock.kind, 99))
    wt = working_time or WorkingTime.standard(time_zone=settings.TIME_ZONE)
    return [clock_view(clock, at=at, working_time=wt) for clock in clocks]


ESCALATIONS_SHOWN = 10
# Roles the escalations go to (R34: a breach escalates to the supervisors), who see them.
ESCALATION_ROLES = (Role.SUPERVISOR, Role.HQ_ADMIN)


def sees_escalations(user) -> bool:
    """Whether the escalations panel (home page, API) is the user's: breaches escalate to them."""
    return bool(user.is_authenticated and user.has_role(*ESCALATION_ROLES))


def escalations(user) -> QuerySet[SlaClock]:
    """R34: the clocks escalated to the supervisors (past their due time) and not stopped since, of
    the work orders the user may see, the latest escalation first, with their work order and
    customer."""
    return (
        SlaClock.objects.filter(
            escalated_at__isnull=False,
            stopped_at__isnull=True,
            work_order__in=workorder_scope(user).values("pk"),
        )
        .select_related("work_order__customer")
        .order_by("-escalated_at", "-pk")
    )


def escalations_open(user, *, size: int = ESCALATIONS_SHOWN) -> tuple[int, list[SlaClock]]:
    """R34: the open escalations (`escalations`) as the supervisor's home page shows them: how many,
    and the first `size`."""
    clocks = escalations(user)
    rows = list(clocks[:size])
    return (len(rows) if len(rows) < size else clocks.count()), rows
