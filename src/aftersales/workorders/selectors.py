"""Reads of work orders, always scoped in SQL to what the user may see (R37)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from aftersales.accounts.choices import Role
from aftersales.core.models import ChangeRecord

from .models import WorkOrder


def workorder_scope(user, queryset: QuerySet[WorkOrder] | None = None) -> QuerySet[WorkOrder]:
    """Dealer staff: their dealer's service points; engineers: assigned to them or their service
    point; company-wide roles: everything; anyone else: nothing."""
    queryset = WorkOrder.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    if user.sees_whole_company:
        return queryset
    if user.role == Role.DEALER_STAFF and user.dealer_id:
        return queryset.filter(service_point__dealer_id=user.dealer_id)
    if user.role == Role.ENGINEER:
        engineer = getattr(user, "engineer", None)
        if engineer is None:
            return queryset.none()
        return queryset.filter(Q(engineer=engineer) | Q(service_point_id=engineer.service_point_id))
    return queryset.none()


def workorder_list(user) -> QuerySet[WorkOrder]:
    """The list rows with everything the list shows joined in one query."""
    return workorder_scope(user).select_related(
        "customer", "service_point", "engineer__user", "product_model"
    )


def workorder_get(user, pk: int) -> WorkOrder:
    """One work order the user may see, or 404 (never 403: its existence is not disclosed)."""
    return get_object_or_404(
        workorder_scope(user).select_related(
            "customer",
            "contact",
            "device__product_model",
            "product_model",
            "service_point__dealer",
            "engineer__user",
            "engineer__service_point",
            "created_by",
        ),
        pk=pk,
    )


def workorder_get_by_number(user, number: str) -> WorkOrder:
    return get_object_or_404(workorder_scope(user), number=number)


def workorder_history(work_order: WorkOrder) -> QuerySet[ChangeRecord]:
    from django.contrib.contenttypes.models import ContentType

    return ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(WorkOrder), object_id=work_order.pk
    ).select_related("actor")


def workorder_timeline(work_order: WorkOrder) -> list:
    """Events and field changes merged oldest first, as the detail page shows them."""
    events = list(work_order.events.select_related("actor"))
    changes = list(workorder_history(work_order).exclude(field="state"))
    return sorted(events + changes, key=lambda row: (row.created_at, row.__class__.__name__))
