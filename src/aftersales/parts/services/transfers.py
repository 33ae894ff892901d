"""Transfers between warehouses (调拨单, R32): drawn up with their lines, shipped (out of the source,
in transit towards the destination), received (on hand at the destination) or cancelled while a
draft. The lifecycle is `transitions.TRANSFER`; the postings are `services.stock`'s."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.choices import Role
from aftersales.catalog.models import Part
from aftersales.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from aftersales.core.services import number_next
from aftersales.core.transitions import transition_run

from ..choices import TransferState
from ..models import StockTransfer, TransferEvent, TransferLine, Warehouse
from ..selectors_stock import warehouse_dealer_id, warehouse_scope
from ..transitions import STOCK_KEEPERS, TRANSFER, may_write_stock, van_engineer_user_id
from .stock import quantity_checked

NUMBER_PREFIX = "DB"  # 调拨


def _active_part(part: Part) -> Part:
    if not part.is_active:
        raise DomainError(
            _("%(part)s is retired from the catalog.") % {"part": part}, code="not_a_stock_part", field="part"
        )
    return part


def _merged(lines: Iterable[tuple[Part, int]]) -> dict[int, tuple[Part, int]]:
    """The lines by part, one per part (a part named twice adds up)."""
    merged: dict[int, tuple[Part, int]] = {}
    for part, quantity in lines:
        _active_part(part)
        quantity = quantity_checked(quantity)
        if part.pk in merged:
            quantity += merged[part.pk][1]
        merged[part.pk] = (part, quantity)
    return merged


def _asks_for_own_van(actor, source: Warehouse, destination: Warehouse) -> bool:
    """R12: an engineer asks for parts from a warehouse they see (their service point's) into their
    own van; the service point ships them, the engineer receives them."""
    return (
        actor.role == Role.ENGINEER
        and van_engineer_user_id(destination) == actor.pk
        and warehouse_scope(actor).filter(pk=source.pk).exists()
    )


def _destination_check(actor, source: Warehouse, destination: Warehouse) -> None:
    if source.pk == destination.pk:
        raise DomainError(
            _("Choose another warehouse to send to."), code="same_warehouse", field="destination"
        )
    if not destination.is_active:
        raise DomainError(_("That warehouse is closed."), code="invalid", field="destination")
    if actor.has_role(*STOCK_KEEPERS) or van_engineer_user_id(destination) == actor.pk:
        return
    # A dealer sends within its own network, or back to HQ.
    if warehouse_dealer_id(destination) not in (None, actor.dealer_id):
        raise NotPermitted(_("A dealer sends parts to its own warehouses or to HQ."))


@transaction.atomic
def transfer_create(
    *,
    source: Warehouse,
    destination: Warehouse,
    lines: Iterable[tuple[Part, int]],
    actor,
    work_order=None,
    note: str = "",
) -> StockTransfer:
    """R32: a draft transfer (numbered DB…) of `lines` (part, quantity) from `source` to
    `destination`, optionally for a work order waiting on the parts; by whoever may send from the
    source (403 otherwise). Nothing moves until it is shipped."""
    if not (may_write_stock(actor, source) or _asks_for_own_van(actor, source, destination)):
        raise NotPermitted(_("You may not send parts from %(warehouse)s.") % {"warehouse": source.name})
    _destination_check(actor, source, destination)
    merged = _merged(lines)
    if not merged:
        raise DomainError(_("Add at least one part."), code="transfer_empty", field="lines")
    transfer = StockTransfer(
        number=number_next(prefix=NUMBER_PREFIX),
        source=source,
        destination=destination,
        work_order=work_order,
        note=(note or "").strip(),
        created_by=actor,
    )
    transfer.full_clean(exclude=["work_order", "created_by", "source", "destination"])
    transfer.save()
    TransferLine.objects.bulk_create(
        [TransferLine(transfer=transfer, part=part, quantity=quantity) for part, quantity in merged.values()]
    )
    TransferEvent.objects.create(
        transfer=transfer,
        action="create",
        to_state=transfer.state,
        note=transfer.note,
        actor=actor,
        created_at=timezone.now(),
    )
    return transfer


def _draft_locked(transfer_id: int, actor) -> StockTransfer:
    transfer = TRANSFER.lock(transfer_id)
    if transfer.state != TransferState.DRAFT:
        raise TransitionNotAllowed(
            _("The transfer is shipped or closed: its lines no longer change."), code="transfer_not_draft"
        )
    if not may_write_stock(actor, transfer.source):
        raise NotPermitted(_("You may not change this transfer."))
    return transfer


@transaction.atomic
def transfer_line_add(*, transfer_id: int, part: Part, quantity: int, actor) -> TransferLine:
    """A part added to a draft (a part already on it gets the quantity added)."""
    transfer = _draft_locked(transfer_id, actor)
    _active_part(part)
    quantity = quantity_checked(quantity)
    line = TransferLine.objects.filter(transfer=transfer, part=part).first()
    if line is None:
        return TransferLine.objects.create(transfer=transfer, part=part, quantity=quantity)
    line.quantity += quantity
    line.save(update_fields=["quantity"])
    return line


@transaction.atomic
def transfer_line_remove(*, line_id: int, actor) -> StockTransfer:
    """A line taken off a draft."""
    line = TransferLine.objects.select_related("transfer").get(pk=line_id)
    transfer = _draft_locked(line.transfer_id, actor)
    line.delete()
    return transfer


def transfer_transition(*, transfer_id: int, action: str, actor, **inputs) -> StockTransfer:
    """R32: ship (posts the shipment; 409 `insufficient_stock` when the source is short), receive
    (posts the receipt) or cancel a draft (with the reason). Row locked, refused steps change
    nothing, each step recorded."""
    return transition_run(TRANSFER, pk=transfer_id, action=action, actor=actor, inputs=inputs)
