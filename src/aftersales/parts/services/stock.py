"""Posting to the stock ledger (R32): every change of stock is a `StockMove` written in the same
transaction as the `StockBalance` it changes, and nothing else writes balances.

Why it cannot go negative, also with many engineers issuing at once:
- the balance rows a posting touches are locked (`SELECT … FOR UPDATE`) in one global order,
  sorted by (part, warehouse), so two multi-line postings never deadlock (the ERPNext "bin
  deadlock" of next-areas §0);
- the decrement itself is guarded (`UPDATE … WHERE on_hand >= n`): a row count of 0 refuses it;
- `CheckConstraint(on_hand >= 0)` is the backstop.
SQLite has one writer at a time, so there the lock is the database's.

No back-dated posting exists: `posted_at` is now, `quantity_after` is read off the locked row, so
the ledger replays to the balance in id order. Valuation is moving average cost (see models).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.catalog.models import Part
from aftersales.core.errors import DomainError
from aftersales.core.money import ZERO, cny, line_amount

from ..choices import MoveKind
from ..errors import InsufficientStock
from ..models import StockBalance, StockMove, TransferLine, Warehouse


@dataclass(frozen=True)
class Change:
    """One line of a posting: `quantity` units of `part_id` into (> 0) or out of (< 0) a warehouse.
    An incoming line brings its `unit_cost`; an outgoing one leaves at the balance's average.
    `in_transit` changes what is on its way to the warehouse (transfers) without a move."""

    warehouse_id: int
    part_id: int
    quantity: int = 0
    kind: str = ""
    unit_cost: Decimal | None = None
    value: Decimal | None = None
    in_transit: int = 0

    @property
    def key(self) -> tuple[int, int]:
        return (self.part_id, self.warehouse_id)


def average_cost(balance: StockBalance) -> Decimal:
    return cny(balance.value / balance.on_hand) if balance.on_hand else ZERO


def _outgoing_value(balance: StockBalance, quantity: int) -> Decimal:
    """The value leaving with `quantity` units at moving average; the last unit takes what is
    left, so the balance's value is exactly zero when its quantity is."""
    if quantity == balance.on_hand:
        return balance.value
    return cny(balance.value * quantity / balance.on_hand)


def _locked_balances(keys: Iterable[tuple[int, int]], *, create: bool) -> dict[tuple[int, int], StockBalance]:
    ordered = sorted(set(keys))
    if create:
        StockBalance.objects.bulk_create(
            [StockBalance(part_id=part_id, warehouse_id=warehouse_id) for part_id, warehouse_id in ordered],
            ignore_conflicts=True,
        )
    balances: dict[tuple[int, int], StockBalance] = {}
    # One row at a time in the global order: a single `IN (…)` query locks in whatever order the
    # plan reads the rows, which is what deadlocks two postings of the same parts.
    for part_id, warehouse_id in ordered:
        balance = (
            StockBalance.objects.select_for_update()
            .select_related("part", "warehouse")
            .filter(part_id=part_id, warehouse_id=warehouse_id)
            .first()
        )
        if balance is not None:
            balances[(part_id, warehouse_id)] = balance
    return balances


def _refuse(change: Change, balance: StockBalance | None) -> InsufficientStock:
    part = balance.part if balance else Part.objects.get(pk=change.part_id)
    warehouse = balance.warehouse if balance else Warehouse.objects.get(pk=change.warehouse_id)
    available = balance.available if balance else 0
    error = InsufficientStock(
        _("Not enough %(part)s in %(warehouse)s: %(available)s available, %(requested)s asked for.")
        % {"part": part, "warehouse": warehouse, "available": available, "requested": -change.quantity},
        field="quantity",
    )
    error.part_id, error.warehouse_id, error.available = part.pk, warehouse.pk, available
    return error


def post(
    changes: Sequence[Change],
    *,
    actor,
    reference: str = "",
    work_order=None,
    note: str = "",
) -> list[StockMove]:
    """Apply `changes` all or nothing and return the moves written, in the order given."""
    if not changes:
        return []
    now = timezone.now()
    with transaction.atomic():
        balances = _locked_balances(
            (change.key for change in changes),
            create=any(change.quantity > 0 or change.in_transit > 0 for change in changes),
        )
        moves: list[StockMove] = []
        for change in changes:
            balance = balances.get(change.key)
            if change.quantity < 0 and (balance is None or balance.available < -change.quantity):
                raise _refuse(change, balance)
            assert balance is not None  # created above for incoming lines
            moves.extend(_apply(change, balance))
        for move in moves:
            move.reference, move.work_order, move.note = reference, work_order, note
            move.posted_by, move.posted_at = actor, now
        StockMove.objects.bulk_create(moves)
    from .alerts import alerts_check  # alerts read balances; the ledger knows nothing of them

    alerts_check(balances.values())
    return moves


def _apply(change: Change, balance: StockBalance) -> list[StockMove]:
    """Update one locked balance by `change` and return its move (none for an in-transit change)."""
    quantity = change.quantity
    if quantity > 0:
        value = change.value if change.value is not None else line_amount(quantity, change.unit_cost or ZERO)
    elif quantity < 0:
        value = -_outgoing_value(balance, -quantity)
    else:
        value = ZERO
    updated = StockBalance.objects.filter(
        pk=balance.pk, on_hand__gte=max(-quantity, 0), in_transit__gte=max(-change.in_transit, 0)
    ).update(
        on_hand=F("on_hand") + quantity,
        in_transit=F("in_transit") + change.in_transit,
        # Computed here, not in SQL: SQLite keeps decimals as floats (core.money).
        value=cny(balance.value + value),
        updated_at=timezone.now(),
    )
    if not updated:
        raise _refuse(change, balance)
    balance.on_hand += quantity
    balance.in_transit += change.in_transit
    balance.value = cny(balance.value + value)
    if not quantity:
        return []
    return [
        StockMove(
            warehouse_id=change.warehouse_id,
            part_id=change.part_id,
            kind=change.kind,
            quantity=quantity,
            unit_cost=cny(abs(value) / abs(quantity)),
            value=value,
            quantity_after=balance.on_hand,
            value_after=balance.value,
        )
    ]


# The most of one part a single line moves, asks for or returns.
QUANTITY_MAX = 9999


def quantity_checked(value: Any, *, field: str = "quantity", minimum: int = 1) -> int:
    """A whole number of parts from `minimum` to QUANTITY_MAX (parts are counted, not weighed), or
    `invalid_quantity` naming `field`: the one check of every stock, request, old-part and return
    quantity."""
    try:
        if isinstance(value, bool):
            raise ValueError
        number = value if isinstance(value, int) else int(str(value).strip())
    except (TypeError, ValueError):
        number = minimum - 1
    if not minimum <= number <= QUANTITY_MAX:
        raise DomainError(
            _("Enter a whole number from %(low)d to %(high)d.") % {"low": minimum, "high": QUANTITY_MAX},
            code="invalid_quantity",
            field=field,
        )
    return number


def receive(
    *,
    warehouse: Warehouse,
    part: Part,
    quantity: int,
    unit_cost: Decimal,
    actor,
    reference: str = "",
    note: str = "",
) -> StockMove:
    """Parts arrive from outside the network (HQ's purchase), at `unit_cost` each."""
    if cny(unit_cost) < 0:
        raise DomainError(_("A unit cost cannot be negative."), code="invalid_unit_cost", field="unit_cost")
    change = Change(
        warehouse.pk, part.pk, quantity_checked(quantity), MoveKind.RECEIPT, unit_cost=cny(unit_cost)
    )
    return post([change], actor=actor, reference=reference, note=note)[0]


def issue(
    *,
    warehouse: Warehouse,
    part: Part,
    quantity: int,
    actor,
    work_order=None,
    reference: str = "",
    note: str = "",
) -> StockMove:
    """Parts leave a warehouse for a work order (R12): refused with `InsufficientStock` (409) when
    fewer are available."""
    change = Change(warehouse.pk, part.pk, -quantity_checked(quantity), MoveKind.ISSUE)
    return post(
        [change], actor=actor, reference=reference or _number_of(work_order), work_order=work_order, note=note
    )[0]


def return_unused(
    *, warehouse: Warehouse, part: Part, quantity: int, actor, work_order, note: str = ""
) -> StockMove:
    """Parts issued to a work order and not used come back at the cost they left with; more than
    was issued net to the work order from that warehouse is refused."""
    issued = StockMove.objects.filter(
        work_order=work_order, part=part, warehouse=warehouse, kind__in=[MoveKind.ISSUE, MoveKind.RETURN]
    ).values_list("quantity", "value")
    net_quantity = -sum(q for q, _v in issued)
    net_value = -sum((v for _q, v in issued), ZERO)
    if quantity_checked(quantity) > net_quantity:
        raise DomainError(
            _("Only %(count)s of this part were issued to the work order from this warehouse.")
            % {"count": net_quantity},
            code="return_above_issued",
            field="quantity",
        )
    value = net_value if quantity == net_quantity else cny(net_value * quantity / net_quantity)
    change = Change(warehouse.pk, part.pk, quantity, MoveKind.RETURN, value=value)
    return post([change], actor=actor, reference=_number_of(work_order), work_order=work_order, note=note)[0]


def scrap(*, warehouse: Warehouse, part: Part, quantity: int, actor, note: str) -> StockMove:
    if not note.strip():
        raise DomainError(_("Say why the parts are scrapped."), code="reason_required", field="note")
    change = Change(warehouse.pk, part.pk, -quantity_checked(quantity), MoveKind.SCRAP)
    return post([change], actor=actor, note=note)[0]


def _number_of(work_order) -> str:
    return work_order.number if work_order is not None else ""


def transfer_ship(*, transfer, actor) -> list[StockMove]:
    """Post a transfer's shipment: out of the source at average cost, in transit towards the
    destination; each line keeps the value it left with for the receipt."""
    lines = list(transfer.lines.all())
    changes: list[Change] = []
    for line in lines:
        changes.append(Change(transfer.source_id, line.part_id, -line.quantity, MoveKind.TRANSFER_OUT))
        changes.append(Change(transfer.destination_id, line.part_id, in_transit=line.quantity))
    moves = post(changes, actor=actor, reference=transfer.number, work_order=transfer.work_order)
    for line, move in zip(lines, moves, strict=True):
        line.value = -move.value
    TransferLine.objects.bulk_update(lines, ["value"])
    return moves


def transfer_receive(*, transfer, actor) -> list[StockMove]:
    """Post a transfer's receipt: on hand at the destination at the value it left with."""
    changes = [
        Change(
            transfer.destination_id,
            line.part_id,
            line.quantity,
            MoveKind.TRANSFER_IN,
            value=line.value,
            in_transit=-line.quantity,
        )
        for line in transfer.lines.all()
    ]
    return post(changes, actor=actor, reference=transfer.number, work_order=transfer.work_order)


def adjust(
    *,
    warehouse: Warehouse,
    differences: dict[int, int],
    unit_costs: dict[int, Decimal],
    actor,
    reference: str,
) -> list[StockMove]:
    """Post a count's differences (part id → counted − on hand): a shortage leaves at average
    cost, a surplus comes in at `unit_costs` (the cost price list, R30)."""
    changes = [
        Change(
            warehouse.pk, part_id, difference, MoveKind.ADJUSTMENT, unit_cost=unit_costs.get(part_id, ZERO)
        )
        for part_id, difference in sorted(differences.items())
        if difference
    ]
    return post(changes, actor=actor, reference=reference)
