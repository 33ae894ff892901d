"""Catalog API: readable by all staff, written by HQ admins and supervisors only (R37)."""

from __future__ import annotations

import pytest

from aftersales.catalog.models import ProductLine, ProductModel
from aftersales.core.models import ChangeRecord
from tests import factories as f

from .helpers import assert_problem


def test_r37_every_staff_role_reads_the_catalog(finance, api_client):
    model = f.ProductModelFactory(code="LJ-1")
    body = api_client(finance).get("/api/product-models/").json()
    assert [row["code"] for row in body["results"]] == ["LJ-1"]
    assert body["results"][0]["product_line"] == model.product_line_id
    assert api_client(finance).get("/api/product-lines/").json()["count"] == 1


@pytest.mark.parametrize("role_fixture", ["agent", "finance", "dispatcher"])
def test_r37_only_hq_and_supervisors_write_the_catalog(request, api_client, role_fixture):
    user = request.getfixturevalue(role_fixture)
    assert_problem(
        api_client(user).post("/api/product-lines/", {"code": "X", "name": "X"}, format="json"), 403
    )
    assert not ProductLine.objects.exists()


def test_supervisor_creates_and_edits_product_models(supervisor, api_client):
    client = api_client(supervisor)
    line = client.post("/api/product-lines/", {"code": "PRN", "name": "打印机"}, format="json")
    assert line.status_code == 201, line.content
    response = client.post(
        "/api/product-models/",
        {"product_line": line.json()["id"], "code": "M1005", "name": "激光一体机", "warranty_months": 24},
        format="json",
    )
    assert response.status_code == 201, response.content
    model_id = response.json()["id"]
    response = client.patch(f"/api/product-models/{model_id}/", {"is_active": False}, format="json")
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert ProductModel.objects.get(pk=model_id).warranty_months == 24


def test_reference_data_edits_are_in_the_history(supervisor, api_client):
    model = f.ProductModelFactory(code="LJ-9", warranty_months=12)
    response = api_client(supervisor).patch(
        f"/api/product-models/{model.pk}/", {"warranty_months": 24, "code": "LJ-9"}, format="json"
    )
    assert response.status_code == 200, response.content
    rows = ChangeRecord.objects.filter(object_id=model.pk, content_type__model="productmodel")
    assert [(row.field, row.old_value, row.new_value, row.actor) for row in rows] == [
        ("warranty_months", "12", "24", supervisor)
    ]


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"code": "M1", "name": "x", "product_line": 99999}, "product_line"),
        ({"code": "M1", "name": "x", "product_line": "LINE", "warranty_months": -1}, "warranty_months"),
        ({"code": "M1", "name": "x", "product_line": "LINE", "kind": "robot"}, "kind"),
        ({"code": "DUP", "name": "x", "product_line": "LINE"}, "code"),
    ],
)
def test_bad_catalog_input_is_400(supervisor, api_client, payload, field):
    line = f.ProductLineFactory()
    f.ProductModelFactory(code="DUP", product_line=line)
    if payload.get("product_line") == "LINE":
        payload = {**payload, "product_line": line.pk}
    assert_problem(
        api_client(supervisor).post("/api/product-models/", payload, format="json"), 400, field=field
    )


def test_product_line_in_use_cannot_be_deleted(supervisor, api_client):
    model = f.ProductModelFactory()
    response = api_client(supervisor).delete(f"/api/product-lines/{model.product_line_id}/")
    assert_problem(response, 409, code="protected")


def test_catalog_search(agent, api_client):
    f.ProductModelFactory(code="LJ-9", name="激光打印机")
    f.ProductModelFactory(code="INK-1", name="墨盒")
    rows = api_client(agent).get("/api/product-models/", {"q": "墨"}).json()["results"]
    assert [row["code"] for row in rows] == ["INK-1"]
