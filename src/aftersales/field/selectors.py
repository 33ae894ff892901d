"""Reads of the field-service context, scoped to what the user may see (R37): the dispatch board
rows and the engineers' load (R5, R38; the suggestion itself is `suggestions`), appointments and
their calendar (R12), on-site visits and the engineer's day (R12), sign-offs (R15-R17) and
supervision cards (R19). The data of the printed forms is `printing`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import BooleanField, Case, Count, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from aftersales.accounts.models import Engineer, ServicePoint
from aftersales.accounts.selectors import (
    engineer_list,
    engineers_in_scope,
    service_point_list,
    service_points_in_scope,
)
from aftersales.catalog.models import Part, part_number_normalize
from aftersales.parts.choices import WarehouseKind
from aftersales.parts.models import StockBalance, Warehouse
from aftersales.workorders.choices import State
from aftersales.workorders.models import WorkOrder
from aftersales.workorders.selectors import workorder_scope
from aftersales.workorders.transitions import WORKORDER

from .choices import ACTIVE_VISIT_STATES, SELF_CHECK_DEFAULTS, VisitState
from .models import (
    Appointment,
    AppointmentState,
    EngineerLeave,
    SelfCheckItem,
    ServiceArea,
    SignedForm,
    SignOff,
    SupervisionCard,
    Visit,
    VisitPart,
)
from .suggestions import dispatch_route_many as dispatch_route_many
from .suggestions import dispatch_suggest as dispatch_suggest  # read through here too
from .suggestions import engineer_load_subquery, on_leave_exists

# Rows the board shows, oldest first; past them it says how many more wait (each row routes its work
# order among the points, which is most of the page's time and memory: issue 9).
BOARD_SIZE = 50
# Engineers the board's side panel lists at most: those of the points suggested for its rows.
BOARD_ENGINEERS = 30
# Points whose engineers a board row offers in its assign choice: the chosen one, then the nearest.
BOARD_CHOICE_POINTS = 3


def dispatch_points_for(user) -> QuerySet[ServicePoint] | None:
    """Dealer staff dispatch within their dealer's points; company-wide roles to any point."""
    return None if user.sees_whole_company else service_points_in_scope(user)


def dispatch_board_rows(user) -> QuerySet[WorkOrder]:
    """Unassigned open work orders in the user's scope: accepted ones, and new ones with no
    service point yet; oldest first."""
    return (
        workorder_scope(user)
        .filter(Q(state=State.ACCEPTED) | Q(state=State.NEW, service_point__isnull=True))
        .filter(engineer__isnull=True)
        .select_related(
            "customer", "service_point", "product_model__product_line", "device__product_model__product_line"
        )
        .order_by("created_at", "id")
    )


@dataclass(frozen=True)
class DispatchBoard:
    """The dispatch board (R5, R38, R12): its rows (at most `BOARD_SIZE`, oldest first; `truncated`
    when more wait), each work order's suggestion, and the load of the suggested points' engineers."""

    rows: list[WorkOrder]
    suggestions: dict[int, Any]
    truncated: bool
    engineers: list[Engineer]


def dispatch_board_get(
    user, *, day: date | None = None, window: tuple[time, time] | None = None
) -> DispatchBoard:
    """The board for `user` (a requested visit's `day` and `window`, else today), read the same
    way by the page and the API; a fixed number of queries whatever the number of rows."""
    rows = list(dispatch_board_rows(user)[: BOARD_SIZE + 1])
    suggestions = dispatch_route_many(
        rows[:BOARD_SIZE],
        points=dispatch_points_for(user),
        choices=BOARD_CHOICE_POINTS,
        day=day,
        window=window if day else None,
    )
    points = {suggestion.point.pk for suggestion in suggestions.values() if suggestion.point is not None}
    return DispatchBoard(
        rows=rows[:BOARD_SIZE],
        suggestions=suggestions,
        truncated=len(rows) > BOARD_SIZE,
        engineers=engineer_loads_at(user, points, limit=BOARD_ENGINEERS),
    )


def dispatch_may_assign(work_order: WorkOrder, user) -> bool:
    """A board row's assign offered: the work order may be assigned now (a new one is accepted
    first)."""
    return WORKORDER["assign"] in WORKORDER.available(work_order, user)


def engineer_loads(user, *, day: date | None = None) -> QuerySet[Engineer]:
    """Engineers in the user's scope with today's load (open work orders) and leave, one query."""
    day = day or timezone.localdate()
    return engineers_in_scope(user).annotate(
        open_load=engineer_load_subquery(), is_on_leave=on_leave_exists(day)
    )


def engineer_loads_at(user, point_ids: set[int], *, limit: int) -> list[Engineer]:
    """Today's load of the engineers in the user's scope at the given points, the least loaded
    first, at most `limit` (the dispatch board's side panel: the points it suggests, not the
    company's 2,000 engineers)."""
    if not point_ids:
        return []
    loads: Any = engineer_loads(user)  # annotated with open_load, which the stubs do not see
    rows = loads.filter(service_point_id__in=point_ids).order_by("open_load", "employee_no")
    return list(rows[:limit])


def engineer_on_leave(engineer: Engineer, day: date) -> bool:
    return EngineerLeave.objects.filter(engineer=engineer, start__lte=day, end__gte=day).exists()


def engineer_leave_list(user) -> QuerySet[EngineerLeave]:
    """R5, R37: the leave of the engineers the user may see, for those who plan visits (dispatch
    roles and engineers; nobody else), latest first, each with the visits booked with customers
    on its days (`booked_appointments`: to move)."""
    if not user.plans_visits:
        return EngineerLeave.objects.none()
    booked = (
        Appointment.objects.filter(
            engineer=OuterRef("engineer"),
            state=AppointmentState.BOOKED,
            date__gte=OuterRef("start"),
            date__lte=OuterRef("end"),
        )
        .order_by()
        .values("engineer")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        EngineerLeave.objects.filter(engineer__in=engineer_list(user))
        .select_related("engineer__user", "engineer__service_point")
        .annotate(booked_appointments=Coalesce(Subquery(booked), 0))
        .order_by("-start", "engineer", "pk")
    )


def service_area_list(user) -> QuerySet[ServiceArea]:
    """R5, R37: the areas covered by the service points the user may see, by point and region."""
    return (
        ServiceArea.objects.filter(service_point__in=service_point_list(user))
        .select_related("service_point")
        .order_by("service_point__code", "province", "city", "district", "pk")
    )


# Appointments (R12) ---------------------------------------------------------------------------


def appointments_for_workorder(work_order: WorkOrder) -> QuerySet[Appointment]:
    """Every appointment of the work order (booked first, then by day), with the engineer."""
    return work_order.appointments.select_related("engineer__user").order_by("date", "window_start", "id")


def appointment_list(user) -> QuerySet[Appointment]:
    """R12, R37: the appointments of the work orders the user may see, by day and window, with what
    a row shows (work order, engineer, its visit, who booked it)."""
    return (
        Appointment.objects.filter(work_order__in=workorder_scope(user))
        .select_related("work_order__engineer", "engineer__user", "visit", "created_by")
        .order_by("date", "window_start", "id")
    )


def appointment_get(user, pk: int) -> Appointment:
    """One appointment whose work order the user may see, or 404 (R37)."""
    return get_object_or_404(
        Appointment.objects.select_related("work_order", "engineer__user").filter(
            work_order__in=workorder_scope(user)
        ),
        pk=pk,
    )


def week_start(day: date) -> date:
    """The Monday of the day's week."""
    return day - timedelta(days=day.weekday())


# Engineers (rows) the calendar shows at a time: a company's 2,000 do not make one page.
CALENDAR_ENGINEERS_PER_PAGE = 25


@dataclass(frozen=True)
class CalendarEntry:
    """One block of the visit calendar (R12): a visit (booked, en route, on site or done) or an
    appointment booked with the customer that has no visit yet."""

    kind: str  # "visit" or "appointment"
    state: str
    state_label: str
    date: date
    window_start: time | None
    window_end: time | None
    work_order: WorkOrder
    number: str = ""  # the visit's number
    pk: int = 0

    @property
    def sort_key(self) -> tuple:
        return (self.window_start is None, self.window_start or time.min, self.kind, self.pk)


@dataclass
class CalendarWeek:
    """A grid of the visits of the engineers shown: a week (Monday to Sunday) or one day."""

    start: date
    days: list[date]
    engineers: list[Engineer]
    rows: list[tuple[Engineer, list[list[CalendarEntry]]]]
    page: int = 1
    has_next: bool = False

    @property
    def is_day(self) -> bool:
        return len(self.days) == 1

    @property
    def previous(self) -> date:
        return self.start - timedelta(days=len(self.days))

    @property
    def next(self) -> date:
        return self.start + timedelta(days=len(self.days))


def calendar_entries(engineer_ids: Iterable[int], first: date, last: date) -> dict[int, list[CalendarEntry]]:
    """R12: every visit of the engineers planned between `first` and `last` whatever its state
    (booked, en route, on site, done; not cancelled), and the booked appointments that have no
    visit yet (or only a cancelled one), by engineer, in time order. Two queries."""
    ids = list(engineer_ids)
    entries: dict[int, list[CalendarEntry]] = {pk: [] for pk in ids}
    if not ids:
        return entries
    visits = (
        Visit.objects.filter(engineer_id__in=ids, planned_date__gte=first, planned_date__lte=last)
        .exclude(state=VisitState.CANCELLED)
        .select_related("work_order__customer")
        .order_by()
    )
    appointments = (
        Appointment.objects.filter(
            engineer_id__in=ids, date__gte=first, date__lte=last, state=AppointmentState.BOOKED
        )
        .filter(Q(visit__isnull=True) | Q(visit__state=VisitState.CANCELLED))
        .select_related("work_order__customer")
        .order_by()
    )
    for kind, found, day_field in (("visit", visits, "planned_date"), ("appointment", appointments, "date")):
        for row in found:
            entries[row.engineer_id].append(
                CalendarEntry(
                    kind=kind,
                    state=row.state,
                    state_label=str(row.get_state_display()),
                    date=getattr(row, day_field),
                    window_start=row.window_start,
                    window_end=row.window_end,
                    work_order=row.work_order,
                    number=getattr(row, "number", ""),  # a visit's; an appointment has none
                    pk=row.pk,
                )
            )
    for rows in entries.values():
        rows.sort(key=lambda entry: entry.sort_key)
    return entries


def appointment_calendar(
    user,
    *,
    day: date,
    engineer_id: int | None = None,
    service_point_id: int | None = None,
    single_day: bool = False,
    page: int = 1,
) -> CalendarWeek:
    """R12: every visit (booked, en route, on site, done) and every booked appointment without a
    visit of the week containing `day` (or of that day alone), one row per engineer, for the
    engineers in the user's scope (R37): one engineer, a service point's engineers, or all of them,
    CALENDAR_ENGINEERS_PER_PAGE at a time (`page`). Three queries whatever the number of engineers
    and visits."""
    start = day if single_day else week_start(day)
    days = [start + timedelta(days=i) for i in range(1 if single_day else 7)]
    engineers_qs = engineers_in_scope(user)
    if engineer_id is not None:
        engineers_qs = engineers_qs.filter(pk=engineer_id)
    if service_point_id is not None:
        engineers_qs = engineers_qs.filter(service_point_id=service_point_id)
    first = (max(page, 1) - 1) * CALENDAR_ENGINEERS_PER_PAGE
    engineers = list(engineers_qs[first : first + CALENDAR_ENGINEERS_PER_PAGE + 1])
    has_next = len(engineers) > CALENDAR_ENGINEERS_PER_PAGE
    engineers = engineers[:CALENDAR_ENGINEERS_PER_PAGE]
    by_engineer: dict[int, list[list[CalendarEntry]]] = {e.pk: [[] for _ in days] for e in engineers}
    for engineer_pk, entries in calendar_entries(by_engineer.keys(), days[0], days[-1]).items():
        for entry in entries:
            by_engineer[engineer_pk][(entry.date - start).days].append(entry)
    return CalendarWeek(
        start=start,
        days=days,
        engineers=engineers,
        rows=[(e, by_engineer[e.pk]) for e in engineers],
        page=max(page, 1),
        has_next=has_next,
    )


# On-site visits (R12), sign-off (R15-R17), supervision cards (R19) ----------------------------


def visit_findings_by_work_order(work_order_ids: list[int]) -> dict[int, list[str]]:
    """The visits' findings and plan changes of these work orders, for their search words."""
    texts: dict[int, list[str]] = {}
    rows = Visit.objects.filter(work_order_id__in=work_order_ids).values_list(
        "work_order_id", "findings", "plan_change"
    )
    for work_order_id, findings, plan_change in rows:
        texts.setdefault(work_order_id, []).extend(t for t in (findings, plan_change) if t)
    return texts


def self_check_labels(work_order: WorkOrder) -> list[str]:
    """The self-check items for a visit (R15): the active items configured for the device's product
    line and for every line, in order; the built-in defaults when none is configured."""
    line = work_order.product_line
    items = SelfCheckItem.objects.filter(is_active=True).filter(
        Q(product_line__isnull=True) | Q(product_line=line)
        if line is not None
        else Q(product_line__isnull=True)
    )
    labels = [item.label for item in items.order_by("position", "id")]
    return labels or [str(label) for label in SELF_CHECK_DEFAULTS]


VISIT_RELATED = ("work_order__customer", "engineer__user", "appointment", "signoff", "supervision_card")


def visit_scope(user) -> QuerySet[Visit]:
    """The visits of the work orders the user may see (R37)."""
    return Visit.objects.filter(work_order__in=workorder_scope(user))


def visit_get(user, pk: int) -> Visit:
    """One visit the user may see with what its page shows, or 404 (R37)."""
    return get_object_or_404(
        visit_scope(user).select_related(
            *VISIT_RELATED, "work_order__device__product_model", "work_order__product_model"
        ),
        pk=pk,
    )


def visits_for_workorder(work_order: WorkOrder) -> QuerySet[Visit]:
    """The work order's visits, newest first, with the engineer, sign-off and supervision card."""
    return work_order.visits.select_related("engineer__user", "signoff", "supervision_card").order_by(
        "-planned_date", "-id"
    )


def visit_photos(visit: Visit) -> QuerySet:
    """The photos taken on the visit: image attachments of the work order named after it."""
    return visit.work_order.attachments.filter(
        description__startswith=f"{visit.number} · ", content_type__startswith="image/"
    ).select_related("uploaded_by")


@dataclass
class TodayJobs:
    """An engineer's day (R12): their visits planned for the day or still under way, and the
    appointments booked for the day that have no visit yet."""

    day: date
    visits: list[Visit]
    appointments: list[Appointment]

    @property
    def empty(self) -> bool:
        return not self.visits and not self.appointments


def engineer_today(user, *, day: date | None = None) -> TodayJobs:
    """The logged-in engineer's jobs of the day, in time order; two queries."""
    day = day or timezone.localdate()
    engineer = getattr(user, "engineer", None)
    if engineer is None:
        return TodayJobs(day=day, visits=[], appointments=[])
    visits = (
        visit_scope(user)
        .filter(engineer=engineer)
        .filter(Q(planned_date=day) & ~Q(state=VisitState.CANCELLED) | Q(state__in=ACTIVE_VISIT_STATES))
        .select_related(*VISIT_RELATED)
        .order_by(F("window_start").asc(nulls_last=True), "id")
    )
    appointments = (
        Appointment.objects.filter(
            engineer=engineer,
            date=day,
            state=AppointmentState.BOOKED,
            visit__isnull=True,
            work_order__in=workorder_scope(user),
        )
        .select_related("work_order__customer")
        .order_by("window_start", "id")
    )
    return TodayJobs(day=day, visits=list(visits), appointments=list(appointments))


def visits_made() -> QuerySet[Visit]:
    """R27: every visit that reached the customer (checked in on site, not cancelled), with
    `device_id` (its work order's device) and `at` (the check-in): what the difficult-case
    "repeated work" criterion counts, a reopened work order's later visits included."""
    return (
        Visit.objects.filter(arrived_at__isnull=False)
        .exclude(state=VisitState.CANCELLED)
        .annotate(device_id=F("work_order__device_id"), at=F("arrived_at"))
        .order_by()
    )


def signoff_latest(work_order: WorkOrder) -> SignOff | None:
    """The customer's latest sign-off (or refusal) of the work order's visits."""
    return SignOff.objects.filter(visit__work_order=work_order).select_related("visit").first()


def supervision_list(user, *, now: datetime | None = None) -> QuerySet[SupervisionCard]:
    """R19: the supervision cards of the visits the user may see (R37), with `late` computed in SQL:
    submitted after the end of the visit's day, or not submitted and already due."""
    now = now or timezone.now()
    late = Q(submitted_at__gt=F("due_at")) | Q(submitted_at__isnull=True, due_at__lt=now)
    return (
        SupervisionCard.objects.filter(visit__work_order__in=workorder_scope(user))
        .annotate(late=Case(When(late, then=Value(True)), default=Value(False), output_field=BooleanField()))
        .select_related(
            "visit__work_order__customer",
            "visit__engineer__user",
            "visit__engineer__service_point",
            "submitted_by",
            "verified_by",
        )
    )


def supervision_get(user, pk: int) -> SupervisionCard:
    return get_object_or_404(supervision_list(user), pk=pk)


def visit_signoff(visit: Visit) -> SignOff | None:
    """The visit's sign-off or refusal, if recorded."""
    try:
        return visit.signoff
    except SignOff.DoesNotExist:
        return None


def signed_form_of(signoff: SignOff | None) -> SignedForm | None:
    """R15, R21: a signature's signed service form (pending until the job renders it); None for a
    refusal."""
    if signoff is None:
        return None
    try:
        return signoff.signed_form
    except SignedForm.DoesNotExist:
        return None


def part_sources(visit: Visit) -> list[Warehouse]:
    """R32: where the visit's engineer takes parts from: their van, then their service point's store."""
    return list(
        Warehouse.objects.filter(is_active=True)
        .filter(
            Q(engineer_id=visit.engineer_id)
            | Q(kind=WarehouseKind.SERVICE_POINT, service_point_id=visit.engineer.service_point_id)
        )
        .order_by("-kind")  # "van" after "service_point" alphabetically: the van first
    )


def van_stock(engineer_id: int) -> list[StockBalance]:
    """R32: what the engineer's van holds, by part number (the phone's list and the form's choices)."""
    return list(
        StockBalance.objects.filter(
            warehouse__engineer_id=engineer_id, warehouse__is_active=True, on_hand__gt=0
        )
        .select_related("part")
        .order_by("part__number")
    )


def part_in_catalog(number: str) -> bool:
    return Part.objects.filter(number=part_number_normalize(number)).exists()


def parts_replaced(work_order: WorkOrder) -> dict[int, int]:
    """R12, R9: catalog part id → how many were replaced on the work order's visits (the quote's
    part lines start from them)."""
    replaced: dict[int, int] = {}
    rows = (
        VisitPart.objects.filter(visit__work_order=work_order, part__isnull=False)
        .exclude(visit__state=VisitState.CANCELLED)
        .order_by("id")
        .values_list("part_id", "quantity")
    )
    for part_id, quantity in rows:
        replaced[part_id] = replaced.get(part_id, 0) + quantity
    return replaced
