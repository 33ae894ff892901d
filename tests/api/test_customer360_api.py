"""The customer 360 summary and the device history as JSON (issue 12): `GET
/api/customers/<id>/summary/` and `GET /api/devices/<id>/history/`, scoped (R37), the history a
page at a time with a cursor, both in the OpenAPI schema."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from aftersales.workorders.choices import State
from aftersales.workorders.models import WorkOrder

from .. import factories as f
from ..timeutil import at, frozen

pytestmark = pytest.mark.django_db

NOW = at(2026, 6, 1, 10, 0)


@pytest.fixture(autouse=True)
def _today():
    with frozen(NOW):
        yield


@pytest.fixture
def caller(world):
    customer = f.CustomerFactory(name="广州甲公司", dealer=world.dealer_a)
    customer.addresses.create(province="广东", city="广州", detail="天河路 1 号")
    device = f.DeviceFactory(customer=customer, purchase_date=date(2026, 1, 10))
    mine = f.WorkOrderFactory(customer=customer, device=device, service_point=world.point_a, state=State.NEW)
    theirs = f.WorkOrderFactory(customer=customer, device=device, service_point=world.point_b)
    WorkOrder.objects.filter(pk=mine.pk).update(created_at=NOW - timedelta(days=3))
    WorkOrder.objects.filter(pk=theirs.pk).update(created_at=NOW - timedelta(days=1))
    world.customer, world.device, world.mine, world.theirs = customer, device, mine, theirs
    return world


def _facts(body) -> dict:
    return {fact["key"]: fact["value"] for fact in body["facts"]}


def test_customer_summary_gives_counts_last_contact_and_lists(api_client, agent, caller):
    w = caller
    body = api_client(agent).get(f"/api/customers/{w.customer.pk}/summary/").json()
    assert body["customer"]["name"] == "广州甲公司" and body["addresses"][0]["detail"] == "天河路 1 号"
    facts = _facts(body)
    assert facts["work_orders"] == 2 and facts["open_work_orders"] == 2 and facts["devices"] == 1
    assert facts["complaints"] == 0 and facts["visits"] == 0
    assert body["last_contact_at"].startswith("2026-05-31")
    assert body["lists"]["work_orders"].endswith(f"/api/workorders/?customer={w.customer.pk}")


def test_r37_customer_summary_counts_only_the_dealers_own_work_orders(api_client, caller):
    w = caller
    body = api_client(w.staff_a).get(f"/api/customers/{w.customer.pk}/summary/").json()
    assert _facts(body)["work_orders"] == 1
    assert body["last_contact_at"].startswith("2026-05-29")  # B's later work order is not told
    assert api_client(w.staff_b).get(f"/api/customers/{w.customer.pk}/summary/").status_code == 404


def test_device_history_pages_with_a_cursor(api_client, agent, caller):
    w = caller
    start = timezone.now() - timedelta(days=60)
    for n in range(4):
        order = f.WorkOrderFactory(customer=w.customer, device=w.device, service_point=w.point_a)
        WorkOrder.objects.filter(pk=order.pk).update(created_at=start + timedelta(days=n))
    client = api_client(agent)
    first = client.get(f"/api/devices/{w.device.pk}/history/", {"page_size": 4}).json()
    assert first["warranty"]["state"] == "in" and first["warranty"]["covered_until"] == "2027-01-09"
    assert [row["work_order"] for row in first["results"][:2]] == [w.theirs.number, w.mine.number]
    assert len(first["results"]) == 4 and first["next"]
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 2 and second["next"] is None
    seen = [row["id"] for row in first["results"] + second["results"]]
    assert len(set(seen)) == 6
    assert client.get(f"/api/devices/{w.device.pk}/history/", {"cursor": "x"}).status_code == 400
    assert client.get(f"/api/devices/{w.device.pk}/history/", {"page_size": 0}).status_code == 400


def test_r37_device_history_leaves_out_other_dealers_work_orders(api_client, caller):
    w = caller
    body = api_client(w.staff_a).get(f"/api/devices/{w.device.pk}/history/").json()
    assert [row["work_order"] for row in body["results"]] == [w.mine.number]
    assert api_client(w.staff_b).get(f"/api/devices/{w.device.pk}/history/").status_code == 404


def test_summary_and_history_are_in_the_schema(api_client, agent):
    paths = api_client(agent).get("/api/schema/", {"format": "json"}).json()["paths"]
    assert "200" in paths["/api/customers/{id}/summary/"]["get"]["responses"]
    history = paths["/api/devices/{id}/history/"]["get"]
    assert {p["name"] for p in history["parameters"]} >= {"cursor", "page_size"}
    assert {"200", "400", "404"} <= set(history["responses"])
