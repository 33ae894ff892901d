"""Parts on the job (R12, R32, R36): a part recorded on a visit is issued from the engineer's van,
returned when removed, refused with what is on hand when short, and its warranty cover decided."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales.catalog.choices import PartCategory
from aftersales.field.models import VisitPart
from aftersales.parts.choices import MoveKind, WarehouseKind
from aftersales.parts.models import StockBalance, StockMove, Warehouse
from aftersales.parts.services import stock

from .. import factories as f
from .visit_factories import visit_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def van(field_engineer):
    return Warehouse.objects.create(
        code="VAN-ZHAO",
        name="赵工的车",
        kind=WarehouseKind.VAN,
        engineer=field_engineer,
        service_point=field_engineer.service_point,
    )


@pytest.fixture
def store(field_engineer):
    return Warehouse.objects.create(
        code="SP-STORE",
        name="网点备件库",
        kind=WarehouseKind.SERVICE_POINT,
        service_point=field_engineer.service_point,
    )


@pytest.fixture
def fuser(van, field_engineer):
    part = f.PartFactory(number="RM1-2337", name="定影组件", category=PartCategory.NORMAL)
    stock.receive(
        warehouse=van, part=part, quantity=2, unit_cost=Decimal("180.00"), actor=field_engineer.user
    )
    return part


@pytest.fixture
def on_site(field_wo):
    device = f.DeviceFactory(
        customer=field_wo.customer, purchase_date=timezone.localdate() - timedelta(days=90)
    )
    field_wo.device = device
    field_wo.product_model = device.product_model
    field_wo.save()
    return visit_at(field_wo, "on_site")


def on_hand(warehouse, part) -> int:
    return StockBalance.objects.get(warehouse=warehouse, part=part).on_hand


def add_on_page(client, visit, **data):
    return client.post(reverse("field:visit_part_add", args=[visit.pk]), data, follow=True)


def test_r12_r32_a_catalog_part_recorded_on_site_leaves_the_engineers_van(
    client, field_engineer, on_site, van, fuser
):
    client.force_login(field_engineer.user)
    page = client.get(reverse("field:visit_detail", args=[on_site.pk])).content.decode()
    assert 'data-testid="van-on-hand">2<' in page and '<option value="RM1-2337">' in page
    add_on_page(client, on_site, part_number="rm1-2337 ", quantity=1, source="van", shown_to_customer="on")
    recorded = VisitPart.objects.get(visit=on_site)
    assert (recorded.part, recorded.warehouse, recorded.name) == (fuser, van, "定影组件")
    assert on_hand(van, fuser) == 1
    move = StockMove.objects.get(kind=MoveKind.ISSUE)
    assert (move.work_order, move.quantity, move.note) == (on_site.work_order, -1, on_site.number)
    page = client.get(reverse("field:visit_detail", args=[on_site.pk])).content.decode()
    assert "from 赵工的车" in page and 'data-testid="van-on-hand">1<' in page


def test_r36_a_part_on_a_device_in_warranty_is_covered_and_a_wear_part_is_not(
    field_engineer, on_site, van, fuser
):
    from aftersales.field.services import visit_part_add

    covered = visit_part_add(visit_id=on_site.pk, actor=field_engineer.user, part_number="RM1-2337")
    assert covered.covered is True and "covered by the warranty" in covered.cover_reason
    roller = f.PartFactory(number="PR-110", name="搓纸轮", category=PartCategory.WEAR)
    worn = visit_part_add(
        visit_id=on_site.pk, actor=field_engineer.user, part_number="PR-110", warehouse_id=None
    )
    assert worn.covered is False and worn.part == roller and worn.warehouse is None


def test_r32_a_part_the_van_lacks_is_refused_with_what_is_on_hand_and_nothing_is_recorded(
    client, field_engineer, on_site, van, fuser
):
    client.force_login(field_engineer.user)
    page = add_on_page(client, on_site, part_number="RM1-2337", quantity=3, source="van").content.decode()
    assert "2 available, 3 asked for" in page
    assert not VisitPart.objects.exists() and on_hand(van, fuser) == 2


def test_r32_removing_a_part_puts_it_back_in_the_van(client, field_engineer, on_site, van, fuser):
    client.force_login(field_engineer.user)
    add_on_page(client, on_site, part_number="RM1-2337", quantity=2, source="van")
    recorded = VisitPart.objects.get()
    client.post(reverse("field:visit_part_remove", args=[on_site.pk, recorded.pk]))
    assert on_hand(van, fuser) == 2 and not VisitPart.objects.exists()
    kinds = list(StockMove.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == [MoveKind.RECEIPT, MoveKind.ISSUE, MoveKind.RETURN]


def test_r32_the_service_points_store_is_a_source_another_engineers_van_is_not(
    field_engineer, other_engineer, on_site, store, fuser
):
    from aftersales.core.errors import DomainError
    from aftersales.field.services import visit_part_add

    stock.receive(
        warehouse=store, part=fuser, quantity=1, unit_cost=Decimal("180"), actor=field_engineer.user
    )
    taken = visit_part_add(
        visit_id=on_site.pk, actor=field_engineer.user, part_number="RM1-2337", warehouse_id=store.pk
    )
    assert taken.warehouse == store and on_hand(store, fuser) == 0
    other_van = Warehouse.objects.create(
        code="VAN-QIAN", name="钱工的车", kind=WarehouseKind.VAN, engineer=other_engineer
    )
    with pytest.raises(DomainError) as refused:
        visit_part_add(
            visit_id=on_site.pk, actor=field_engineer.user, part_number="RM1-2337", warehouse_id=other_van.pk
        )
    assert refused.value.code == "not_your_warehouse"


def test_r12_a_part_not_in_the_catalog_is_recorded_without_stock_and_needs_a_name(
    client, field_engineer, on_site
):
    client.force_login(field_engineer.user)
    page = add_on_page(client, on_site, part_number="XX-1", quantity=1, source="van").content.decode()
    assert "Name the part: it is not in the catalog." in page and not VisitPart.objects.exists()
    add_on_page(client, on_site, part_number="XX-1", name="客户自备电源线", quantity=1, source="van")
    recorded = VisitPart.objects.get()
    assert recorded.part is None and recorded.warehouse is None and not StockMove.objects.exists()


def test_r32_the_api_records_and_removes_parts_with_409_when_short(
    api_client, field_engineer, on_site, van, fuser
):
    api = api_client(field_engineer.user)
    url = f"/api/visits/{on_site.pk}/parts/"
    short = api.post(url, {"part_number": "RM1-2337", "quantity": 5}, format="json")
    assert short.status_code == 409 and short.json()["errors"][0]["code"] == "insufficient_stock"
    created = api.post(url, {"part_number": "RM1-2337", "quantity": 1}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["warehouse"]["id"] == van.pk and body["covered"] is True and on_hand(van, fuser) == 1
    assert api.delete(f"{url}{body['id']}/").status_code == 204 and on_hand(van, fuser) == 2
    not_from_stock = api.post(url, {"part_number": "RM1-2337", "warehouse": None}, format="json")
    assert not_from_stock.status_code == 201 and not_from_stock.json()["warehouse"] is None
    assert on_hand(van, fuser) == 2


def test_r29_at_check_out_each_part_replaced_under_warranty_becomes_an_old_part_at_the_service_point(
    client, field_engineer, on_site, van, fuser
):
    from aftersales.field.services import visit_part_add, visit_record, visit_transition
    from aftersales.parts.models import OldPart

    from .visit_factories import sign

    user = field_engineer.user
    visit_part_add(visit_id=on_site.pk, actor=user, part_number="RM1-2337")
    f.PartFactory(number="PR-110", name="搓纸轮", category=PartCategory.WEAR)
    visit_part_add(visit_id=on_site.pk, actor=user, part_number="PR-110", warehouse_id=None)  # customer pays
    visit_record(visit_id=on_site.pk, actor=user, findings="更换定影组件", checked=[0])
    sign(on_site, actor=user)
    visit_transition(visit_id=on_site.pk, action="leave", actor=user)
    old = OldPart.objects.get()
    assert (old.part, old.quantity, old.work_order) == (fuser, 1, on_site.work_order)
    assert old.service_point == field_engineer.service_point
    assert VisitPart.objects.get(part=fuser).old_part == old
    defective = StockBalance.objects.get(part=fuser, warehouse__kind=WarehouseKind.DEFECTIVE)
    assert defective.on_hand == 1 and defective.value == Decimal("0.00")
    client.force_login(user)
    page = client.get(reverse("field:visit_detail", args=[on_site.pk])).content.decode()
    assert f"old part {old.number}" in page


def test_r29_a_serialised_part_under_warranty_needs_the_serial_number_of_the_part_taken_out(
    api_client, field_engineer, on_site, van
):
    board = f.PartFactory(number="PCB-9", name="主板", category=PartCategory.NORMAL, serialised=True)
    stock.receive(warehouse=van, part=board, quantity=1, unit_cost=Decimal("500"), actor=field_engineer.user)
    api = api_client(field_engineer.user)
    url = f"/api/visits/{on_site.pk}/parts/"
    refused = api.post(url, {"part_number": "PCB-9"}, format="json")
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "old_serial_number"
    assert on_hand(van, board) == 1
    created = api.post(url, {"part_number": "PCB-9", "old_serial_number": "MB123"}, format="json")
    assert created.status_code == 201 and created.json()["old_serial_number"] == "MB123"


def test_r32_a_part_the_van_lacks_is_asked_of_the_service_points_store_without_leaving_the_visit(
    client, field_engineer, on_site, van, store, fuser
):
    from aftersales.parts.models import StockTransfer

    stock.receive(
        warehouse=store, part=fuser, quantity=5, unit_cost=Decimal("180"), actor=field_engineer.user
    )
    client.force_login(field_engineer.user)
    page = add_on_page(client, on_site, part_number="RM1-2337", quantity=3, source="van").content.decode()
    assert 'data-testid="shortage-help"' in page and "网点备件库: 5" in page
    assert 'data-testid="ask-store"' in page
    client.post(
        reverse("field:visit_parts_request", args=[on_site.pk]), {"part_number": "RM1-2337", "quantity": 3}
    )
    transfer = StockTransfer.objects.get()
    assert (transfer.source, transfer.destination, transfer.work_order) == (store, van, on_site.work_order)
    assert list(transfer.lines.values_list("part__number", "quantity")) == [("RM1-2337", 3)]
    timeline = on_site.work_order.events.values_list("action", flat=True)
    assert "visit_parts_request" in list(timeline)


def test_r32_the_api_asks_the_store_for_a_part(api_client, field_engineer, on_site, van, store, fuser):
    api = api_client(field_engineer.user)
    asked = api.post(
        f"/api/visits/{on_site.pk}/parts/request/", {"part_number": "RM1-2337", "quantity": 2}, format="json"
    )
    assert (
        asked.status_code == 201
        and asked.json()["state"] == "draft"
        and asked.json()["number"].startswith("DB")
    )
    unknown = api.post(f"/api/visits/{on_site.pk}/parts/request/", {"part_number": "NOPE"}, format="json")
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "part_number"
