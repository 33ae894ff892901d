"""Parts API: read-only list and detail, the list page's filters, scoping by role (R37), in the
OpenAPI schema (R12 parts used, R32 substitutes, R36 categories)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from aftersales.accounts.choices import Role
from aftersales.catalog.services import part_substitute_add
from tests import factories as f
from tests.api.helpers import assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(db):
    lp, mf = f.ProductModelFactory(code="LP-2200"), f.ProductModelFactory(code="MF-3020")
    fuser = f.PartFactory(number="FU-2200", name="定影组件", category="wear", fits=[lp, mf], serialised=True)
    toner = f.PartFactory(number="TN-2200", name="墨粉盒", category="consumable", fits=[lp])
    roller = f.PartFactory(number="PR-3020", name="搓纸轮", category="wear", fits=[mf])
    retired = f.PartFactory(number="FU-2200-OLD", name="定影组件（旧版）", is_active=False)
    part_substitute_add(part=fuser, substitute=retired, both_ways=True)
    part_substitute_add(part=roller, substitute=fuser, both_ways=True, note="通用")
    part_substitute_add(part=toner, substitute=roller)
    return type("Catalog", (), dict(lp=lp, mf=mf, fuser=fuser, toner=toner, roller=roller, retired=retired))


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["number"] for row in response.json()["results"]]


def test_r36_parts_list_filters(api_client, supervisor, catalog):
    client = api_client(supervisor)
    assert numbers(client.get("/api/parts/")) == ["FU-2200", "FU-2200-OLD", "PR-3020", "TN-2200"]
    assert numbers(client.get("/api/parts/", {"q": "墨粉"})) == ["TN-2200"]
    assert numbers(client.get("/api/parts/", {"category": "wear"})) == ["FU-2200", "PR-3020"]
    assert numbers(client.get("/api/parts/", {"fits": catalog.lp.pk})) == ["FU-2200", "TN-2200"]
    assert numbers(client.get("/api/parts/", {"active": "false"})) == ["FU-2200-OLD"]
    assert numbers(client.get("/api/parts/", {"ordering": "-number"}))[0] == "TN-2200"
    assert_problem(client.get("/api/parts/", {"category": "gold"}), 400, field="category")
    row = client.get("/api/parts/", {"q": "FU-2200", "active": "true"}).json()["results"][0]
    assert row["category"] == "wear" and row["serialised"] is True and row["unit"] == "piece"
    assert [m["code"] for m in row["fits"]] == ["LP-2200", "MF-3020"]


def test_parts_read_by_cursor_pages(api_client, supervisor, catalog):
    client = api_client(supervisor)
    first = client.get("/api/parts/", {"cursor": "", "page_size": 3}).json()
    assert [r["number"] for r in first["results"]] == ["FU-2200", "FU-2200-OLD", "PR-3020"]
    rest = client.get(first["next"]).json()
    assert [r["number"] for r in rest["results"]] == ["TN-2200"] and rest["next"] is None


def test_r32_part_detail_has_fits_and_substitutes(api_client, supervisor, catalog):
    body = api_client(supervisor).get(f"/api/parts/{catalog.fuser.pk}/").json()
    assert body["number"] == "FU-2200" and body["category_display"] == "Wear part"
    assert [m["code"] for m in body["fits"]] == ["LP-2200", "MF-3020"]
    assert [(s["number"], s["both_ways"], s["note"]) for s in body["substitutes"]] == [
        ("FU-2200-OLD", True, ""),
        ("PR-3020", True, "通用"),
    ]
    body = api_client(supervisor).get(f"/api/parts/{catalog.toner.pk}/").json()
    assert [(s["number"], s["both_ways"]) for s in body["substitutes"]] == [("PR-3020", False)]


@pytest.mark.parametrize("role", [Role.ENGINEER, Role.DEALER_STAFF, Role.CLERK, Role.AGENT])
def test_r37_readers_see_active_parts_only(api_client, make_user, catalog, role):
    client = api_client(make_user(role, username=f"r_{role}"))
    assert numbers(client.get("/api/parts/")) == ["FU-2200", "PR-3020", "TN-2200"]
    assert_problem(client.get(f"/api/parts/{catalog.retired.pk}/"), 404)
    body = client.get(f"/api/parts/{catalog.fuser.pk}/").json()
    assert [s["number"] for s in body["substitutes"]] == ["PR-3020"]


def test_r37_parts_api_refuses_strangers_and_other_roles_and_writes(
    api_client, make_user, supervisor, catalog
):
    assert_problem(APIClient().get("/api/parts/"), 401)
    assert_problem(APIClient().get(f"/api/parts/{catalog.fuser.pk}/"), 401)
    quality = api_client(make_user(Role.QUALITY, username="quality"))
    assert_problem(quality.get("/api/parts/"), 403)
    assert_problem(quality.get(f"/api/parts/{catalog.fuser.pk}/"), 403)
    response = api_client(supervisor).post("/api/parts/", {"number": "X", "name": "X"}, format="json")
    assert response.status_code == 405


def test_parts_endpoints_are_in_the_schema(api_client, agent):
    paths = api_client(agent).get("/api/schema/", {"format": "json"}).json()["paths"]
    assert set(paths["/api/parts/"]) == {"get"} and set(paths["/api/parts/{id}/"]) == {"get"}
    listed = paths["/api/parts/"]["get"]
    assert {"q", "category", "fits", "active", "cursor"} <= {p["name"] for p in listed["parameters"]}
    assert {"401", "403"} <= set(listed["responses"])
    assert {"401", "403", "404"} <= set(paths["/api/parts/{id}/"]["get"]["responses"])
