"""Reads of return visits (R22-R24), scoped in SQL to the work orders the user may see (R37)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone

from aftersales.accounts.choices import Role
from aftersales.accounts.models import User
from aftersales.workorders.models import WorkOrder
from aftersales.workorders.selectors import workorder_scope

from .choices import ASSIGNEE_ROLES, ReturnVisitState
from .models import ReturnVisit, ReturnVisitPolicy

QUEUE_SIZE = 10
LIST_RELATED = ("work_order__customer", "assignee", "engineer__user", "service_point", "product_line")


def policy_get() -> ReturnVisitPolicy:
    """The company's return-visit policy; the defaults (R22, R23) while none is saved."""
    return ReturnVisitPolicy.objects.first() or ReturnVisitPolicy()


def assignee_pick() -> User | None:
    """R22: who makes the next return visit: the active quality staff, else the agents; of those
    the one with the fewest pending visits, the oldest account first on a tie (deterministic)."""
    pending = Q(return_visits_assigned__state=ReturnVisitState.PENDING)
    for role in ASSIGNEE_ROLES:
        candidate = (
            User.objects.filter(is_active=True, role=role)
            .annotate(load=Count("return_visits_assigned", filter=pending))
            .order_by("load", "pk")
            .first()
        )
        if candidate is not None:
            return candidate
    return None


def return_visit_scope(user) -> QuerySet[ReturnVisit]:
    """The return visits of the work orders the user sees (R37)."""
    visits = ReturnVisit.objects.all()
    if not user.is_authenticated:
        return visits.none()
    if user.sees_whole_company:
        return visits
    return visits.filter(work_order__in=workorder_scope(user).values("pk"))


def return_visit_list(user) -> QuerySet[ReturnVisit]:
    """The queue's rows with what it shows joined in: pending first, the next call soonest first."""
    return (
        return_visit_scope(user)
        .select_related(*LIST_RELATED)
        .order_by(
            Case(
                When(state=ReturnVisitState.PENDING, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            "next_call_at",
            "pk",
        )
    )


def return_visit_get(user, pk: int) -> ReturnVisit:
    """One return visit the user may see, or 404."""
    return get_object_or_404(
        return_visit_scope(user).select_related(
            *LIST_RELATED, "work_order__contact", "work_order__engineer__user", "finished_by"
        ),
        pk=pk,
    )


def return_visits_of(work_order: WorkOrder) -> QuerySet[ReturnVisit]:
    """A work order's return visits, newest round first (the panel on its page)."""
    return work_order.return_visits.select_related("assignee", "engineer__user").order_by("-round", "-pk")


def end_of_today() -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=1), time.min))


def return_visit_queue(user) -> dict:
    """The home panel (R22): the user's pending visits, overdue and due today counted. Quality staff
    oversee every call: theirs are all the pending visits in their scope to call by the end of today
    (overdue ones included), whoever they are assigned to (`due` says which list it is)."""
    now = timezone.now()
    pending = return_visit_list(user).filter(state=ReturnVisitState.PENDING)
    all_due = user.role == Role.QUALITY
    rows = pending.filter(next_call_at__lt=end_of_today()) if all_due else pending.filter(assignee=user)
    counts = rows.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=Q(due_at__lt=now)),
        today=Count("pk", filter=Q(next_call_at__lt=end_of_today())),
    )
    return {**counts, "due": all_due, "rows": list(rows[:QUEUE_SIZE])}
