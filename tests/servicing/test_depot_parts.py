"""Parts replaced in a depot repair (R12, R13, R29, R32, R36): issued from the service point's
store, put back when removed, refused with what is on hand when short, covered or not by the
warranty, and an old part for each covered one when the device is handed back."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales.billing.services import quote_create, quote_visit_parts_add
from aftersales.catalog.choices import PartCategory
from aftersales.core.errors import DomainError
from aftersales.parts.choices import MoveKind, WarehouseKind
from aftersales.parts.errors import InsufficientStock
from aftersales.parts.models import OldPart, StockBalance, StockMove, Warehouse
from aftersales.parts.services import stock
from aftersales.servicing.choices import ConfirmationMethod
from aftersales.servicing.models import DepotRepairPart
from aftersales.servicing.services import (
    depot_repair_hand_back,
    depot_repair_part_add,
    depot_repair_part_remove,
    depot_repair_recheck,
    depot_repair_start,
)

from .. import factories as f
from .test_depot import inspected

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(engineer):
    return Warehouse.objects.create(
        code="SP-DEPOT",
        name="维修中心备件库",
        kind=WarehouseKind.SERVICE_POINT,
        service_point=engineer.service_point,
    )


@pytest.fixture
def fuser(store, eng):
    part = f.PartFactory(number="RM1-2337", name="定影组件", category=PartCategory.NORMAL)
    stock.receive(warehouse=store, part=part, quantity=2, unit_cost=Decimal("180"), actor=eng)
    return part


@pytest.fixture
def repairing(order, eng):
    return depot_repair_start(repair_id=inspected(order, eng).pk, actor=eng)


def on_hand(warehouse, part) -> int:
    return StockBalance.objects.get(warehouse=warehouse, part=part).on_hand


def test_r13_r32_a_part_replaced_in_the_depot_leaves_the_store_and_comes_back_when_removed(
    repairing, eng, store, fuser
):
    part = depot_repair_part_add(repair_id=repairing.pk, actor=eng, part_number="rm1-2337")
    assert (part.part, part.warehouse, part.name, part.covered) == (fuser, store, "定影组件", True)
    assert on_hand(store, fuser) == 1
    assert StockMove.objects.get(kind=MoveKind.ISSUE).work_order == repairing.work_order
    depot_repair_part_remove(part_id=part.pk, actor=eng)
    assert on_hand(store, fuser) == 2 and not DepotRepairPart.objects.exists()
    actions = list(repairing.work_order.events.filter(kind="repair").values_list("action", flat=True))
    assert actions[-2:] == ["depot_part_add", "depot_part_remove"]


def test_r32_a_part_the_store_lacks_is_refused_and_nothing_is_recorded(repairing, eng, store, fuser):
    with pytest.raises(InsufficientStock) as refused:
        depot_repair_part_add(repair_id=repairing.pk, actor=eng, part_number="RM1-2337", quantity=3)
    assert "2 available, 3 asked for" in refused.value.message
    assert not DepotRepairPart.objects.exists() and on_hand(store, fuser) == 2


def test_r13_parts_are_recorded_only_while_the_device_is_being_repaired(order, eng, agent, store, fuser):
    repair = depot_repair_start(repair_id=inspected(order, eng).pk, actor=eng)
    depot_repair_recheck(repair_id=repair.pk, actor=eng, result="正常")
    with pytest.raises(DomainError) as refused:
        depot_repair_part_add(repair_id=repair.pk, actor=eng, part_number="RM1-2337")
    assert refused.value.code == "not_repairing"


def test_r29_at_hand_back_each_covered_part_becomes_an_old_part_registered_by_the_engineer(
    repairing, eng, agent, store, fuser
):
    depot_repair_part_add(repair_id=repairing.pk, actor=eng, part_number="RM1-2337")
    f.PartFactory(number="PR-110", name="搓纸轮", category=PartCategory.WEAR)
    depot_repair_part_add(repair_id=repairing.pk, actor=eng, part_number="PR-110", from_store=False)
    depot_repair_recheck(repair_id=repairing.pk, actor=eng, result="打印正常")
    depot_repair_hand_back(
        repair_id=repairing.pk,
        actor=agent,
        handed_back_to="李娜",
        confirmation_method=ConfirmationMethod.SIGNATURE,
    )
    old = OldPart.objects.get()
    assert (old.part, old.created_by, old.work_order) == (fuser, eng, repairing.work_order)
    assert DepotRepairPart.objects.get(part=fuser).old_part == old


def test_r9_the_quote_takes_the_parts_of_the_depot_repair(repairing, eng, store, fuser):
    prices = f.PriceListFactory(effective_from=timezone.localdate() - timedelta(days=30))
    f.PriceListItemFactory(price_list=prices, part=fuser, retail_price="350.00")
    depot_repair_part_add(repair_id=repairing.pk, actor=eng, part_number="RM1-2337")
    quote = quote_create(work_order_id=repairing.work_order_id, actor=eng)
    added, unpriced = quote_visit_parts_add(quote_id=quote.pk, actor=eng)
    assert [(line.part, line.quantity) for line in added] == [(fuser, 1)] and unpriced == []


def test_r13_the_repair_page_and_the_api_record_parts(client, api_client, repairing, eng, store, fuser):
    client.force_login(eng)
    page = client.post(
        reverse("servicing:depot_part_add", args=[repairing.pk]),
        {"part_number": "RM1-2337", "quantity": 1, "from_store": "on"},
        follow=True,
    ).content.decode()
    assert 'data-testid="repair-part"' in page and "from 维修中心备件库" in page
    api = api_client(eng)
    short = api.post(
        f"/api/depot-repairs/{repairing.pk}/parts/", {"part_number": "RM1-2337", "quantity": 5}, format="json"
    )
    assert short.status_code == 409 and short.json()["errors"][0]["code"] == "insufficient_stock"
    listed = api.get(f"/api/depot-repairs/{repairing.pk}/parts/").json()
    assert [row["part_number"] for row in listed] == ["RM1-2337"] and listed[0]["covered"] is True
    assert api.delete(f"/api/depot-repairs/{repairing.pk}/parts/{listed[0]['id']}/").status_code == 204
    assert on_hand(store, fuser) == 2
