"""The depot and external repairs (with the parts a depot repair replaced, and what was found) in
a device's service history (core.panels), scoped through the work orders the user may see (R37)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from aftersales.core.panels import HistoryEntry, register_history_source
from aftersales.workorders.hooks import detail_url
from aftersales.workorders.selectors import workorder_scope

from .models import DepotRepair, DepotRepairPart, ExternalRepair


def _device_orders(user, device):
    return workorder_scope(user).filter(device=device).values("pk")


def _depot_repairs(user, device, before, limit) -> list[HistoryEntry]:
    rows = (
        DepotRepair.objects.filter(work_order__in=_device_orders(user, device))
        .select_related("work_order")
        .order_by("-received_at", "-id")
    )
    if before is not None:
        rows = rows.filter(before.before("depot", "received_at"))
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
        for repair in rows[:limit]
    ]


def _depot_parts(user, device, before, limit) -> list[HistoryEntry]:
    rows = (
        DepotRepairPart.objects.filter(depot_repair__work_order__in=_device_orders(user, device))
        .select_related("depot_repair__work_order")
        .order_by("-created_at", "-id")
    )
    if before is not None:
        rows = rows.filter(before.before("depot_part", "created_at"))
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
        for part in rows[:limit]
    ]


def _external_repairs(user, device, before, limit) -> list[HistoryEntry]:
    rows = (
        ExternalRepair.objects.filter(work_order__in=_device_orders(user, device))
        .select_related("work_order", "vendor")
        .order_by("-sent_at", "-id")
    )
    if before is not None:
        rows = rows.filter(before.before("external", "sent_at"))
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
        for repair in rows[:limit]
    ]


register_history_source("device", "depot", _depot_repairs)
register_history_source("device", "depot_part", _depot_parts)
register_history_source("device", "external", _external_repairs)
