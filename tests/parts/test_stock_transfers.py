"""Transfers (调拨单, R32): drawn up with lines, shipped (out of the source, in transit towards
the destination), received, or cancelled while a draft; refused steps answer 409 and move
nothing; every step recorded; dealer staff keep only their own dealer's side."""

from __future__ import annotations

from decimal import Decimal

import pytest

from aftersales.core.errors import NotPermitted, TransitionNotAllowed
from aftersales.parts.choices import MoveKind, TransferState
from aftersales.parts.errors import InsufficientStock
from aftersales.parts.models import StockBalance, StockMove, StockTransfer, TransferEvent
from aftersales.parts.services.transfers import (
    transfer_create,
    transfer_line_add,
    transfer_line_remove,
    transfer_transition,
)

from .. import factories as f
from ..api.helpers import assert_problem
from .stock_world import stock_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return stock_world()


def balance(warehouse, part) -> StockBalance:
    return StockBalance.objects.get(warehouse=warehouse, part=part)


def test_r32_a_transfer_is_in_transit_once_shipped_and_on_hand_once_received(w):
    w.receive(w.hq, 10, "20.00")
    transfer = transfer_create(source=w.hq, destination=w.a.store, lines=[(w.part, 4)], actor=w.clerk)
    assert transfer.number.startswith("DB") and transfer.state == TransferState.DRAFT

    transfer_transition(
        transfer_id=transfer.pk,
        action="ship",
        actor=w.clerk,
        carrier="顺丰速运",
        tracking_number="SF1234567890",
    )
    transfer.refresh_from_db()
    assert (transfer.state, transfer.carrier, transfer.tracking_number) == (
        "shipped",
        "顺丰速运",
        "SF1234567890",
    )
    assert (balance(w.hq, w.part).on_hand, balance(w.hq, w.part).value) == (6, Decimal("120.00"))
    arriving = balance(w.a.store, w.part)
    assert (arriving.on_hand, arriving.in_transit) == (0, 4)
    assert transfer.lines.get().value == Decimal("80.00")

    transfer_transition(transfer_id=transfer.pk, action="receive", actor=w.a.staff, note="外箱完好")
    arrived = balance(w.a.store, w.part)
    assert (arrived.on_hand, arrived.in_transit, arrived.value) == (4, 0, Decimal("80.00"))
    moves = StockMove.objects.filter(reference=transfer.number).order_by("id")
    assert [(m.kind, m.quantity, m.posted_by) for m in moves] == [
        (MoveKind.TRANSFER_OUT, -4, w.clerk),
        (MoveKind.TRANSFER_IN, 4, w.a.staff),
    ]
    steps = list(
        TransferEvent.objects.filter(transfer=transfer).values_list("action", "from_state", "to_state")
    )
    assert steps == [
        ("create", "", "draft"),
        ("ship", "draft", "shipped"),
        ("receive", "shipped", "received"),
    ]
    assert TransferEvent.objects.get(transfer=transfer, action="receive").note == "外箱完好"


def test_r32_shipping_more_than_the_source_holds_is_refused_and_moves_nothing(w):
    w.receive(w.hq, 2)
    transfer = transfer_create(source=w.hq, destination=w.a.store, lines=[(w.part, 3)], actor=w.clerk)
    with pytest.raises(InsufficientStock) as refused:
        transfer_transition(transfer_id=transfer.pk, action="ship", actor=w.clerk)
    assert refused.value.status == 409 and refused.value.available == 2
    transfer.refresh_from_db()
    assert transfer.state == TransferState.DRAFT and not transfer.shipped_at
    assert balance(w.hq, w.part).on_hand == 2
    assert not StockBalance.objects.filter(warehouse=w.a.store, in_transit__gt=0).exists()
    assert not TransferEvent.objects.filter(transfer=transfer, action="ship").exists()


@pytest.mark.parametrize(
    ("state", "action"),
    [
        ("draft", "receive"),
        ("shipped", "ship"),
        ("shipped", "cancel"),
        ("received", "receive"),
        ("cancelled", "ship"),
    ],
)
def test_r32_a_transition_from_another_state_is_refused_with_409(w, api_client, state, action):
    w.receive(w.hq, 5)
    transfer = transfer_create(source=w.hq, destination=w.a.store, lines=[(w.part, 1)], actor=w.clerk)
    if state in ("shipped", "received"):
        transfer_transition(transfer_id=transfer.pk, action="ship", actor=w.clerk)
    if state == "received":
        transfer_transition(transfer_id=transfer.pk, action="receive", actor=w.clerk)
    if state == "cancelled":
        transfer_transition(transfer_id=transfer.pk, action="cancel", actor=w.clerk, reason="录错了")
    moves = StockMove.objects.count()

    response = api_client(w.clerk).post(
        f"/api/stock/transfers/{transfer.pk}/{action}/",
        {"reason": "x"} if action == "cancel" else {},
        format="json",
    )

    assert_problem(response, 409, code="transition_not_allowed")
    transfer.refresh_from_db()
    assert transfer.state == state and StockMove.objects.count() == moves


def test_r32_cancel_needs_the_reason_and_is_for_drafts_only(w, api_client):
    transfer = transfer_create(source=w.hq, destination=w.a.store, lines=[(w.part, 1)], actor=w.clerk)
    client = api_client(w.clerk)
    assert_problem(
        client.post(f"/api/stock/transfers/{transfer.pk}/cancel/", {}, format="json"), 400, field="reason"
    )
    response = client.post(
        f"/api/stock/transfers/{transfer.pk}/cancel/", {"reason": "客户已自行购买"}, format="json"
    )
    assert response.status_code == 200 and response.json()["state"] == "cancelled"
    assert TransferEvent.objects.get(transfer=transfer, action="cancel").note == "客户已自行购买"


def test_r32_the_api_draws_up_ships_and_receives_a_transfer(w, api_client):
    w.receive(w.hq, 5, "30.00")
    client = api_client(w.clerk)
    created = client.post(
        "/api/stock/transfers/",
        {"source": w.hq.pk, "destination": w.a.store.pk, "lines": [{"part": w.part.pk, "quantity": 2}]},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["state"] == "draft" and set(body["available_actions"]) == {"ship", "cancel"}
    assert body["lines"][0]["part"]["number"] == "FU-3600"

    shipped = client.post(
        f"/api/stock/transfers/{body['id']}/ship/",
        {"carrier": "德邦", "tracking_number": "DP001"},
        format="json",
    )
    assert shipped.status_code == 200 and shipped.json()["state"] == "shipped"
    received = api_client(w.a.staff).post(f"/api/stock/transfers/{body['id']}/receive/", {}, format="json")
    assert received.status_code == 200 and received.json()["state"] == "received"
    assert [step["action"] for step in received.json()["steps"]] == ["create", "ship", "receive"]


def test_r32_the_api_refuses_unknown_fields_and_a_state_written_directly(w, api_client):
    response = api_client(w.clerk).post(
        "/api/stock/transfers/",
        {
            "source": w.hq.pk,
            "destination": w.a.store.pk,
            "lines": [{"part": w.part.pk, "quantity": 1}],
            "state": "received",
        },
        format="json",
    )
    assert_problem(response, 400, field="state", code="unknown_field")


def test_r32_a_transfer_goes_to_another_warehouse(w, api_client):
    response = api_client(w.clerk).post(
        "/api/stock/transfers/",
        {"source": w.hq.pk, "destination": w.hq.pk, "lines": [{"part": w.part.pk, "quantity": 1}]},
        format="json",
    )
    assert_problem(response, 400, field="destination", code="same_warehouse")


def test_r37_dealer_staff_ship_from_and_receive_into_their_own_warehouses_only(w):
    w.receive(w.b.store, 3)
    other = transfer_create(source=w.b.store, destination=w.b.van, lines=[(w.part, 1)], actor=w.clerk)
    with pytest.raises(NotPermitted):
        transfer_transition(transfer_id=other.pk, action="ship", actor=w.a.staff)
    with pytest.raises(NotPermitted):
        transfer_create(source=w.b.store, destination=w.a.store, lines=[(w.part, 1)], actor=w.a.staff)
    with pytest.raises(NotPermitted):  # a dealer sends within its network or back to HQ
        transfer_create(source=w.a.store, destination=w.b.store, lines=[(w.part, 1)], actor=w.a.staff)
    w.receive(w.a.store, 3)
    own = transfer_create(source=w.a.store, destination=w.a.van, lines=[(w.part, 2)], actor=w.a.staff)
    transfer_transition(transfer_id=own.pk, action="ship", actor=w.a.staff)
    transfer_transition(transfer_id=own.pk, action="receive", actor=w.a.staff)
    assert balance(w.a.van, w.part).on_hand == 2


def test_r12_an_engineer_asks_for_parts_into_their_van_and_receives_them(w):
    w.receive(w.a.store, 3)
    engineer = w.a.engineer.user
    asked = transfer_create(source=w.a.store, destination=w.a.van, lines=[(w.part, 1)], actor=engineer)
    with pytest.raises(NotPermitted):  # the service point ships, not the engineer
        transfer_transition(transfer_id=asked.pk, action="ship", actor=engineer)
    transfer_transition(transfer_id=asked.pk, action="ship", actor=w.a.staff)
    colleague = f.EngineerFactory(service_point=w.a.point).user
    with pytest.raises(NotPermitted):
        transfer_transition(transfer_id=asked.pk, action="receive", actor=colleague)
    transfer_transition(transfer_id=asked.pk, action="receive", actor=engineer)
    assert balance(w.a.van, w.part).on_hand == 1
    with pytest.raises(NotPermitted):  # not into a colleague's van
        transfer_create(source=w.a.store, destination=w.b.van, lines=[(w.part, 1)], actor=engineer)


def test_r32_a_drafts_lines_change_and_a_shipped_transfers_do_not(w):
    w.receive(w.hq, 5)
    transfer = transfer_create(
        source=w.hq, destination=w.a.store, lines=[(w.part, 1), (w.part, 1)], actor=w.clerk
    )
    assert transfer.lines.get().quantity == 2  # a part named twice adds up
    line = transfer_line_add(transfer_id=transfer.pk, part=w.substitute, quantity=3, actor=w.clerk)
    transfer_line_remove(line_id=line.pk, actor=w.clerk)
    transfer_transition(transfer_id=transfer.pk, action="ship", actor=w.clerk)
    with pytest.raises(TransitionNotAllowed) as refused:
        transfer_line_add(transfer_id=transfer.pk, part=w.substitute, quantity=1, actor=w.clerk)
    assert refused.value.code == "transfer_not_draft"


def test_r32_the_transfer_pages_draw_up_show_ship_and_print(w, client):
    w.receive(w.hq, 5)
    client.force_login(w.clerk)
    response = client.post(
        "/parts/transfers/new/",
        {
            "source": w.hq.pk,
            "destination": w.a.store.pk,
            "note": "补充网点库存",
            "lines-TOTAL_FORMS": "3",
            "lines-INITIAL_FORMS": "0",
            "lines-0-part": w.part.pk,
            "lines-0-quantity": "2",
        },
    )
    transfer = StockTransfer.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/parts/transfers/{transfer.pk}/"
    page = client.get(f"/parts/transfers/{transfer.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert transfer.number in html and 'data-testid="transfer-action-ship"' in html

    shipped = client.post(
        f"/parts/transfers/{transfer.pk}/do/ship/", {"carrier": "顺丰速运", "tracking_number": "SF99"}
    )
    assert shipped.status_code == 302
    transfer.refresh_from_db()
    assert transfer.state == TransferState.SHIPPED
    listed = client.get("/parts/transfers/?state=shipped")
    assert transfer.number in listed.content.decode()
    printed = client.get(f"/parts/transfers/{transfer.pk}/print/")
    assert printed.status_code == 200 and "SF99" in printed.content.decode()


def test_r32_a_shipment_refused_on_the_page_offers_the_shortage_help(w, client):
    w.receive(w.hq, 1)
    w.receive(w.b.store, 4)
    w.receive(w.hq, 2, part=w.substitute)
    transfer = transfer_create(source=w.hq, destination=w.a.store, lines=[(w.part, 3)], actor=w.clerk)
    client.force_login(w.clerk)
    client.post(f"/parts/transfers/{transfer.pk}/do/ship/", {})
    page = client.get(f"/parts/transfers/{transfer.pk}/").content.decode()
    assert "1 available, 3 asked for" in page
    assert 'data-testid="shortage-help"' in page and "FU-3600A" in page and "DB网点库" in page
    transfer.refresh_from_db()
    assert transfer.state == TransferState.DRAFT


def test_r37_another_dealers_transfer_is_a_404_on_the_page_the_print_and_the_api(w, client, api_client):
    transfer = transfer_create(source=w.b.store, destination=w.b.van, lines=[(w.part, 1)], actor=w.clerk)
    client.force_login(w.a.staff)
    assert client.get(f"/parts/transfers/{transfer.pk}/").status_code == 404
    assert client.get(f"/parts/transfers/{transfer.pk}/print/").status_code == 404
    assert client.post(f"/parts/transfers/{transfer.pk}/do/ship/", {}).status_code == 404
    api = api_client(w.a.staff)
    assert api.get(f"/api/stock/transfers/{transfer.pk}/").status_code == 404
    assert api.post(f"/api/stock/transfers/{transfer.pk}/ship/", {}, format="json").status_code == 404
    assert transfer.number not in client.get("/parts/transfers/").content.decode()
    assert api.get("/api/stock/transfers/").json()["count"] == 0


def test_r32_the_printed_transfer_downloads_as_a_pdf(w, client):
    transfer = transfer_create(source=w.hq, destination=w.a.store, lines=[(w.part, 2)], actor=w.clerk)
    client.force_login(w.clerk)
    response = client.get(f"/parts/transfers/{transfer.pk}/print/?format=pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and transfer.number in response["Content-Disposition"]


def test_the_parts_admin_lists_load_for_hq(w, client):
    admin = f.UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    for model in (
        "warehouse",
        "stockbalance",
        "stockmove",
        "stocktransfer",
        "stockcount",
        "reorderrule",
        "stockalert",
    ):
        assert client.get(f"/admin/parts/{model}/").status_code == 200, model
    assert client.get(f"/admin/parts/warehouse/{w.hq.pk}/change/").status_code == 200
