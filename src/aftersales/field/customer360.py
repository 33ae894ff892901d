"""The visits on the customer page (customer 360) and the visits and parts replaced on site in a
device's history (core.panels), scoped through the work orders the user may see (R37), the
latest rows only."""

from __future__ import annotations

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

from .models import VisitPart
from .selectors import visit_scope

SECTION_SIZE = 10


def _visits_panel(request, customer) -> dict:
    visits = (
        visit_scope(request.user)
        .filter(work_order__customer=customer)
        .select_related("work_order", "engineer__user")
        .order_by("-planned_date", "-id")[:SECTION_SIZE]
    )
    return {"visits": list(visits)}


def _visit_facts(user, customer) -> list[Fact]:
    return [Fact("visits", _("Visits"), visit_scope(user).filter(work_order__customer=customer).count())]


def _device_visits(user, device, before, limit) -> list[HistoryEntry]:
    visits = (
        visit_scope(user).filter(work_order__device=device).select_related("work_order", "engineer__user")
    )
    return [
        HistoryEntry(
            at=visit.created_at,
            kind="visit",
            pk=visit.pk,
            title=f"{visit.number} · {visit.planned_date:%Y-%m-%d} · {visit.engineer.user.display_name}",
            detail=visit.findings,
            url=reverse("field:visit_detail", args=[visit.pk]),
            work_order=visit.work_order.number,
            state=visit.get_state_display(),
        )
        for visit in history_rows(visits, kind="visit", field="created_at", before=before, limit=limit)
    ]


def _device_parts(user, device, before, limit) -> list[HistoryEntry]:
    visits = visit_scope(user).filter(work_order__device=device).values("pk")
    parts = VisitPart.objects.filter(visit__in=visits).select_related("visit__work_order")
    return [
        HistoryEntry(
            at=part.created_at,
            kind="visit_part",
            pk=part.pk,
            title=f"{part.part_number} {part.name} × {part.quantity}",
            detail=part.cover_reason,
            url=reverse("field:visit_detail", args=[part.visit_id]),
            work_order=part.visit.work_order.number,
            state=str(_("part replaced on site")),
        )
        for part in history_rows(parts, kind="visit_part", field="created_at", before=before, limit=limit)
    ]


register_object_panel("customer", "field/_customer_visits.html", _visits_panel, order=30)
register_object_facts("customer", _visit_facts, order=30)
register_history_source("device", "visit", _device_visits)
register_history_source("device", "visit_part", _device_parts)
