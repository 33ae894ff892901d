"""The stock desk's pages and API (R32, R37, R41): on hand, the moves ledger and the warehouses,
filtered, exported to Excel and scoped (another dealer's warehouse is a 404 on the page, its
export and the API; an engineer sees their van and their service point's store, read-only);
receipts and scrap from a warehouse's page (HTMX) and the API; the shortage help on a refused
posting; the endpoints in the OpenAPI schema."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from aftersales.accounts.choices import Role
from aftersales.parts.choices import MoveKind
from aftersales.parts.models import StockBalance, StockMove
from aftersales.parts.services import stock
from aftersales.parts.services.alerts import reorder_rule_create

from .. import factories as f
from ..api.helpers import assert_problem
from .stock_world import stock_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    world = stock_world()
    world.receive(world.hq, 20, "15.00")
    world.receive(world.a.store, 6, "16.00")
    world.receive(world.a.van, 2, "16.00")
    world.receive(world.b.store, 9, "14.00")
    return world


def workbook_rows(response) -> list[tuple]:
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    return list(load_workbook(BytesIO(content)).active.iter_rows(values_only=True))


# --- on hand, moves, warehouses ----------------------------------------------------------------


def test_r32_the_on_hand_page_lists_every_warehouse_and_filters_what_is_below_its_reorder_point(w, client):
    reorder_rule_create(warehouse=w.a.store, part=w.part, minimum=6, target=10, actor=w.clerk)
    client.force_login(w.clerk)
    page = client.get("/parts/stock/").content.decode()
    for warehouse in (w.hq, w.a.store, w.a.van, w.b.store):
        assert warehouse.name in page
    low = client.get("/parts/stock/?below=true").content.decode()
    assert w.a.store.name in low and w.b.store.name not in low
    vans = client.get("/parts/stock/?kind=van").content.decode()
    assert w.a.van.name in vans and w.hq.name not in vans
    at_point = client.get(f"/parts/stock/?service_point={w.b.point.pk}").content.decode()
    assert w.b.store.name in at_point and w.a.store.name not in at_point


@pytest.mark.parametrize("url", ["/parts/stock/", "/parts/moves/", "/parts/transfers/", "/parts/warehouses/"])
def test_r32_the_stock_lists_cost_the_same_queries_for_more_rows(w, client, url):
    from aftersales.parts.services.transfers import transfer_create

    transfer_create(source=w.a.store, destination=w.a.van, lines=[(w.part, 1)], actor=w.a.staff)
    client.force_login(w.a.staff)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for index in range(6):
        part = f.PartFactory(number=f"PX-{index}")
        w.receive(w.a.store, 2, part=part)
        transfer_create(source=w.a.store, destination=w.a.van, lines=[(part, 1)], actor=w.a.staff)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_r41_the_moves_ledger_says_who_when_which_document_and_what_was_left(w, client):
    order = f.WorkOrderFactory(service_point=w.a.point)
    stock.issue(warehouse=w.a.store, part=w.part, quantity=2, actor=w.a.staff, work_order=order)
    client.force_login(w.clerk)
    page = client.get(f"/parts/moves/?q={order.number}").content.decode()
    assert order.number in page and w.a.staff.display_name in page and "-2" in page
    rows = workbook_rows(client.get(f"/parts/moves/?warehouse={w.a.store.pk}&kind=issue&export=xlsx"))
    header = rows[0]
    assert "On hand after" in header and "Document" in header and "By" in header
    [row] = rows[1:]
    assert row[header.index("Quantity")] == -2 and row[header.index("On hand after")] == 4
    assert row[header.index("Document")] == order.number and row[header.index("By")] == w.a.staff.display_name


def test_r32_the_on_hand_export_holds_the_filtered_rows_with_their_value(w, client):
    client.force_login(w.clerk)
    rows = workbook_rows(client.get("/parts/stock/?kind=service_point&export=xlsx"))
    header = rows[0]
    values = {(row[header.index("Warehouse")], row[header.index("On hand")]) for row in rows[1:]}
    assert values == {(w.a.store.name, 6), (w.b.store.name, 9)}
    assert {row[header.index("Value at cost")] for row in rows[1:]} == {
        "96.00",
        "126.00",
    }  # amounts as text (core.excel)


def test_r32_a_warehouse_page_lists_its_stock_searches_sorts_and_exports_it(w, client):
    w.receive(w.a.store, 3, part=w.substitute)
    client.force_login(w.a.staff)
    page = client.get(f"/parts/warehouses/{w.a.store.pk}/?q=3600A").content.decode()
    assert "FU-3600A" in page and ">FU-3600<" not in page
    ordered = client.get(f"/parts/warehouses/{w.a.store.pk}/?ordering=-on_hand").content.decode()
    assert ordered.index(">FU-3600<") < ordered.index(">FU-3600A<")
    rows = workbook_rows(client.get(f"/parts/warehouses/{w.a.store.pk}/?export=xlsx"))
    assert sorted(row[0] for row in rows[1:]) == ["FU-3600", "FU-3600A"]
    listed = client.get("/parts/warehouses/").content.decode()
    assert w.a.store.name in listed and w.a.van.name in listed and w.b.store.name not in listed


# --- scope ---------------------------------------------------------------------------------------


def test_r37_another_dealers_warehouse_is_a_404_on_its_page_its_export_and_the_api(w, client, api_client):
    client.force_login(w.a.staff)
    assert client.get(f"/parts/warehouses/{w.b.store.pk}/").status_code == 404
    assert client.get(f"/parts/warehouses/{w.b.store.pk}/?export=xlsx").status_code == 404
    assert client.post(f"/parts/warehouses/{w.b.store.pk}/scrap/", {}).status_code == 404
    api = api_client(w.a.staff)
    assert api.get(f"/api/stock/warehouses/{w.b.store.pk}/").status_code == 404
    assert api.post(f"/api/stock/warehouses/{w.b.store.pk}/scraps/", {}, format="json").status_code == 404
    b_balance = StockBalance.objects.get(warehouse=w.b.store, part=w.part)
    assert api.get(f"/api/stock/balances/{b_balance.pk}/").status_code == 404


def test_r37_dealer_staff_see_and_export_only_their_dealers_stock(w, client, api_client):
    client.force_login(w.a.staff)
    page = client.get("/parts/stock/").content.decode()
    assert w.a.store.name in page and w.b.store.name not in page and w.hq.name not in page
    rows = workbook_rows(client.get("/parts/stock/?export=xlsx"))
    assert {row[0] for row in rows[1:]} == {w.a.store.name, w.a.van.name}
    moves = workbook_rows(client.get("/parts/moves/?export=xlsx"))
    assert {row[1] for row in moves[1:]} == {w.a.store.name, w.a.van.name}
    # an id of another dealer's warehouse in the filter does not widen the list
    filtered = client.get(f"/parts/stock/?warehouse={w.b.store.pk}").content.decode()
    assert w.b.store.name not in filtered
    api = api_client(w.a.staff)
    balances = api.get("/api/stock/balances/").json()
    assert {row["warehouse"]["code"] for row in balances["results"]} == {"SP-DA", "VAN-DA"}
    assert api.get("/api/stock/moves/").json()["count"] == 2
    assert_problem(api.get(f"/api/stock/balances/?warehouse={w.b.store.pk}"), 400, field="warehouse")


def test_r37_an_engineer_sees_their_van_and_their_service_points_store_read_only(w, client, api_client):
    engineer = w.a.engineer.user
    client.force_login(engineer)
    page = client.get("/parts/stock/").content.decode()
    assert w.a.van.name in page and w.a.store.name in page
    assert w.a.defective.name not in client.get("/parts/warehouses/").content.decode()
    assert client.get(f"/parts/warehouses/{w.b.store.pk}/").status_code == 404
    van_page = client.get(f"/parts/warehouses/{w.a.van.pk}/").content.decode()
    assert 'data-testid="scrap-form"' not in van_page and 'data-testid="receipt-form"' not in van_page
    response = api_client(engineer).post(
        f"/api/stock/warehouses/{w.a.van.pk}/scraps/",
        {"part": w.part.pk, "quantity": 1, "reason": "损坏"},
        format="json",
    )
    assert_problem(response, 403)
    assert StockBalance.objects.get(warehouse=w.a.van, part=w.part).on_hand == 2


def test_r37_the_stock_menu_is_for_those_who_see_stock(w, client):
    for user, shown in (
        (w.clerk, True),
        (w.a.staff, True),
        (w.a.engineer.user, True),
        (f.UserFactory(role=Role.FINANCE, username="fin"), True),
        (f.UserFactory(role=Role.DEALER_STAFF, username="nodealer", dealer=None), False),
    ):
        client.force_login(user)
        assert ('data-testid="nav-stock"' in client.get("/").content.decode()) is shown, user
    client.force_login(f.UserFactory(role=Role.DEALER_STAFF, username="nodealer2", dealer=None))
    assert client.get("/parts/stock/").status_code == 403


# --- receipts, scrap and the shortage help -------------------------------------------------------


def test_r32_hq_receives_purchased_parts_at_their_unit_cost_from_the_warehouse_page(w, client):
    client.force_login(w.clerk)
    page = client.get(f"/parts/warehouses/{w.hq.pk}/").content.decode()
    assert 'data-testid="receipt-form"' in page
    response = client.post(
        f"/parts/warehouses/{w.hq.pk}/receive/",
        {"part": w.part.pk, "quantity": "10", "unit_cost": "18.00", "reference": "PO-2026-0088"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 204 and response["HX-Redirect"] == f"/parts/warehouses/{w.hq.pk}/"
    move = StockMove.objects.filter(warehouse=w.hq, kind=MoveKind.RECEIPT).latest("id")
    assert (move.quantity, move.unit_cost, move.reference, move.posted_by) == (
        10,
        Decimal("18.00"),
        "PO-2026-0088",
        w.clerk,
    )
    balance = StockBalance.objects.get(warehouse=w.hq, part=w.part)
    assert (balance.on_hand, balance.value) == (30, Decimal("480.00"))


def test_r32_dealer_staff_do_not_receive_purchased_parts(w, client, api_client):
    client.force_login(w.a.staff)
    assert (
        'data-testid="receipt-form"' not in client.get(f"/parts/warehouses/{w.a.store.pk}/").content.decode()
    )
    response = api_client(w.a.staff).post(
        f"/api/stock/warehouses/{w.a.store.pk}/receipts/",
        {"part": w.part.pk, "quantity": 1, "unit_cost": "1.00"},
        format="json",
    )
    assert_problem(response, 403, code="permission_denied")


def test_r32_a_scrap_needs_its_reason_and_posts_at_average_cost(w, client, api_client):
    api = api_client(w.a.staff)
    url = f"/api/stock/warehouses/{w.a.store.pk}/scraps/"
    assert_problem(api.post(url, {"part": w.part.pk, "quantity": 1}, format="json"), 400, field="reason")
    response = api.post(url, {"part": w.part.pk, "quantity": 2, "reason": "运输中摔坏"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["quantity"], body["value"], body["note"]) == (
        "scrap",
        -2,
        "-32.00",
        "运输中摔坏",
    )


def test_r32_a_refused_scrap_on_the_page_offers_substitutes_and_the_nearest_stock(w, client):
    w.receive(w.a.store, 4, part=w.substitute)
    client.force_login(w.a.staff)
    response = client.post(
        f"/parts/warehouses/{w.a.van.pk}/scrap/",
        {"part": w.part.pk, "quantity": "5", "reason": "过期"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and "2 available, 5 asked for" in html
    assert 'data-testid="shortage-substitutes"' not in html  # no substitute in the van itself
    nearby = html[html.index('data-testid="shortage-nearby"') :]
    assert nearby.index(w.a.store.name) < nearby.index(w.hq.name)  # the same point first, HQ last
    assert w.b.store.name not in html  # another dealer's stock is not offered
    assert StockBalance.objects.get(warehouse=w.a.van, part=w.part).on_hand == 2


def test_r32_the_alternatives_api_lists_substitutes_here_then_the_nearest_warehouses(w, api_client):
    w.receive(w.a.van, 3, part=w.substitute)
    w.receive(w.b.van, 1)
    response = api_client(w.clerk).get(f"/api/stock/alternatives/?part={w.part.pk}&warehouse={w.a.van.pk}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert [(h["part"]["number"], h["available"]) for h in body["substitutes_here"]] == [("FU-3600A", 3)]
    nearby = [(h["warehouse"]["code"], h["same_point"]) for h in body["nearby"]]
    assert nearby[0] == ("SP-DA", True)
    assert [code for code, _same in nearby[1:]] == ["SP-DB", "VAN-DB", "HQ-01"]  # 杭州 ~165 km, then HQ
    assert body["nearby"][1]["distance_km"] is not None and body["nearby"][-1]["distance_km"] is None
    # the substitute relation works both ways
    back = (
        api_client(w.clerk)
        .get(f"/api/stock/alternatives/?part={w.substitute.pk}&warehouse={w.a.store.pk}")
        .json()
    )
    assert [h["part"]["number"] for h in back["substitutes_here"]] == ["FU-3600"]
    assert_problem(api_client(w.clerk).get("/api/stock/alternatives/?part=x"), 400, field="part")
    assert (
        api_client(w.a.staff)
        .get(f"/api/stock/alternatives/?part={w.part.pk}&warehouse={w.b.store.pk}")
        .status_code
        == 404
    )


def test_r32_an_issue_refused_by_the_api_is_a_409_problem_naming_the_quantity(w, api_client):
    response = api_client(w.clerk).post(
        f"/api/stock/warehouses/{w.a.van.pk}/scraps/",
        {"part": w.part.pk, "quantity": 3, "reason": "丢失"},
        format="json",
    )
    body = assert_problem(response, 409, field="quantity", code="insufficient_stock")
    assert "2 available, 3 asked for" in body["title"]


def test_r32_the_stock_endpoints_are_in_the_api_schema(w, api_client):
    schema = api_client(w.clerk).get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    for path in (
        "/api/stock/warehouses/",
        "/api/stock/warehouses/{id}/receipts/",
        "/api/stock/warehouses/{id}/scraps/",
        "/api/stock/balances/",
        "/api/stock/moves/",
        "/api/stock/transfers/",
        "/api/stock/transfers/{id}/ship/",
        "/api/stock/transfers/{id}/receive/",
        "/api/stock/transfers/{id}/cancel/",
        "/api/stock/transfers/{id}/lines/",
        "/api/stock/transfers/{id}/lines/{line_id}/",
        "/api/stock/counts/",
        "/api/stock/counts/{id}/counted/",
        "/api/stock/counts/{id}/submit/",
        "/api/stock/counts/{id}/approve/",
        "/api/stock/counts/{id}/recount/",
        "/api/stock/counts/{id}/cancel/",
        "/api/stock/reorder-rules/",
        "/api/stock/reorder-rules/{id}/",
        "/api/stock/alerts/",
        "/api/stock/alternatives/",
    ):
        assert path in paths, path
    ship = paths["/api/stock/transfers/{id}/ship/"]["post"]
    assert {"200", "400", "403", "404", "409"} <= set(ship["responses"])
    assert "409" in paths["/api/stock/warehouses/{id}/scraps/"]["post"]["responses"]
    listed = paths["/api/stock/balances/"]["get"]
    assert {"below", "warehouse", "page", "ordering"} <= {p["name"] for p in listed["parameters"]}
