"""The depot and external repairs (with the parts a depot repair replaced, and what was found) in
a device's service history (core.panels), scoped through the work orders the user may see (R37)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from aftersales.core.panels import HistoryEntry, history_rows, register_history_source
from aftersales.workorders.hooks import detail_url
from aftersales.workorders.selectors import workorder_scope

from .models import DepotRepair, DepotRepairPart, ExternalRepair


def _device_orders(user, device):
    return workorder_scope(user).filter(device=device).values("pk")


def _depot_repairs(user, device, before, limit) -> list[HistoryEntry]:
    repairs = DepotRepair.objects.filter(work_order__in=_device_orders(user, device)).select_related(
        "work_order"
    )
    return [
        HistoryEntry(
            at=repair.received_at,
            kind="depot",
            pk=repair.pk,
            title=f"{repair.number} · {_('Depot repair')}",
            detail=" · ".join(text for text in (repair.fault_found, repair.recheck_result) if text),
            url=reverse("servicing:repair_detail", args=[repair.pk]),
            work_order=repair.work_order.number,
            state=repair.get_state_display(),
        )
        for repair in history_rows(repairs, kind="depot", field="received_at", before=before, limit=limit)
    ]


def _depot_parts(user, device, before, limit) -> list[HistoryEntry]:
    parts = DepotRepairPart.objects.filter(
        depot_repair__work_order__in=_device_orders(user, device)
    ).select_related("depot_repair__work_order")
    return [
        HistoryEntry(
            at=part.created_at,
            kind="depot_part",
            pk=part.pk,
            title=f"{part.part_number} {part.name} × {part.quantity}",
            detail=part.depot_repair.number,
            url=reverse("servicing:repair_detail", args=[part.depot_repair_id]),
            work_order=part.depot_repair.work_order.number,
            state=_("part replaced in the depot"),
        )
        for part in history_rows(parts, kind="depot_part", field="created_at", before=before, limit=limit)
    ]


def _external_repairs(user, device, before, limit) -> list[HistoryEntry]:
    repairs = ExternalRepair.objects.filter(work_order__in=_device_orders(user, device)).select_related(
        "work_order", "vendor"
    )
    return [
        HistoryEntry(
            at=repair.sent_at,
            kind="external",
            pk=repair.pk,
            title=f"{_('External repair')} · {repair.vendor}",
            detail=" · ".join(
                text
                for text in (repair.vendor_report, repair.recheck_result, repair.unrepairable_reason)
                if text
            ),
            url=detail_url(repair.work_order_id, "service"),
            work_order=repair.work_order.number,
            state=repair.get_state_display(),
        )
        for repair in history_rows(repairs, kind="external", field="sent_at", before=before, limit=limit)
    ]


register_history_source("device", "depot", _depot_repairs)
register_history_source("device", "depot_part", _depot_parts)
register_history_source("device", "external", _external_repairs)
