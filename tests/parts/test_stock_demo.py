"""The stock desk's demo (R32): the three tiers of warehouses, stock bought at HQ and sent on to the
service points and vans, transfers and counts in every state, open alerts, a ledger that adds up;
run once."""

from __future__ import annotations

import random
from datetime import date

import pytest

from aftersales.accounts.choices import Role
from aftersales.parts.choices import CountState, MoveKind, TransferState, WarehouseKind
from aftersales.parts.demo_stock import seed
from aftersales.parts.models import StockAlert, StockCount, StockMove, StockTransfer, Warehouse
from aftersales.parts.selectors_stock import ledger_mismatches

from .. import factories as f
from ..timeutil import at

pytestmark = pytest.mark.django_db

NOW = at(2026, 11, 30, 18)


@pytest.fixture
def company(db):
    for username, role in (("parts", Role.PARTS_CLERK), ("supervisor", Role.SUPERVISOR)):
        f.UserFactory(username=username, role=role)
    hq_point = f.ServicePointFactory(dealer=None, code="HQ-SH")
    f.EngineerFactory(service_point=hq_point)
    for code in ("DL-GD", "DL-SC"):
        dealer = f.DealerFactory(code=code)
        point = f.ServicePointFactory(dealer=dealer)
        for _ in range(2):
            f.EngineerFactory(service_point=point)
        f.UserFactory(role=Role.DEALER_STAFF, dealer=dealer)
    prices = f.PriceListFactory(name="全国配件价目表", effective_from=date(2026, 1, 1))
    for n in range(9):
        part = f.PartFactory(number=f"DP-{n:02d}", name=f"演示配件{n}")
        f.PriceListItemFactory(
            price_list=prices, part=part, cost_price=f"{100 + 10 * n}.00", retail_price="999.00"
        )


def test_r32_the_demo_stocks_three_tiers_with_documents_in_every_state_and_a_ledger_that_adds_up(company):
    seed(rng=random.Random(7), now=NOW)

    kinds = list(Warehouse.objects.values_list("kind", flat=True))
    assert kinds.count(WarehouseKind.HQ) == 1
    assert kinds.count(WarehouseKind.SERVICE_POINT) == 3 and kinds.count(WarehouseKind.VAN) == 5
    assert kinds.count(WarehouseKind.DEFECTIVE) == 4  # HQ's and one per service point
    assert set(StockTransfer.objects.values_list("state", flat=True)) == set(TransferState.values)
    assert set(StockCount.objects.values_list("state", flat=True)) == {
        CountState.APPROVED,
        CountState.SUBMITTED,
        CountState.DRAFT,
    }
    assert StockAlert.objects.filter(resolved_at__isnull=True).exists()
    moved = set(StockMove.objects.values_list("kind", flat=True))
    assert {
        MoveKind.RECEIPT,
        MoveKind.TRANSFER_OUT,
        MoveKind.TRANSFER_IN,
        MoveKind.ADJUSTMENT,
        MoveKind.SCRAP,
    } <= moved
    for van in Warehouse.objects.filter(kind=WarehouseKind.VAN):
        assert van.balances.filter(on_hand__gt=0).exists(), van
    assert ledger_mismatches() == []
    assert StockMove.objects.filter(posted_at__gt=NOW).count() == 0  # all in the past

    before = StockMove.objects.count()
    seed(rng=random.Random(7), now=NOW)
    assert StockMove.objects.count() == before
