"""The stock desk's own postings (R32): purchased parts received at their unit cost, and parts
scrapped with the reason. Who may is checked here; the postings are `services.stock`'s."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from aftersales.catalog.models import Part
from aftersales.core.errors import DomainError, NotPermitted

from ..choices import WarehouseKind
from ..models import StockMove, Warehouse
from ..transitions import may_keep_stock, may_write_stock
from . import stock


def _stock_part(part: Part) -> Part:
    if not part.is_active:
        raise DomainError(
            _("%(part)s is retired from the catalog.") % {"part": part}, code="not_a_stock_part", field="part"
        )
    return part


def stock_receive(
    *,
    warehouse: Warehouse,
    part: Part,
    quantity: int,
    unit_cost: Decimal,
    actor,
    reference: str = "",
    note: str = "",
) -> StockMove:
    """R32: purchased parts arrive at `unit_cost` each (the supplier's invoice; moving average
    from there), recorded by HQ's stock keepers into an active warehouse of good stock; the
    document is the supplier's delivery note or purchase order number."""
    if not may_keep_stock(actor):
        raise NotPermitted(_("Only HQ's stock keepers receive purchased parts."))
    if warehouse.kind == WarehouseKind.DEFECTIVE or not warehouse.is_active:
        raise DomainError(
            _("Receive purchased parts into an active warehouse of good stock."),
            code="not_a_good_store",
            field="warehouse",
        )
    return stock.receive(
        warehouse=warehouse,
        part=_stock_part(part),
        quantity=quantity,
        unit_cost=unit_cost,
        actor=actor,
        reference=(reference or "").strip()[:32],
        note=(note or "").strip()[:255],
    )


def stock_scrap(*, warehouse: Warehouse, part: Part, quantity: int, reason: str, actor) -> StockMove:
    """R32, R41: parts written off (damaged, expired, lost) at their average cost, with the
    reason; refused with 409 `insufficient_stock` beyond what is available."""
    if not may_write_stock(actor, warehouse):
        raise NotPermitted(_("You may not scrap parts of %(warehouse)s.") % {"warehouse": warehouse.name})
    reason = (reason or "").strip()[:255]
    if not reason:
        raise DomainError(_("Say why the parts are scrapped."), code="reason_required", field="reason")
    return stock.scrap(warehouse=warehouse, part=part, quantity=quantity, actor=actor, note=reason)
