"""Reads of complaints (R26) and difficult cases (R27), scoped in SQL to what the user may see
(R37): company-wide roles see everything; dealer staff and engineers see what hangs off the work
orders in their scope (and cases they handle). Difficult-case proposals are computed in SQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.shortcuts import get_object_or_404
from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.sla.selectors import breached_clocks_of
from aftersales.workorders.choices import State
from aftersales.workorders.hooks import visit_records
from aftersales.workorders.models import WorkOrder
from aftersales.workorders.selectors import workorder_scope

from .choices import DEFAULT_RESPONSE_HOURS, CaseReason, ComplaintOutcome, ResponseRisk, Severity
from .models import (
    CaseCriteria,
    CaseLevel,
    CaseStep,
    Complaint,
    ComplaintEvent,
    ComplaintResponsePolicy,
    DifficultCase,
)

# -- complaints ----------------------------------------------------------------------------------


def complaint_scope(user, queryset: QuerySet[Complaint] | None = None) -> QuerySet[Complaint]:
    """Company-wide roles: every complaint; others: those on work orders they may see (R37).
    Complaints without a work order (hotline) are for company-wide roles only."""
    queryset = Complaint.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    if user.sees_whole_company:
        return queryset
    return queryset.filter(work_order__in=workorder_scope(user).values("pk"))


def complaint_list(user) -> QuerySet[Complaint]:
    """List rows with what the list shows joined in one query."""
    return complaint_scope(user).select_related("customer", "work_order", "created_by")


def complaint_get(user, pk: int) -> Complaint:
    """One complaint the user may see, or 404 (its existence is not disclosed)."""
    return get_object_or_404(
        complaint_list(user).select_related("work_order__service_point").prefetch_related("people"),
        pk=pk,
    )


def complaint_history(complaint: Complaint) -> QuerySet[ComplaintEvent]:
    return complaint.events.select_related("actor")


def complaints_of_work_order(user, work_order: WorkOrder) -> QuerySet[Complaint]:
    return complaint_scope(user).filter(work_order=work_order).order_by("-created_at")


def response_condition(risk: str, at: datetime) -> Q:
    """R26: the SQL condition of a response risk, as `Complaint.response_risk` decides it."""
    unanswered = Q(responded_at__isnull=True)
    return {
        ResponseRisk.OK: unanswered & Q(response_warn_at__gt=at),
        ResponseRisk.WARNING: unanswered & Q(response_warn_at__lte=at, response_due_at__gt=at),
        ResponseRisk.OVERDUE: unanswered & Q(response_due_at__lte=at),
        ResponseRisk.MET: Q(responded_at__lte=F("response_due_at")),
        ResponseRisk.LATE: Q(responded_at__gt=F("response_due_at")),
    }[ResponseRisk(risk)]


def response_budget(severity: str) -> tuple[timedelta, bool]:
    """R26: the response budget of a severity and whether it counts business time: the policy
    row if there is one, else the default (critical 4, serious 8, general 24 business hours)."""
    policy = ComplaintResponsePolicy.objects.filter(severity=severity).first()
    if policy is not None:
        return timedelta(hours=float(policy.response_hours)), policy.business_time
    return timedelta(hours=DEFAULT_RESPONSE_HOURS[Severity(severity)]), True


# -- difficult cases -----------------------------------------------------------------------------


def case_scope(user, queryset: QuerySet[DifficultCase] | None = None) -> QuerySet[DifficultCase]:
    """Company-wide roles: every case; others: cases on work orders they may see or that they
    handle (R37)."""
    queryset = DifficultCase.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    if user.sees_whole_company:
        return queryset
    return queryset.filter(Q(work_order__in=workorder_scope(user).values("pk")) | Q(handler=user))


def case_list(user) -> QuerySet[DifficultCase]:
    return case_scope(user).select_related("work_order__customer", "handler", "opened_by")


def case_get(user, pk: int) -> DifficultCase:
    return get_object_or_404(
        case_list(user).select_related("work_order__service_point", "work_order__engineer__user"), pk=pk
    )


def case_steps(case: DifficultCase) -> QuerySet[CaseStep]:
    return case.steps.select_related("actor", "handler")


def cases_of_work_order(user, work_order: WorkOrder) -> QuerySet[DifficultCase]:
    return case_scope(user).filter(work_order=work_order).select_related("handler")


def case_levels() -> dict[int, CaseLevel]:
    return {level.number: level for level in CaseLevel.objects.all()}


def case_next_level(level: int) -> CaseLevel | None:
    return CaseLevel.objects.filter(number__gt=level).order_by("number").first()


def case_handler_choices(level: CaseLevel | None) -> QuerySet[User]:
    """Active staff who may handle a case at `level`: its role, or anyone when it names none."""
    users = User.objects.filter(is_active=True).order_by("username")
    if level is not None and level.role:
        return users.filter(Q(role=level.role) | Q(is_superuser=True))
    return users


def criteria_get() -> CaseCriteria:
    """R27: the company's criteria, or the defaults when nobody saved any yet (not stored)."""
    return CaseCriteria.objects.order_by("pk").first() or CaseCriteria()


# States in which a work order may still become a difficult case.
CASE_CANDIDATE_EXCLUDED_STATES = (State.CLOSED, State.CANCELLED)


# R27's "high value": the amount of a work order as an SQL expression over its row (`OuterRef("pk")`),
# given by the app that knows money (billing registers its quote total); none: the criterion
# matches nothing.
work_order_values: list[Callable[[], Any]] = []


def register_work_order_value(source: Callable[[], Any]) -> Callable[[], Any]:
    """Decorator: `source()` returns the expression of a work order's value (a Subquery)."""
    work_order_values.append(source)
    return source


def _repeat_visits(window: timedelta) -> tuple[dict[str, Any], dict[str, Any]]:
    """R27: `repeat_visits`, the visits made on the same device (on any of its work orders, a
    reopened one's later visits included) in the period up to this work order's latest visit; as
    two rounds of annotations (the second reads the first's `last_visit_at`). None when no app keeps
    visits."""
    visits = visit_records()
    if visits is None:
        return {}, {"repeat_visits": Value(0)}
    last_visit = visits.filter(work_order_id=OuterRef("pk")).order_by("-at").values("at")[:1]
    counted = (
        visits.filter(
            device_id=OuterRef("device_id"),
            at__gt=OuterRef("last_visit_at") - window,
            at__lte=OuterRef("last_visit_at"),
        )
        .values("device_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        {"last_visit_at": Subquery(last_visit)},
        {"repeat_visits": Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))},
    )


def criteria_annotate(
    queryset: QuerySet[WorkOrder], *, criteria: CaseCriteria, at: datetime
) -> QuerySet[WorkOrder]:
    """R27: each criterion as a boolean column computed in SQL (`meets_<reason>`), plus the
    repeated work on the device: `repeat_orders`, its work orders in the period up to this one;
    `repeat_visits`, its visits in the period up to this work order's latest visit (a reopened
    work order's visits count each); `repeat_count`, the larger of the two."""
    window = timedelta(days=criteria.repeat_days)
    repeats = (
        WorkOrder.objects.filter(
            device_id=OuterRef("device_id"),
            created_at__gt=OuterRef("created_at") - window,
            created_at__lte=OuterRef("created_at"),
        )
        .order_by()
        .values("device_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    visit_anchor, visit_count = _repeat_visits(window)
    breached = breached_clocks_of(OuterRef("pk"), at=at)  # the SLA app's rule (R34)
    complained = Complaint.objects.filter(work_order_id=OuterRef("pk")).exclude(
        outcome=ComplaintOutcome.REJECTED
    )
    annotations: dict[str, Any] = {
        "repeat_orders": Coalesce(Subquery(repeats, output_field=IntegerField()), Value(0)),
        "meets_sla_breach": Exists(breached),
        "meets_complaint": Exists(complained),
    }
    if work_order_values:
        annotations["work_value"] = work_order_values[-1]()
    queryset = queryset.annotate(**visit_anchor, **annotations).annotate(**visit_count)
    return queryset.annotate(repeat_count=Greatest(F("repeat_orders"), F("repeat_visits")))


def _criteria_condition(criteria: CaseCriteria) -> Q | None:
    conditions = []
    if criteria.repeat_enabled:
        conditions.append(Q(device__isnull=False, repeat_count__gte=criteria.repeat_min_orders))
    if criteria.sla_breach_enabled:
        conditions.append(Q(meets_sla_breach=True))
    if criteria.complaint_enabled:
        conditions.append(Q(meets_complaint=True))
    if criteria.value_enabled and work_order_values:
        conditions.append(Q(work_value__gte=criteria.value_threshold))
    if not conditions:
        return None
    condition = conditions[0]
    for other in conditions[1:]:
        condition |= other
    return condition


def case_proposals(
    user, *, criteria: CaseCriteria | None = None, at: datetime | None = None
) -> QuerySet[WorkOrder]:
    """R27: work orders in the user's scope, not closed or cancelled, without a difficult case,
    that meet any enabled criterion. Oldest first: they have waited longest."""
    criteria = criteria or criteria_get()
    at = at or timezone.now()
    condition = _criteria_condition(criteria)
    if condition is None:
        return WorkOrder.objects.none()
    has_case = DifficultCase.objects.filter(work_order_id=OuterRef("pk"))
    rows = (
        workorder_scope(user)
        .exclude(state__in=CASE_CANDIDATE_EXCLUDED_STATES)
        .exclude(Exists(has_case))
        .select_related("customer", "service_point", "engineer__user", "device")
    )
    return criteria_annotate(rows, criteria=criteria, at=at).filter(condition).order_by("created_at", "pk")


def case_reasons(
    work_order: WorkOrder, *, criteria: CaseCriteria | None = None, at: datetime | None = None
) -> list[str]:
    """R27: the enabled criteria `work_order` meets now, as `CaseReason` values."""
    criteria = criteria or criteria_get()
    at = at or timezone.now()
    row = criteria_annotate(WorkOrder.objects.filter(pk=work_order.pk), criteria=criteria, at=at).first()
    if row is None:
        return []
    return reasons_of(row, criteria)


def reasons_of(row: Any, criteria: CaseCriteria) -> list[str]:
    """The reasons of a row annotated by `criteria_annotate` (`repeat_count`, `meets_*`)."""
    reasons: list[str] = []
    if criteria.repeat_enabled and row.device_id and row.repeat_count >= criteria.repeat_min_orders:
        reasons.append(CaseReason.REPEAT)
    if criteria.sla_breach_enabled and row.meets_sla_breach:
        reasons.append(CaseReason.SLA_BREACH)
    if criteria.complaint_enabled and row.meets_complaint:
        reasons.append(CaseReason.COMPLAINT)
    value = getattr(row, "work_value", None)
    if criteria.value_enabled and value is not None and value >= criteria.value_threshold:
        reasons.append(CaseReason.HIGH_VALUE)
    return reasons
