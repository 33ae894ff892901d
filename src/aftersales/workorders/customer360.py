"""The work orders and documents on the customer page (customer 360) and the work orders in a
device's history (core.panels): scoped like the list (R37), the latest rows only (open first),
with a link to the filtered list, so the page's cost does not grow with the customer's history."""

from __future__ import annotations

from django.db.models import Case, Count, IntegerField, Max, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.core.panels import (
    Fact,
    HistoryEntry,
    history_rows,
    register_history_source,
    register_object_facts,
    register_object_panel,
)

from .choices import OPEN_STATES
from .models import Attachment, WorkOrder
from .selectors import workorder_scope

# Rows a section of the customer page shows at most; the link opens the whole filtered list.
SECTION_SIZE = 10

OPEN_FIRST = Case(When(state__in=OPEN_STATES, then=Value(0)), default=Value(1), output_field=IntegerField())


def customer_workorders(user, customer) -> QuerySet[WorkOrder]:
    """The customer's work orders the user may see (R37), open ones first, newest first."""
    return (
        workorder_scope(user)
        .filter(customer=customer)
        .select_related("service_point", "engineer__user", "device")
        .annotate(open_first=OPEN_FIRST)
        .order_by("open_first", "-created_at", "-id")
    )


def workorder_counts(user, **filters) -> dict:
    """Total, open and the latest creation time of the work orders matching `filters` in the
    user's scope: one query."""
    return (
        workorder_scope(user)
        .filter(**filters)
        .aggregate(
            total=Count("pk"), open=Count("pk", filter=Q(state__in=OPEN_STATES)), last=Max("created_at")
        )
    )


def _list_url(customer) -> str:
    return reverse("workorders:list") + f"?customer={customer.pk}"


def _workorders_panel(request, customer) -> dict:
    return {
        "work_orders": list(customer_workorders(request.user, customer)[:SECTION_SIZE]),
        "more_url": _list_url(customer),
        "open_url": _list_url(customer) + "&" + "&".join(f"state={state}" for state in sorted(OPEN_STATES)),
        "new_url": reverse("workorders:intake") + f"?customer={customer.pk}",
        "may_take": request.user.takes_requests,
    }


def _documents_panel(request, customer) -> dict:
    documents = (
        Attachment.objects.filter(
            work_order__in=workorder_scope(request.user).filter(customer=customer).values("pk")
        )
        .select_related("work_order")
        .order_by("-created_at", "-id")[:SECTION_SIZE]
    )
    return {"documents": list(documents)}


def _workorder_facts(user, customer) -> list[Fact]:
    counts = workorder_counts(user, customer=customer)
    return [
        Fact(
            "work_orders",
            _("Work orders"),
            counts["total"],
            url=_list_url(customer),
            last_contact=counts["last"],
        ),
        Fact(
            "open_work_orders",
            _("Open work orders"),
            counts["open"],
            url=_list_url(customer) + "&" + "&".join(f"state={state}" for state in sorted(OPEN_STATES)),
        ),
    ]


def _device_workorders(user, device, before, limit) -> list[HistoryEntry]:
    orders = workorder_scope(user).filter(device=device)
    return [
        HistoryEntry(
            at=wo.created_at,
            kind="workorder",
            pk=wo.pk,
            title=f"{wo.number} · {wo.get_type_display()}",
            detail=wo.resolution or wo.fault_symptom,
            url=reverse("workorders:detail", args=[wo.pk]),
            work_order=wo.number,
            state=wo.get_state_display(),
        )
        for wo in history_rows(orders, kind="workorder", field="created_at", before=before, limit=limit)
    ]


register_object_panel("customer", "workorders/_customer_workorders.html", _workorders_panel, order=20)
register_object_panel("customer", "workorders/_customer_documents.html", _documents_panel, order=60)
register_object_facts("customer", _workorder_facts, order=20)
register_history_source("device", "workorder", _device_workorders)
