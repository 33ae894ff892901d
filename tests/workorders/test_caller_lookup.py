"""Intake (issue 12, R2): once the caller's phone or the device's serial number is recognised, the
caller's open and recent work orders and the device's history appear beside the form, and an open
work order on the same device is offered instead of a duplicate (a note on it); the same lookup
as JSON (`GET /api/workorders/intake-lookup/`), scoped (R37), at a cost that does not grow with
the caller's work orders."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aftersales.accounts.choices import Role
from aftersales.workorders.choices import State

from .. import factories as f
from ..timeutil import at, frozen

pytestmark = pytest.mark.django_db

URL = "/workorders/lookup/caller/"
API = "/api/workorders/intake-lookup/"


@pytest.fixture(autouse=True)
def _today():
    with frozen(at(2026, 6, 1, 10, 0)):
        yield


@pytest.fixture
def caller(world):
    customer = f.CustomerFactory(name="广州甲公司", dealer=world.dealer_a, phone="+8613812341234")
    f.ContactFactory(customer=customer, name="王工", phone="+8613911112222")
    device = f.DeviceFactory(customer=customer, serial_number="SNDUP001")
    open_order = f.WorkOrderFactory(
        customer=customer, device=device, service_point=world.point_a, state=State.ASSIGNED
    )
    done = f.WorkOrderFactory(customer=customer, service_point=world.point_a, state=State.CLOSED)
    elsewhere = f.WorkOrderFactory(customer=customer, service_point=world.point_b, state=State.NEW)
    world.customer, world.device = customer, device
    world.open_order, world.done, world.elsewhere = open_order, done, elsewhere
    return world


def test_r2_a_known_phone_shows_the_callers_open_and_recent_work_orders(client, agent, caller):
    w = caller
    client.force_login(agent)
    html = client.get(URL, {"contact_phone": "139 1111 2222"}).content.decode()
    assert 'data-testid="caller-customer"' in html and "广州甲公司" in html
    assert f'data-testid="caller-open-workorder" data-number="{w.open_order.number}"' in html
    assert f'data-testid="caller-open-workorder" data-number="{w.elsewhere.number}"' in html
    assert f'data-testid="caller-recent-workorder" data-number="{w.done.number}"' in html
    assert 'data-testid="caller-duplicate"' not in html  # no device named yet


def test_r2_a_known_serial_offers_a_note_on_the_open_work_order_instead(client, agent, caller):
    w = caller
    client.force_login(agent)
    html = client.get(URL, {"serial_number": "sndup001"}).content.decode()
    assert f'data-testid="caller-duplicate" data-number="{w.open_order.number}"' in html
    assert f"This device already has an open work order {w.open_order.number}" in html
    assert f'href="/workorders/{w.open_order.pk}/?tab=overview#notes"' in html
    assert f'data-testid="caller-device" data-id="{w.device.pk}"' in html
    assert 'data-testid="caller-device-history" data-kind="workorder"' in html


def test_r37_dealer_staff_see_only_their_points_work_orders(client, caller):
    w = caller
    client.force_login(w.staff_a)
    html = client.get(URL, {"contact_phone": "13812341234"}).content.decode()
    assert w.open_order.number in html and w.elsewhere.number not in html
    client.force_login(w.staff_b)  # the customer is dealer A's: B's staff are not told of it
    html = client.get(URL, {"contact_phone": "13812341234", "serial_number": "SNDUP001"}).content.decode()
    assert "广州甲公司" not in html and w.open_order.number not in html
    assert w.elsewhere.number in html  # the work order at B's own point, on the same phone


def test_an_unknown_or_partial_phone_shows_nothing(client, agent, caller):
    client.force_login(agent)
    html = client.get(URL, {"contact_phone": "138"}).content.decode()
    assert 'data-recognised="0"' in html and "caller-open-workorder" not in html


def test_roles_that_take_no_requests_may_not_look_up(client, make_user, caller):
    client.force_login(make_user(Role.FINANCE, username="fin"))
    assert client.get(URL, {"contact_phone": "13812341234"}).status_code == 403


def test_the_intake_page_has_the_panel_beside_the_form(client, agent):
    client.force_login(agent)
    html = client.get(reverse("workorders:intake")).content.decode()
    assert 'data-testid="caller-panel"' in html and f'hx-get="{URL}"' in html


def test_the_lookup_cost_does_not_grow_with_the_callers_work_orders(
    client, agent, caller, django_assert_max_num_queries
):
    w = caller
    client.force_login(agent)
    params = {"contact_phone": "13812341234", "serial_number": "SNDUP001"}
    with django_assert_max_num_queries(30) as few:
        client.get(URL, params)
    baseline = len(few.captured_queries)
    for _n in range(20):
        f.WorkOrderFactory(customer=w.customer, device=w.device, service_point=w.point_a, state=State.NEW)
    with django_assert_max_num_queries(baseline):
        html = client.get(URL, params).content.decode()
    assert html.count('data-testid="caller-open-workorder"') == 10


def test_api_gives_the_same_lookup(api_client, agent, caller):
    w = caller
    body = api_client(agent).get(API, {"phone": "13911112222", "serial": "SNDUP001"}).json()
    assert body["recognised"] is True and body["phone"] == "+8613911112222"
    assert [c["name"] for c in body["customers"]] == ["广州甲公司"]
    assert w.open_order.number in [wo["number"] for wo in body["open_work_orders"]]
    assert [wo["number"] for wo in body["duplicates"]] == [w.open_order.number]
    assert body["devices"][0]["serial_number"] == "SNDUP001"
    assert body["device_history"][0]["kind"] == "workorder"


def test_r37_api_lookup_is_scoped_and_for_front_line_roles(api_client, make_user, caller):
    w = caller
    body = api_client(w.staff_b).get(API, {"phone": "13812341234"}).json()
    assert body["customers"] == [] and [wo["number"] for wo in body["open_work_orders"]] == [
        w.elsewhere.number
    ]
    response = api_client(make_user(Role.FINANCE, username="fin")).get(API, {"phone": "13812341234"})
    assert response.status_code == 403 and response["Content-Type"].startswith("application/problem+json")


def test_api_lookup_is_in_the_schema(api_client, agent):
    paths = api_client(agent).get("/api/schema/", {"format": "json"}).json()["paths"]
    operation = paths[API]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"phone", "serial", "customer", "device"}
    assert "200" in operation["responses"] and "403" in operation["responses"]
