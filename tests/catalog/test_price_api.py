"""Price list, fee schedule and pricing API: lists and details, a list's prices paginated under
`items/` and in Excel under `items/export/`, a new version by `POST revise/`, the two pricing reads
(`/api/prices/part/`, `/api/prices/fee/`) with amounts as strings, errors as JSON problems, scoping
by role (R37), the OpenAPI schema. R9, R10, R30. The clock is set to 2026-03-01."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from aftersales.accounts.choices import Role
from aftersales.catalog.choices import FeeKind, FeeUnit
from aftersales.catalog.services import fee_schedule_create, price_list_create
from aftersales.core.models import AccessLog
from tests import factories as f
from tests.api.helpers import assert_problem
from tests.timeutil import at, frozen

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with frozen(at(2026, 3, 1, 10, 0)):
        yield


@pytest.fixture
def world(db):
    fuser = f.PartFactory(number="FU-2200", name="定影组件")
    toner = f.PartFactory(number="TN-2200", name="墨粉盒")
    retired = f.PartFactory(number="OLD-1", is_active=False)
    national = price_list_create(
        name="2026 零售价目表",
        effective_from=date(2026, 1, 1),
        items=[(fuser.pk, "260", "380"), (toner.pk, "120", "199"), (retired.pk, "1", "2")],
    )
    regional = price_list_create(
        name="广东省价目表",
        province="广东省",
        effective_from=date(2026, 2, 1),
        items=[(toner.pk, "110", "189.5")],
    )
    hidden = price_list_create(name="停用价目表", effective_from=date(2026, 1, 1), is_active=False)
    line = f.ProductLineFactory(code="PRN", name="打印机")
    old = fee_schedule_create(
        code="2023",
        name="2023版收费标准",
        effective_from=date(2023, 1, 1),
        effective_until=date(2024, 12, 31),
        standards=[
            {"kind": FeeKind.LABOUR, "amount": "70", "unit": FeeUnit.PER_HOUR, "product_line_id": line.pk}
        ],
    )
    current = fee_schedule_create(
        code="2025",
        name="2025版收费标准",
        effective_from=date(2025, 1, 1),
        standards=[
            {"kind": FeeKind.VISIT, "amount": "60", "distance_from_km": 0, "distance_to_km": 20},
            {"kind": FeeKind.VISIT, "amount": "100", "distance_from_km": 20, "distance_to_km": 50},
            {"kind": FeeKind.LABOUR, "amount": "80", "unit": FeeUnit.PER_HOUR, "product_line_id": line.pk},
            {"kind": FeeKind.LABOUR, "amount": "100", "unit": FeeUnit.PER_HOUR},
        ],
    )
    return type("World", (), locals())


def ok(response):
    assert response.status_code == 200, response.content
    return response.json()


def test_r9_price_lists_list_and_detail(api_client, supervisor, world):
    client = api_client(supervisor)
    body = ok(client.get("/api/price-lists/"))
    assert [(r["name"], r["version"]) for r in body["results"]] == [
        ("2026 零售价目表", 1),
        ("停用价目表", 1),
        ("广东省价目表", 1),
    ]
    assert [r["name"] for r in ok(client.get("/api/price-lists/", {"region": "广东省"}))["results"]] == [
        "广东省价目表"
    ]
    assert [r["name"] for r in ok(client.get("/api/price-lists/", {"status": "inactive"}))["results"]] == [
        "停用价目表"
    ]
    assert_problem(client.get("/api/price-lists/", {"status": "someday"}), 400, field="status")
    detail = ok(client.get(f"/api/price-lists/{world.national.pk}/"))
    assert (
        detail["label"] == "2026 零售价目表 v1"
        and detail["status"] == "in_effect"
        and detail["item_count"] == 3
    )
    assert detail["province"] == "" and detail["effective_from"] == "2026-01-01"


def test_r9_r30_a_lists_prices_are_paginated_with_amounts_as_strings(api_client, supervisor, world):
    client = api_client(supervisor)
    url = f"/api/price-lists/{world.national.pk}/items/"
    body = ok(client.get(url, {"page_size": 2}))
    assert body["count"] == 3 and body["next"]
    assert body["results"][0] == {
        "id": body["results"][0]["id"],
        "part": world.fuser.pk,
        "part_number": "FU-2200",
        "part_name": "定影组件",
        "cost_price": "260.00",
        "retail_price": "380.00",
        "updated_at": body["results"][0]["updated_at"],
    }
    assert [r["part_number"] for r in ok(client.get(url, {"q": "墨粉"}))["results"]] == ["TN-2200"]
    assert [r["part_number"] for r in ok(client.get(url, {"ordering": "-retail"}))["results"]][0] == "FU-2200"
    assert_problem(client.get("/api/price-lists/999999/items/"), 404)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sheet_rows(response) -> list[tuple]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == XLSX and "attachment;" in response["Content-Disposition"]
    return list(
        load_workbook(BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True)
    )


def test_r9_a_lists_prices_in_excel_are_the_pages_workbook_in_the_imports_format_logged_r41(
    api_client, client, supervisor, world
):
    url = f"/api/price-lists/{world.national.pk}/items/export/"
    api = api_client(supervisor)

    rows = sheet_rows(api.get(url, HTTP_ACCEPT=XLSX))

    assert rows == [
        ("配件编号", "名称", "成本价", "零售价"),
        ("FU-2200", "定影组件", "260.00", "380.00"),
        ("OLD-1", world.retired.name, "1.00", "2.00"),
        ("TN-2200", "墨粉盒", "120.00", "199.00"),
    ]
    assert sheet_rows(api.get(url, {"q": "墨粉"}))[1:] == [rows[3]]
    assert [row[0] for row in sheet_rows(api.get(url, {"ordering": "-retail"}))[1:]] == [
        "FU-2200",
        "TN-2200",
        "OLD-1",
    ]
    entries = AccessLog.objects.filter(actor=supervisor, action=AccessLog.Action.EXPORT)
    assert entries.count() == 3 and {entry.resource for entry in entries} == {"price_list_items"}
    client.force_login(supervisor)
    page = client.get(f"/catalog/price-lists/{world.national.pk}/", {"export": "xlsx", "q": "墨粉"})
    assert sheet_rows(page) == [rows[0], rows[3]]


def test_a_lists_prices_export_keeps_the_pages_gate_403_scope_404_and_refuses_what_it_cannot_read(
    api_client, agent, make_user, world
):
    reader = api_client(agent)  # a reader, not a keeper: the active lists only
    assert_problem(reader.get(f"/api/price-lists/{world.hidden.pk}/items/export/"), 404)
    assert_problem(reader.get("/api/price-lists/999999/items/export/"), 404)
    url = f"/api/price-lists/{world.national.pk}/items/export/"
    assert_problem(reader.get(url, {"ordering": "price"}), 400, field="ordering")
    assert_problem(api_client(make_user(Role.QUALITY)).get(url), 403)
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()
    assert sheet_rows(reader.get(url))[0] == ("配件编号", "名称", "成本价", "零售价")


def test_r9_revise_by_the_api(api_client, supervisor, make_user, world):
    client = api_client(supervisor)
    url = f"/api/price-lists/{world.national.pk}/revise/"
    response = client.post(url, {"effective_from": "2026-04-01"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["version"], body["effective_from"], body["status"], body["item_count"]) == (
        2,
        "2026-04-01",
        "upcoming",
        3,
    )
    assert ok(client.get(f"/api/price-lists/{world.national.pk}/"))["effective_until"] == "2026-03-31"
    assert_problem(
        client.post(url, {"effective_from": "2026-05-01"}, format="json"), 409, code="not_latest_version"
    )
    next_url = f"/api/price-lists/{body['id']}/revise/"
    assert_problem(
        client.post(next_url, {"effective_from": "2026-03-01"}, format="json"),
        400,
        field="effective_from",
        code="revision_date",
    )
    assert_problem(client.post(next_url, {}, format="json"), 400, field="effective_from", code="required")
    engineer = api_client(make_user(Role.ENGINEER, username="engineer"))
    assert_problem(engineer.post(next_url, {"effective_from": "2026-06-01"}, format="json"), 403)


def test_r10_fee_schedules_with_their_standards(api_client, agent, world):
    client = api_client(agent)
    body = ok(client.get("/api/fee-schedules/"))
    assert [(r["code"], r["status"], r["standard_count"]) for r in body["results"]] == [
        ("2025", "in_effect", 4),
        ("2023", "ended", 1),
    ]
    detail = ok(client.get(f"/api/fee-schedules/{world.current.pk}/"))
    visit = [s for s in detail["standards"] if s["kind"] == "visit"]
    assert [(s["distance_from_km"], s["distance_to_km"], s["amount"], s["unit"]) for s in visit] == [
        ("0.00", "20.00", "60.00", "per_time"),
        ("20.00", "50.00", "100.00", "per_time"),
    ]
    labour = [s for s in detail["standards"] if s["kind"] == "labour"]
    assert [(s["product_line_name"], s["amount"]) for s in labour] == [(None, "100.00"), ("打印机", "80.00")]


def test_r9_r30_part_price_read(api_client, agent, world):
    client = api_client(agent)
    body = ok(
        client.get("/api/prices/part/", {"part": world.toner.pk, "day": "2026-03-01", "province": "广东省"})
    )
    assert body == {
        "part": world.toner.pk,
        "day": "2026-03-01",
        "province": "广东省",
        "retail": "189.50",
        "cost": "110.00",
        "price_list": world.regional.pk,
        "label": "广东省价目表 v1",
    }
    body = ok(client.get("/api/prices/part/", {"part": world.toner.pk}))  # today, national
    assert (body["day"], body["retail"], body["label"]) == ("2026-03-01", "199.00", "2026 零售价目表 v1")
    assert_problem(
        client.get("/api/prices/part/", {"part": world.fuser.pk, "day": "2025-12-31"}),
        404,
        code="no_part_price",
    )
    assert_problem(client.get("/api/prices/part/"), 400, field="part")
    assert_problem(
        client.get("/api/prices/part/", {"part": world.retired.pk}), 400, field="part"
    )  # not offered
    assert_problem(
        client.get("/api/prices/part/", {"part": world.fuser.pk, "day": "3 月 1 日"}), 400, field="day"
    )


def test_r9_r10_fee_read(api_client, agent, world):
    client = api_client(agent)
    line = world.line.pk
    body = ok(client.get("/api/prices/fee/", {"kind": "visit", "distance_km": "20", "day": "2026-03-01"}))
    assert (body["amount"], body["unit"], body["schedule"]) == ("100.00", "per_time", world.current.pk)
    assert body["label"].startswith("2025版收费标准 · ") and body["label"].endswith("20–50 km")
    body = ok(client.get("/api/prices/fee/", {"kind": "labour", "product_line": line}))
    assert body["amount"] == "80.00" and body["unit"] == "per_hour"
    card = ok(
        client.get("/api/prices/fee/", {"kind": "labour", "product_line": line, "schedule": world.old.pk})
    )
    assert (card["amount"], card["schedule"]) == ("70.00", world.old.pk)  # R10: the card's edition
    assert_problem(
        client.get("/api/prices/fee/", {"kind": "visit"}), 404, code="no_fee_standard"
    )  # no distance
    assert_problem(client.get("/api/prices/fee/", {"kind": "part"}), 400, field="kind")
    assert_problem(
        client.get("/api/prices/fee/", {"kind": "visit", "distance_km": "-1"}), 400, field="distance_km"
    )
    assert_problem(
        client.get("/api/prices/fee/", {"kind": "labour", "product_line": 999999}), 400, field="product_line"
    )


def test_r37_readers_strangers_and_other_roles(api_client, make_user, world):
    engineer = api_client(make_user(Role.ENGINEER, username="engineer"))
    names = [r["name"] for r in ok(engineer.get("/api/price-lists/"))["results"]]
    assert "停用价目表" not in names and "2026 零售价目表" in names
    assert_problem(engineer.get(f"/api/price-lists/{world.hidden.pk}/"), 404)
    assert_problem(engineer.get(f"/api/price-lists/{world.hidden.pk}/items/"), 404)
    quality = api_client(make_user(Role.QUALITY, username="quality"))
    for url in (
        "/api/price-lists/",
        "/api/fee-schedules/",
        f"/api/prices/part/?part={world.fuser.pk}",
        "/api/prices/fee/?kind=visit",
    ):
        assert_problem(quality.get(url), 403)
        assert_problem(APIClient().get(url), 401)
    assert engineer.post("/api/price-lists/", {"name": "X"}, format="json").status_code == 405


def test_price_endpoints_are_in_the_schema(api_client, agent):
    paths = api_client(agent).get("/api/schema/", {"format": "json"}).json()["paths"]
    assert set(paths["/api/price-lists/"]) == {"get"}
    assert {"q", "status", "region", "active"} <= {
        p["name"] for p in paths["/api/price-lists/"]["get"]["parameters"]
    }
    items = paths["/api/price-lists/{id}/items/"]["get"]
    assert {"q", "page", "cursor"} <= {p["name"] for p in items["parameters"]}
    assert {"201", "400", "403", "409"} <= set(paths["/api/price-lists/{id}/revise/"]["post"]["responses"])
    assert set(paths["/api/fee-schedules/{id}/"]) == {"get"}
    part = paths["/api/prices/part/"]["get"]
    assert {"part", "day", "province"} <= {p["name"] for p in part["parameters"]}
    assert {"200", "400", "404"} <= set(part["responses"])
    fee = paths["/api/prices/fee/"]["get"]
    assert {"kind", "day", "product_line", "province", "distance_km", "schedule"} <= {
        p["name"] for p in fee["parameters"]
    }
