"""The API refuses what its schema forbids instead of guessing (issue 13, found by Schemathesis):
a boolean filter took `?active=maybe` for "either", a one-value filter given twice kept the last,
a page number beside a cursor was ignored, a text input took a number, a decimal a boolean."""

from __future__ import annotations

import pytest

from aftersales.accounts.choices import Role
from aftersales.core.models import SavedFilter
from tests import factories as f

from .helpers import assert_problem

PARTS = "/api/parts/"


@pytest.fixture
def admin(make_user):
    """Who sees inactive parts too (the others see the active ones only)."""
    return make_user(Role.HQ_ADMIN)


@pytest.fixture
def parts(db):
    return f.PartFactory(number="FU-ON", is_active=True), f.PartFactory(number="FU-OFF", is_active=False)


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(row["number"] for row in response.json()["results"])


@pytest.mark.parametrize(
    "value, expected",
    [("true", ["FU-ON"]), ("false", ["FU-OFF"]), ("", ["FU-OFF", "FU-ON"])],
)
def test_a_boolean_filter_reads_true_false_and_empty(admin, api_client, parts, value, expected):
    assert numbers(api_client(admin).get(PARTS, {"active": value})) == expected


@pytest.mark.parametrize("value", ["maybe", "yes please", "2.5", "2", "1"])
def test_a_boolean_filter_refuses_what_it_cannot_read(admin, api_client, parts, value):
    assert_problem(api_client(admin).get(PARTS, {"active": value}), 400, field="active", code="invalid")


def test_the_list_page_still_reads_an_unknown_boolean_as_all(admin, client, parts):
    """The page's form keeps django-filter's reading: its select offers "all" as no value."""
    client.force_login(admin)
    response = client.get("/catalog/parts/", {"active": "maybe"})
    assert response.status_code == 200
    assert {row.number for row in response.context["rows"]} == {"FU-ON", "FU-OFF"}


def test_a_one_value_filter_given_twice_is_refused(admin, api_client, parts):
    response = api_client(admin).get(f"{PARTS}?active=true&active=false")
    assert_problem(response, 400, field="active", code="invalid")


def test_a_several_value_filter_takes_them_all(agent, api_client):
    orders = [f.WorkOrderFactory(state="new"), f.WorkOrderFactory(state="accepted")]
    response = api_client(agent).get("/api/workorders/?state=new&state=accepted")
    assert response.status_code == 200, response.content
    assert {row["id"] for row in response.json()["results"]} == {order.pk for order in orders}


def test_a_page_number_with_a_cursor_is_refused(agent, api_client):
    response = api_client(agent).get("/api/workorders/?cursor=&page=2")
    assert_problem(response, 400, field="page", code="cursor_with_page")


def test_text_given_as_a_number_is_refused_and_nothing_saved(agent, api_client):
    response = api_client(agent).post(
        "/api/saved-filters/", {"list_key": "workorders", "name": 7, "query": ""}, format="json"
    )
    assert_problem(response, 400, field="name", code="invalid")
    assert not SavedFilter.objects.exists()


@pytest.mark.parametrize(
    "amount, accepted", [("12.50", True), (12, True), (12.5, True), (True, False), ("12.5.0", False)]
)
def test_a_decimal_is_text_or_a_number_never_a_boolean(api_client, world, amount, accepted):
    """DRF reads `true` as 1: an amount of one yuan nobody typed."""
    response = api_client(world.staff_a).post(
        "/api/fee-schedules/",
        {
            "code": "FS-T",
            "name": "测试收费标准",
            "effective_from": "2026-01-01",
            "standards": [{"kind": "visit", "amount": amount}],
        },
        format="json",
    )
    if accepted:
        assert response.status_code == 201, response.content
    else:
        assert_problem(response, 400, code="invalid")


def test_the_schema_says_a_decimal_input_is_text_or_a_number_with_its_places(agent, api_client):
    schema = api_client(agent).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    amount = schema["components"]["schemas"]["FeeStandardInputRequest"]["properties"]["amount"]
    text, number = amount["oneOf"]
    assert text["type"] == "string" and text["pattern"].startswith("^")
    assert number["type"] == "number" and number["minimum"] == 0 and number["multipleOf"] == 0.01


@pytest.mark.parametrize("query", ["ordering=-balance", "ordering=-balance&cursor="])
def test_a_list_sorted_by_its_filtersets_key_is_sorted_once(world, finance, api_client, query):
    """The dealer accounts' `balance` is the FilterSet's sort key (the account's balance); DRF's
    ordering sorted again by that name, no column of a dealer: a 500."""
    response = api_client(finance).get(f"/api/dealer-accounts/?{query}")
    assert response.status_code == 200, response.content
    assert {row["id"] for row in response.json()["results"]} >= {world.dealer_a.pk, world.dealer_b.pk}
