"""How the servicing lists are laid out: their columns (page) and rows (Excel export).
Presentation only; the rows come from the selectors, filtered by the filtersets."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from aftersales.workorders.tables import Column

from .filtersets import DepotRepairFilterSet, ExternalRepairFilterSet, VendorFilterSet
from .models import DepotRepair, ExternalRepair, Vendor
from .selectors import depot_repair_list, external_repair_list, vendor_list

PAGE_SIZE = 25


@dataclass(frozen=True)
class ListSpec:
    """One list: its rows (scoped), title, filter, page columns, row template and export."""

    key: str
    title: Any
    queryset: Callable[[Any], Any]
    filterset: type
    columns: tuple[Column, ...]
    row_template: str
    export_headers: tuple[Any, ...]
    export_rows: Callable[[Iterable[Any]], Iterator[list[Any]]]
    empty: Any
    filters: tuple[str, ...] = field(default_factory=tuple)


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


DEPOT = ListSpec(
    key="repairs",
    title=_("Depot repairs"),
    queryset=depot_repair_list,
    filterset=DepotRepairFilterSet,
    columns=(
        Column(_("Repair order"), "number"),
        Column(_("State"), "state"),
        Column(_("Work order")),
        Column(_("Customer"), "", "d-none d-md-table-cell"),
        Column(_("Device"), "", "d-none d-lg-table-cell"),
        Column(_("Warranty"), "", "d-none d-lg-table-cell"),
        Column(_("Received"), "received_at", "d-none d-sm-table-cell"),
    ),
    row_template="servicing/_depot_row.html",
    export_headers=(
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
    ),
    export_rows=depot_rows,
    empty=_("No depot repairs match these filters."),
    filters=("state", "received_after", "received_before"),
)

EXTERNAL = ListSpec(
    key="external",
    title=_("External repairs"),
    queryset=external_repair_list,
    filterset=ExternalRepairFilterSet,
    columns=(
        Column(_("Work order")),
        Column(_("Vendor")),
        Column(_("State"), "state"),
        Column(_("Voucher"), "", "d-none d-md-table-cell"),
        Column(_("Sent out"), "sent_at", "d-none d-sm-table-cell"),
        Column(_("Expected back"), "expected_back_on"),
        Column(_("Follow-ups"), "", "d-none d-lg-table-cell"),
        Column(_("Cost (CNY)"), "", "d-none d-lg-table-cell"),
    ),
    row_template="servicing/_external_row.html",
    export_headers=(
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
    ),
    export_rows=external_rows,
    empty=_("No external repairs match these filters."),
    filters=("state", "vendor", "overdue"),
)

VENDORS = ListSpec(
    key="vendors",
    title=_("Repair vendors"),
    queryset=lambda user: vendor_list(),
    filterset=VendorFilterSet,
    columns=(
        Column(_("Name"), "name"),
        Column(_("Contact person")),
        Column(_("Phone"), "", "d-none d-sm-table-cell"),
        Column(_("Product lines"), "", "d-none d-md-table-cell"),
        Column(_("Lead time (days)"), "lead_time_days"),
        Column(_("At the vendor"), "", "d-none d-md-table-cell"),
        Column(_("Address"), "", "d-none d-lg-table-cell"),
    ),
    row_template="servicing/_vendor_row.html",
    export_headers=(
        _("Name"),
        _("Contact person"),
        _("Phone"),
        _("Address"),
        _("Product lines"),
        _("Lead time (days)"),
        _("At the vendor"),
        _("Active"),
    ),
    export_rows=vendor_rows,
    empty=_("No vendors match these filters."),
    filters=("product_line", "is_active"),
)
