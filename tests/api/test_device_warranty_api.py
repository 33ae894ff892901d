"""A device's warranty status over the API (R36, R35): `GET /api/devices/<id>/warranty/?day=` decides
it with the same entitlement as a work order's (`/api/warranty/<work order id>/`) and the device
page: the product model's policy from the date cover runs from, extended by a service contract in
force; scoped to the devices the user may see (R37)."""

from __future__ import annotations

from datetime import date

import pytest

from aftersales.devices.models import WarrantyPolicy
from tests import factories as f

from .helpers import assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def device():
    # bought 1 March 2026; the product model's standard 12 months: in warranty until 28 Feb 2027
    return f.DeviceFactory(purchase_date=date(2026, 3, 1))


def warranty(api, device, day: str | None = None):
    return api.get(f"/api/devices/{device.pk}/warranty/", {"day": day} if day else {})


def lines(body) -> dict[str, tuple[bool, str]]:
    return {
        f"{line['kind']}:{line['part_category']}".rstrip(":"): (line["covered"], line["payer"])
        for line in body["lines"]
    }


def test_r36_in_warranty_line_by_line(agent, api_client, device):
    body = warranty(api_client(agent), device, "2026-09-01").json()
    assert body["state"] == "in" and body["in_warranty"] is True
    assert body["day"] == "2026-09-01" and body["start_basis"] == "purchase"
    assert (body["start"], body["until"], body["covered_until"]) == ("2026-03-01", "2027-02-28", "2027-02-28")
    assert body["policy"] is None and body["contract"] is None
    assert "2027-02-28" in body["reason"]
    covered = lines(body)
    assert covered["labour"] == (True, "manufacturer") and covered["part:normal"] == (True, "manufacturer")
    assert covered["travel"] == (False, "customer") and covered["part:wear"] == (False, "customer")


def test_r36_out_of_warranty_everything_is_charged(agent, api_client, device):
    body = warranty(api_client(agent), device, "2027-03-01").json()
    assert body["state"] == "out" and body["in_warranty"] is False and body["until"] == "2027-02-28"
    assert {payer for _covered, payer in lines(body).values()} == {"customer"}
    assert "ended on 2027-02-28" in body["reason"]


def test_r36_a_policy_of_the_model_counts_its_months(agent, api_client, device):
    policy = WarrantyPolicy.objects.create(name="激光机两年保", product_model=device.product_model, months=24)
    body = warranty(api_client(agent), device, "2027-06-01").json()
    assert body["state"] == "in" and body["until"] == "2028-02-29"
    assert body["policy"] == {"id": policy.pk, "name": "激光机两年保"}


def test_r35_a_service_contract_covers_after_the_warranty(agent, api_client, device):
    contract = f.ServiceContractFactory(customer=device.customer, devices=[device])  # all of 2027
    body = warranty(api_client(agent), device, "2027-06-01").json()
    assert body["state"] == "contract" and body["in_warranty"] is False
    assert body["contract"] == {"id": contract.pk, "name": contract.number}
    assert body["covered_until"] == "2027-12-31" and lines(body)["labour"] == (True, "contract")


def test_r36_unknown_without_a_date_to_count_from_and_today_by_default(agent, api_client):
    undated = f.DeviceFactory(purchase_date=None)
    response = warranty(api_client(agent), undated)
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "unknown" and body["until"] is None and body["start"] is None
    assert body["day"]  # today
    assert_problem(warranty(api_client(agent), undated, "not-a-day"), 400, field="day")


def test_r37_another_dealers_device_is_404(world, api_client):
    ours = f.DeviceFactory(customer=f.CustomerFactory(dealer=world.dealer_a))
    assert api_client(world.staff_a).get(f"/api/devices/{ours.pk}/warranty/").status_code == 200
    assert_problem(api_client(world.staff_b).get(f"/api/devices/{ours.pk}/warranty/"), 404)
    assert_problem(api_client(world.staff_b).get("/api/devices/999999/warranty/"), 404)
