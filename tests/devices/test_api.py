"""R35 API: service contracts listed (scoped, R37) and read, sold (create), one POST per
transition (activate, cancel), maintenance plans listed and added, the history; errors as JSON
problems with stable codes; everything in the OpenAPI schema."""

from __future__ import annotations

from datetime import date

import pytest

from aftersales.accounts.choices import Role
from aftersales.devices.models import ServiceContract

from .. import factories as f

pytestmark = pytest.mark.django_db


def payload(device, **extra):
    return {
        "customer": device.customer_id,
        "devices": [device.pk],
        "kind": "maintenance",
        "starts_on": "2026-06-01",
        "ends_on": "2027-05-31",
        "price": "2400.50",
        "visits_included": 4,
        **extra,
    }


def test_r35_a_clerk_sells_activates_and_plans_a_contract(api_client, seller, device):
    api = api_client(seller)
    created = api.post("/api/contracts/", payload(device, covers_wear_parts=True), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["number"].startswith("HT") and body["state"] == "draft" and body["price"] == "2400.50"
    assert body["devices"] == [{"id": device.pk, "name": str(device)}] and body["covers_wear_parts"] is True
    assert set(body["available_actions"]) == {"activate", "cancel"}
    pk = body["id"]

    active = api.post(f"/api/contracts/{pk}/activate/", {}, format="json")
    assert active.status_code == 200 and active.json()["state"] == "active"
    again = api.post(f"/api/contracts/{pk}/activate/", {}, format="json")
    assert again.status_code == 409 and again.json()["errors"][0]["code"] == "transition_not_allowed"

    plan = api.post(
        f"/api/contracts/{pk}/plans/", {"every_n_months": 3, "first_due_on": "2026-07-15"}, format="json"
    )
    assert plan.status_code == 201, plan.content
    assert plan.json()["lead_days"] == 7 and plan.json()["shift"] == "earlier"
    plans = api.get(f"/api/contracts/{pk}/plans/").json()
    assert [p["every_n_months"] for p in plans] == [3]

    outside = api.post(
        f"/api/contracts/{pk}/plans/", {"every_n_months": 3, "first_due_on": "2028-01-01"}, format="json"
    )
    assert outside.status_code == 400 and outside.json()["errors"][0]["field"] == "first_due_on"

    no_reason = api.post(f"/api/contracts/{pk}/cancel/", {}, format="json")
    assert no_reason.status_code == 400 and no_reason.json()["errors"][0]["field"] == "reason"
    cancelled = api.post(f"/api/contracts/{pk}/cancel/", {"reason": "客户撤回"}, format="json")
    assert cancelled.status_code == 200 and cancelled.json()["cancel_reason"] == "客户撤回"
    closed = api.post(
        f"/api/contracts/{pk}/plans/", {"every_n_months": 3, "first_due_on": "2026-07-15"}, format="json"
    )
    assert closed.status_code == 409 and closed.json()["errors"][0]["code"] == "contract_closed"

    history = api.get(f"/api/contracts/{pk}/history/").json()
    assert [h["action"] for h in history] == ["create", "activate", "plan_create", "cancel"]
    assert history[0]["text"] and history[-1]["note"] == "客户撤回"


def test_r35_selling_is_refused_with_the_field_at_fault(api_client, seller, device, model):
    api = api_client(seller)
    stranger = f.DeviceFactory(product_model=model)
    cases = [
        (payload(device, devices=[]), "devices"),
        (payload(device, ends_on="2026-05-01"), "ends_on"),
        (payload(device, price="-5"), "price"),
        (payload(device, price=12.5), None),  # a JSON number is read as a Decimal, never a float
        (payload(device, devices=[device.pk, stranger.pk]), "devices"),
        (payload(device, state="active"), "state"),
    ]
    for data, field in cases:
        response = api.post("/api/contracts/", data, format="json")
        if field is None:
            assert response.status_code == 201 and response.json()["price"] == "12.50"
            continue
        assert response.status_code == 400, (data, response.content)
        assert response.json()["errors"][0]["field"] == field
    extended = api.post("/api/contracts/", payload(device, kind="extended_warranty"), format="json").json()
    refused = api.post(
        f"/api/contracts/{extended['id']}/plans/",
        {"every_n_months": 3, "first_due_on": "2026-07-15"},
        format="json",
    )
    assert refused.status_code == 400 and refused.json()["errors"][0]["code"] == "plan_not_allowed"


@pytest.mark.parametrize("role", [Role.ENGINEER, Role.AGENT, Role.DISPATCHER])
def test_r35_r37_front_line_reads_contracts_but_does_not_sell(api_client, make_user, sell, device, role):
    contract = sell()
    if role == Role.ENGINEER:  # an HQ engineer: sees the customers HQ serves (R37)
        user = f.EngineerFactory(
            service_point=f.ServicePointFactory(dealer=None), user__username="hq_eng"
        ).user
    else:
        user = make_user(role)
    api = api_client(user)
    listed = api.get("/api/contracts/")
    assert listed.status_code == 200 and [c["number"] for c in listed.json()["results"]] == [contract.number]
    detail = api.get(f"/api/contracts/{contract.pk}/").json()
    assert detail["available_actions"] == []
    assert api.post("/api/contracts/", payload(device), format="json").status_code == 403
    cancel = api.post(f"/api/contracts/{contract.pk}/cancel/", {"reason": "x"}, format="json")
    assert cancel.status_code == 403 and cancel.json()["errors"][0]["code"] == "permission_denied"
    plan = api.post(
        f"/api/contracts/{contract.pk}/plans/",
        {"every_n_months": 3, "first_due_on": "2026-07-15"},
        format="json",
    )
    assert plan.status_code == 403


def test_r35_r37_dealer_staff_see_their_customers_contracts_only(api_client, world, model, seller):
    from aftersales.devices.services import contract_create

    mine = f.CustomerFactory(dealer=world.dealer_a)
    theirs = f.CustomerFactory(dealer=world.dealer_b)
    contracts = {}
    for customer in (mine, theirs):
        device = f.DeviceFactory(product_model=model, customer=customer)
        contracts[customer.pk] = contract_create(
            customer=customer,
            devices=[device],
            kind="extended_warranty",
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31),
            price="100",
            actor=seller,
        )
    api = api_client(world.staff_a)
    numbers = [c["number"] for c in api.get("/api/contracts/").json()["results"]]
    assert numbers == [contracts[mine.pk].number]
    assert api.get(f"/api/contracts/{contracts[theirs.pk].pk}/").status_code == 404
    assert api.get("/api/contracts/nope/").status_code == 404


def test_r35_the_list_filters_like_the_page(api_client, seller, sell, device, model, customer):
    active = sell()
    draft = sell(activate=False, kind="maintenance")
    other = f.DeviceFactory(product_model=model, customer=customer, serial_number="ZX9001")
    sell(devices=[other], kind="bundle")
    api = api_client(seller)

    def numbers(**query) -> set[str]:
        return {c["number"] for c in api.get("/api/contracts/", query).json()["results"]}

    assert numbers(state="draft") == {draft.number}
    assert numbers(kind="extended_warranty") == {active.number}
    assert len(numbers(q="zx90")) == 1 and numbers(device=device.pk) == {active.number, draft.number}
    assert numbers(q=active.number) == {active.number}
    assert ServiceContract.objects.count() == 3


def test_r35_the_entitlement_api_names_the_contract(api_client, seller, order, sell):
    contract = sell()
    body = api_client(seller).get(f"/api/warranty/{order.pk}/", {"day": "2026-06-01"}).json()
    assert body["state"] == "in" and body["until"] == "2025-03-31" and body["covered_until"] == "2027-03-31"
    assert body["contract"] == {"id": contract.pk, "name": contract.number}
    labour = next(x for x in body["lines"] if x["kind"] == "labour")
    assert labour["payer"] == "contract" and labour["covered"] is True
    after = api_client(seller).get(f"/api/warranty/{order.pk}/", {"day": "2027-04-01"}).json()
    assert after["state"] == "out" and after["contract"] is None


def test_r35_the_schema_has_the_contract_endpoints_with_their_errors(api_client, seller):
    paths = api_client(seller).get("/api/schema/", {"format": "json"}).json()["paths"]
    for path in (
        "/api/contracts/",
        "/api/contracts/{id}/",
        "/api/contracts/{id}/plans/",
        "/api/contracts/{id}/history/",
    ):
        assert path in paths, path
    for action in ("activate", "cancel"):
        responses = paths[f"/api/contracts/{{id}}/{action}/"]["post"]["responses"]
        assert {"200", "400", "403", "404", "409"} <= set(responses)
    assert "/api/contracts/{id}/expire/" not in paths  # the daily job's own transition
    assert {"400", "403"} <= set(paths["/api/contracts/"]["post"]["responses"])
    assert "409" in paths["/api/contracts/{id}/plans/"]["post"]["responses"]


def test_r35_the_list_takes_a_fixed_number_of_queries(api_client, seller, sell, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = api_client(seller)
    client.force_login(seller)

    def counts() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as api_queries:
            assert api.get("/api/contracts/").status_code == 200
        with CaptureQueriesContext(connection) as page_queries:
            assert client.get("/devices/contracts/").status_code == 200
        return len(api_queries), len(page_queries)

    sell()
    few = counts()
    for _ in range(3):
        sell(activate=False)
    assert counts() == few
