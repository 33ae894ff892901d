"""How the servicing lists are laid out: their columns (page) and rows (Excel export).
Presentation only; the rows come from the selectors, filtered by the filtersets."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.lists import Column

from .models import DepotRepair, ExternalRepair, Vendor


def _local_day(moment):
    return timezone.localdate(moment) if moment else None


DEPOT_COLUMNS = (
    Column(
        "number",
        _("Repair order"),
        value=lambda r, user: r.number,
        template="servicing/cells/_depot_number.html",
        sort="number",
        fixed=True,
    ),
    Column(
        "state",
        _("State"),
        value=lambda r, user: r.get_state_display(),
        template="servicing/cells/_depot_state.html",
        sort="state",
        fixed=True,
    ),
    Column(
        "work_order",
        _("Work order"),
        value=lambda r, user: r.work_order.number,
        template="servicing/cells/_work_order.html",
    ),
    Column(
        "customer",
        _("Customer"),
        value=lambda r, user: r.work_order.customer.name,
        css="d-none d-md-table-cell",
    ),
    Column(
        "device",
        _("Device"),
        value=lambda r, user: r.work_order.device_model_label,
        template="servicing/cells/_device.html",
        css="d-none d-lg-table-cell small",
    ),
    Column(
        "warranty",
        _("Warranty"),
        value=lambda r, user: r.get_warranty_display(),
        css="d-none d-lg-table-cell small",
    ),
    Column(
        "received",
        _("Received"),
        value=lambda r, user: r.received_at,
        sort="received_at",
        css="d-none d-sm-table-cell small text-nowrap",
    ),
    Column(
        "handed_back",
        _("Handed back"),
        value=lambda r, user: r.handed_back_at,
        css="d-none d-sm-table-cell small text-nowrap",
        default=False,
    ),
)

EXTERNAL_COLUMNS = (
    Column(
        "work_order",
        _("Work order"),
        value=lambda e, user: e.work_order.number,
        template="servicing/cells/_external_work_order.html",
        fixed=True,
    ),
    Column("vendor", _("Vendor"), value=lambda e, user: e.vendor.name),
    Column(
        "state",
        _("State"),
        value=lambda e, user: e.get_state_display(),
        template="servicing/cells/_external_state.html",
        sort="state",
        fixed=True,
    ),
    Column(
        "voucher", _("Voucher"), value=lambda e, user: e.voucher_number, css="d-none d-md-table-cell small"
    ),
    Column(
        "sent",
        _("Sent out"),
        value=lambda e, user: _local_day(e.sent_at),
        sort="sent_at",
        css="d-none d-sm-table-cell small text-nowrap",
    ),
    Column(
        "expected_back",
        _("Expected back"),
        value=lambda e, user: e.expected_back_on,
        template="servicing/cells/_expected_back.html",
        sort="expected_back_on",
        css="small text-nowrap",
    ),
    Column(
        "follow_ups",
        _("Follow-ups"),
        value=lambda e, user: e.follow_up_count,
        css="d-none d-lg-table-cell small",
    ),
    Column(
        "cost",
        _("Cost (CNY)"),
        value=lambda e, user: e.cost,
        template="servicing/cells/_cost.html",
        css="d-none d-lg-table-cell small",
    ),
)

VENDOR_COLUMNS = (
    Column(
        "name",
        _("Name"),
        value=lambda v, user: v.name,
        template="servicing/cells/_vendor_name.html",
        sort="name",
        fixed=True,
    ),
    Column("contact_name", _("Contact person"), value=lambda v, user: v.contact_name),
    Column("phone", _("Phone"), value=lambda v, user: v.phone, css="d-none d-sm-table-cell text-nowrap"),
    Column(
        "product_lines",
        _("Product lines"),
        value=lambda v, user: "、".join(line.name for line in v.product_lines.all()),
        template="servicing/cells/_vendor_lines.html",
        css="d-none d-md-table-cell small",
    ),
    Column(
        "lead_time_days", _("Lead time (days)"), value=lambda v, user: v.lead_time_days, sort="lead_time_days"
    ),
    Column(
        "at_vendor",
        _("At the vendor"),
        value=lambda v, user: v.at_vendor,
        template="servicing/cells/_vendor_at.html",
        css="d-none d-md-table-cell",
    ),
    Column("address", _("Address"), value=lambda v, user: v.address, css="d-none d-lg-table-cell small"),
)

DEPOT_EXPORT_HEADERS = (
    _("Repair order"),
    _("State"),
    _("Work order"),
    _("Customer"),
    _("Device model"),
    _("Serial number"),
    _("Warranty"),
    _("Received"),
    _("Send-outs"),
    _("Handed back"),
)

EXTERNAL_EXPORT_HEADERS = (
    _("Work order"),
    _("Repair order"),
    _("Vendor"),
    _("State"),
    _("Reason for sending out"),
    _("Pickup voucher number"),
    _("Sent out"),
    _("Expected back"),
    _("Received back"),
    _("Follow-ups"),
    _("Cost (CNY)"),
)

VENDOR_EXPORT_HEADERS = (
    _("Name"),
    _("Contact person"),
    _("Phone"),
    _("Address"),
    _("Product lines"),
    _("Lead time (days)"),
    _("At the vendor"),
    _("Active"),
)


def depot_rows(repairs: Iterable[DepotRepair]) -> Iterator[list[Any]]:
    for r in repairs:
        wo = r.work_order
        yield [
            r.number,
            r.get_state_display(),
            wo.number,
            wo.customer.name,
            wo.device_model_label,
            wo.serial_number,
            r.get_warranty_display(),
            r.received_at,
            r.send_outs,
            r.handed_back_at,
        ]


def external_rows(repairs: Iterable[ExternalRepair]) -> Iterator[list[Any]]:
    for e in repairs:
        yield [
            e.work_order.number,
            e.depot_repair.number,
            e.vendor.name,
            e.get_state_display(),
            e.get_reason_display(),
            e.voucher_number,
            e.sent_at,
            e.expected_back_on,
            e.returned_at,
            e.follow_up_count,
            e.cost,
        ]


def vendor_rows(vendors: Iterable[Vendor]) -> Iterator[list[Any]]:
    for v in vendors:
        yield [
            v.name,
            v.contact_name,
            v.phone,
            v.address,
            "、".join(line.name for line in v.product_lines.all()),
            v.lead_time_days,
            v.at_vendor,
            _("Yes") if v.is_active else _("No"),
        ]
