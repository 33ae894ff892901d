"""The stock ledger (R32): moves and balances, never negative, valued at moving average cost."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from aftersales.core.errors import DomainError
from aftersales.parts.choices import MoveKind, TransferState, WarehouseKind
from aftersales.parts.errors import InsufficientStock
from aftersales.parts.models import StockBalance, StockMove, StockTransfer, TransferLine
from aftersales.parts.services import stock

from .. import factories as f
from ..conftest import uses_postgres
from .conftest import warehouse

pytestmark = pytest.mark.django_db


def balance(wh, part) -> StockBalance:
    return StockBalance.objects.get(warehouse=wh, part=part)


def ledger(wh, part) -> tuple[int, Decimal]:
    moves = StockMove.objects.filter(warehouse=wh, part=part).values_list("quantity", "value")
    return sum(q for q, _ in moves), sum((v for _, v in moves), Decimal("0.00"))


def test_r32_a_receipt_and_an_issue_move_stock_and_value_at_average_cost(hq, part, parts_clerk):
    stock.receive(warehouse=hq, part=part, quantity=3, unit_cost=Decimal("10.00"), actor=parts_clerk)
    stock.receive(warehouse=hq, part=part, quantity=1, unit_cost=Decimal("11.00"), actor=parts_clerk)
    order = f.WorkOrderFactory()
    move = stock.issue(warehouse=hq, part=part, quantity=2, actor=parts_clerk, work_order=order)
    assert (move.kind, move.quantity, move.value, move.unit_cost) == (
        MoveKind.ISSUE,
        -2,
        Decimal("-20.50"),
        Decimal("10.25"),
    )
    assert (move.quantity_after, move.value_after, move.reference) == (2, Decimal("20.50"), order.number)
    row = balance(hq, part)
    assert (row.on_hand, row.value) == (2, Decimal("20.50")) == ledger(hq, part)


def test_r32_the_last_unit_takes_the_value_left_so_an_empty_balance_is_worth_zero(hq, part, parts_clerk):
    stock.receive(warehouse=hq, part=part, quantity=3, unit_cost=Decimal("10.00"), actor=parts_clerk)
    stock.receive(warehouse=hq, part=part, quantity=0 + 1, unit_cost=Decimal("0.01"), actor=parts_clerk)
    for _ in range(3):
        stock.issue(warehouse=hq, part=part, quantity=1, actor=parts_clerk)
    last = stock.issue(warehouse=hq, part=part, quantity=1, actor=parts_clerk)
    row = balance(hq, part)
    assert (row.on_hand, row.value) == (0, Decimal("0.00"))
    assert last.value_after == Decimal("0.00")
    assert ledger(hq, part) == (0, Decimal("0.00"))


def test_r32_an_issue_above_what_is_available_is_refused_and_says_what_is_on_hand(hq, part, parts_clerk):
    stock.receive(warehouse=hq, part=part, quantity=2, unit_cost=Decimal("5"), actor=parts_clerk)
    with pytest.raises(InsufficientStock) as refused:
        stock.issue(warehouse=hq, part=part, quantity=3, actor=parts_clerk)
    assert refused.value.status == 409 and refused.value.available == 2
    assert "2 available, 3 asked for" in refused.value.message and "FU-3600" in refused.value.message
    assert balance(hq, part).on_hand == 2 and StockMove.objects.count() == 1


def test_r32_an_issue_from_a_warehouse_that_never_held_the_part_is_refused(hq, part, parts_clerk):
    with pytest.raises(InsufficientStock) as refused:
        stock.issue(warehouse=hq, part=part, quantity=1, actor=parts_clerk)
    assert refused.value.available == 0
    assert not StockMove.objects.exists()


@pytest.mark.parametrize("quantity", [0, -1, True])
def test_r32_quantities_are_whole_units_of_at_least_one(hq, part, parts_clerk, quantity):
    with pytest.raises(DomainError) as refused:
        stock.receive(warehouse=hq, part=part, quantity=quantity, unit_cost=Decimal("1"), actor=parts_clerk)
    assert refused.value.code == "invalid_quantity"


def test_r32_the_database_refuses_a_negative_balance_whatever_writes_it(hq, part):
    row = StockBalance.objects.create(warehouse=hq, part=part, on_hand=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockBalance.objects.filter(pk=row.pk).update(on_hand=-1)


def test_r32_a_multi_line_posting_is_all_or_nothing(hq, part, parts_clerk):
    other = f.PartFactory()
    stock.receive(warehouse=hq, part=part, quantity=5, unit_cost=Decimal("1"), actor=parts_clerk)
    with pytest.raises(InsufficientStock):
        stock.post(
            [
                stock.Change(hq.pk, part.pk, -2, MoveKind.ISSUE),
                stock.Change(hq.pk, other.pk, -1, MoveKind.ISSUE),
            ],
            actor=parts_clerk,
        )
    assert balance(hq, part).on_hand == 5 and StockMove.objects.count() == 1


def test_r12_unused_parts_come_back_at_the_cost_they_left_with_and_no_more_than_was_issued(
    hq, part, parts_clerk
):
    stock.receive(warehouse=hq, part=part, quantity=2, unit_cost=Decimal("9.99"), actor=parts_clerk)
    order = f.WorkOrderFactory()
    stock.issue(warehouse=hq, part=part, quantity=2, actor=parts_clerk, work_order=order)
    stock.receive(warehouse=hq, part=part, quantity=1, unit_cost=Decimal("20"), actor=parts_clerk)
    back = stock.return_unused(warehouse=hq, part=part, quantity=1, actor=parts_clerk, work_order=order)
    assert (back.kind, back.value) == (MoveKind.RETURN, Decimal("9.99"))
    with pytest.raises(DomainError) as refused:
        stock.return_unused(warehouse=hq, part=part, quantity=2, actor=parts_clerk, work_order=order)
    assert refused.value.code == "return_above_issued"
    assert (balance(hq, part).on_hand, balance(hq, part).value) == ledger(hq, part) == (2, Decimal("29.99"))


def test_r32_a_transfer_is_in_transit_until_received_and_keeps_its_value(hq, van, part, parts_clerk):
    stock.receive(warehouse=hq, part=part, quantity=4, unit_cost=Decimal("12.50"), actor=parts_clerk)
    transfer = StockTransfer.objects.create(number="DB1", source=hq, destination=van, created_by=parts_clerk)
    TransferLine.objects.create(transfer=transfer, part=part, quantity=3)
    stock.transfer_ship(transfer=transfer, actor=parts_clerk)
    arriving = balance(van, part)
    assert (arriving.on_hand, arriving.in_transit, balance(hq, part).on_hand) == (0, 3, 1)
    assert transfer.lines.get().value == Decimal("37.50")
    stock.transfer_receive(transfer=transfer, actor=parts_clerk)
    arrived = balance(van, part)
    assert (arrived.on_hand, arrived.in_transit, arrived.value) == (3, 0, Decimal("37.50"))
    kinds = list(StockMove.objects.filter(reference="DB1").order_by("id").values_list("kind", "quantity"))
    assert kinds == [(MoveKind.TRANSFER_OUT, -3), (MoveKind.TRANSFER_IN, 3)]
    assert transfer.state == TransferState.DRAFT  # the lifecycle is the transfer machine's, not the ledger's


def test_r32_a_count_adjustment_posts_shortages_at_average_and_surpluses_at_cost(hq, part, parts_clerk):
    other = f.PartFactory()
    stock.receive(warehouse=hq, part=part, quantity=4, unit_cost=Decimal("3"), actor=parts_clerk)
    moves = stock.adjust(
        warehouse=hq,
        differences={part.pk: -1, other.pk: 2},
        unit_costs={other.pk: Decimal("7.10")},
        actor=parts_clerk,
        reference="PD1",
    )
    assert sorted((m.part_id, m.quantity, m.value) for m in moves) == sorted(
        [(part.pk, -1, Decimal("-3.00")), (other.pk, 2, Decimal("14.20"))]
    )


# --- concurrency (PostgreSQL) ------------------------------------------------------------------


def _run_in_threads(count: int, work) -> list:
    outcomes: list = []

    def run():
        try:
            outcomes.extend(work())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not uses_postgres(), reason="row locks between connections need PostgreSQL")
def test_r32_a_hundred_concurrent_issues_against_ten_give_exactly_ten(hq, part, parts_clerk):
    stock.receive(warehouse=hq, part=part, quantity=10, unit_cost=Decimal("8.88"), actor=parts_clerk)

    def five_issues():
        results = []
        for _ in range(5):
            try:
                stock.issue(warehouse=hq, part=part, quantity=1, actor=parts_clerk)
                results.append("issued")
            except InsufficientStock:
                results.append("refused")
        return results

    outcomes = _run_in_threads(20, five_issues)
    assert outcomes.count("issued") == 10 and outcomes.count("refused") == 90
    row = balance(hq, part)
    assert (row.on_hand, row.value) == (0, Decimal("0.00")) == ledger(hq, part)
    assert StockMove.objects.filter(kind=MoveKind.ISSUE).count() == 10


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not uses_postgres(), reason="row locks between connections need PostgreSQL")
def test_r32_postings_of_the_same_parts_in_opposite_orders_do_not_deadlock(hq, part, parts_clerk):
    other = f.PartFactory()
    for item in (part, other):
        stock.receive(warehouse=hq, part=item, quantity=200, unit_cost=Decimal("1"), actor=parts_clerk)

    orders = iter([(part, other), (other, part), (part, other), (other, part)])
    lock = threading.Lock()

    def twenty_postings():
        with lock:
            first, second = next(orders)
        for _ in range(20):
            stock.post(
                [
                    stock.Change(hq.pk, first.pk, -1, MoveKind.ISSUE),
                    stock.Change(hq.pk, second.pk, -1, MoveKind.ISSUE),
                ],
                actor=parts_clerk,
            )
        return ["done"]

    assert _run_in_threads(4, twenty_postings) == ["done"] * 4
    assert balance(hq, part).on_hand == balance(hq, other).on_hand == 200 - 4 * 20


# --- the ledger invariant, whatever happens in whatever order ----------------------------------


class StockLedger(RuleBasedStateMachine):
    """R32: after every step each balance equals its ledger, is never negative, and its value is
    exact to the fen; refused steps change nothing."""

    def __init__(self):
        super().__init__()
        self.actor = f.UserFactory()
        self.warehouses = [warehouse(WarehouseKind.HQ), warehouse(WarehouseKind.HQ)]
        self.parts = [f.PartFactory(), f.PartFactory()]
        self.expected: dict[tuple[int, int], int] = {}

    def _key(self, w, p):
        return (self.warehouses[w].pk, self.parts[p].pk)

    @rule(
        w=st.integers(0, 1),
        p=st.integers(0, 1),
        quantity=st.integers(1, 9),
        cost=st.decimals("0", "99.99", places=2),
    )
    def receive(self, w, p, quantity, cost):
        stock.receive(
            warehouse=self.warehouses[w],
            part=self.parts[p],
            quantity=quantity,
            unit_cost=cost,
            actor=self.actor,
        )
        self.expected[self._key(w, p)] = self.expected.get(self._key(w, p), 0) + quantity

    @rule(w=st.integers(0, 1), p=st.integers(0, 1), quantity=st.integers(1, 9))
    def issue(self, w, p, quantity):
        try:
            stock.issue(warehouse=self.warehouses[w], part=self.parts[p], quantity=quantity, actor=self.actor)
        except InsufficientStock:
            assert self.expected.get(self._key(w, p), 0) < quantity
            return
        self.expected[self._key(w, p)] -= quantity

    @rule(w=st.integers(0, 1), p=st.integers(0, 1), quantity=st.integers(1, 9))
    def transfer(self, w, p, quantity):
        transfer = StockTransfer.objects.create(
            number=f"T{StockTransfer.objects.count()}-{id(self)}",
            source=self.warehouses[w],
            destination=self.warehouses[1 - w],
            created_by=self.actor,
        )
        TransferLine.objects.create(transfer=transfer, part=self.parts[p], quantity=quantity)
        try:
            stock.transfer_ship(transfer=transfer, actor=self.actor)
        except InsufficientStock:
            assert self.expected.get(self._key(w, p), 0) < quantity
            return
        stock.transfer_receive(transfer=transfer, actor=self.actor)
        self.expected[self._key(w, p)] -= quantity
        self.expected[self._key(1 - w, p)] = self.expected.get(self._key(1 - w, p), 0) + quantity

    @rule(w=st.integers(0, 1), p=st.integers(0, 1), difference=st.integers(-5, 5))
    def adjust(self, w, p, difference):
        key = self._key(w, p)
        try:
            stock.adjust(
                warehouse=self.warehouses[w],
                differences={self.parts[p].pk: difference},
                unit_costs={self.parts[p].pk: Decimal("1.11")},
                actor=self.actor,
                reference="PD",
            )
        except InsufficientStock:
            assert self.expected.get(key, 0) < -difference
            return
        self.expected[key] = self.expected.get(key, 0) + difference

    @invariant()
    def balances_equal_the_ledger(self):
        for row in StockBalance.objects.filter(warehouse__in=self.warehouses):
            assert row.on_hand >= 0 and row.value >= 0 and row.in_transit == 0
            assert (row.on_hand, row.value) == ledger(row.warehouse, row.part)
            assert row.on_hand == self.expected.get((row.warehouse_id, row.part_id), 0)
            if row.on_hand == 0:
                assert row.value == Decimal("0.00")


def test_r32_the_ledger_replays_to_every_balance_whatever_the_order_of_moves(db):
    run_state_machine_as_test(
        StockLedger,
        settings=settings(
            max_examples=20, stateful_step_count=15, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )


@pytest.mark.skipif(not uses_postgres(), reason="the database trigger exists on PostgreSQL")
def test_r41_the_ledgers_refuse_bulk_updates_and_deletes_at_the_database(hq, part, parts_clerk):
    from aftersales.parts.choices import EntryKind
    from aftersales.parts.models import AccountEntry
    from aftersales.parts.services.accounts import entry_post

    stock.receive(warehouse=hq, part=part, quantity=1, unit_cost=Decimal("1"), actor=parts_clerk)
    entry_post(dealer=f.DealerFactory(), kind=EntryKind.ADJUSTMENT, amount=Decimal("1"))
    for rows in (StockMove.objects.all(), AccountEntry.objects.all()):
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            rows.update(reason="rewritten") if rows.model is AccountEntry else rows.update(note="rewritten")
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            rows.delete()
        assert rows.count() == 1
