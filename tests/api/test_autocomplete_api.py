"""`/api/autocomplete/<lookup>/` (issue 9): the filters' choices of large sets, on demand. Scoped
like the lists (R37), searched by name, code or phone, at most 20 rows, the labels of chosen ids,
and a query count that does not grow with the set."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from aftersales.accounts.choices import Role
from aftersales.accounts.models import User
from aftersales.core.autocomplete import AUTOCOMPLETE_LIMIT

from .. import factories as f
from .helpers import assert_problem

pytestmark = pytest.mark.django_db

ENGINEERS = "/api/autocomplete/engineers/"
POINTS = "/api/autocomplete/service-points/"
CUSTOMERS = "/api/autocomplete/customers/"
DEALERS = "/api/autocomplete/dealers/"


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_r37_dealer_staff_only_get_their_own_dealers_rows(api_client, world):
    # Given a customer of each dealer
    customer_a = f.CustomerFactory(dealer=world.dealer_a)
    customer_b = f.CustomerFactory(dealer=world.dealer_b)
    # When dealer A's staff ask for any engineer, point, customer or dealer
    client = api_client(world.staff_a)
    # Then only dealer A's come back, whatever they type
    assert ids(client.get(ENGINEERS)) == [world.engineer_a.pk]
    assert ids(client.get(POINTS)) == [world.point_a.pk]
    assert ids(client.get(CUSTOMERS)) == [customer_a.pk]
    assert ids(client.get(DEALERS)) == [world.dealer_a.pk]
    assert ids(client.get(ENGINEERS, {"q": world.engineer_b.employee_no})) == []
    assert ids(client.get(CUSTOMERS, {"q": customer_b.code})) == []
    # and asking for the other dealer's ids does not reveal their labels
    assert ids(client.get(ENGINEERS, {"ids": f"{world.engineer_b.pk},{world.engineer_a.pk}"})) == [
        world.engineer_a.pk
    ]
    assert ids(client.get(CUSTOMERS, {"ids": str(customer_b.pk)})) == []


def test_r37_an_engineer_gets_their_service_point(api_client, world):
    client = api_client(world.engineer_a.user)
    assert ids(client.get(ENGINEERS)) == [world.engineer_a.pk]
    assert ids(client.get(POINTS)) == [world.point_a.pk]


def test_company_roles_get_every_active_row(api_client, agent, world):
    f.EngineerFactory(service_point=world.point_a, is_active=False)
    client = api_client(agent)
    assert sorted(ids(client.get(ENGINEERS))) == sorted([world.engineer_a.pk, world.engineer_b.pk])
    assert sorted(ids(client.get(DEALERS))) == sorted([world.dealer_a.pk, world.dealer_b.pk])


def test_search_by_name_code_and_phone(api_client, agent, world):
    engineer = f.EngineerFactory(
        service_point=world.point_a,
        employee_no="E7788",
        user=f.UserFactory(role=Role.ENGINEER, last_name="欧阳", first_name="明", phone="+8613600001234"),
    )
    customer = f.CustomerFactory(name="苏州东方精工有限公司", code="C77001", phone="+8618900005678")
    by_contact = f.ContactFactory(phone="+8613300009999").customer
    client = api_client(agent)
    for text in ("欧阳明", "阳明", "e7788", "13600001234", "0001234"):
        assert ids(client.get(ENGINEERS, {"q": text})) == [engineer.pk], text
    for text in ("东方精工", "c77001", "18900005678"):
        assert ids(client.get(CUSTOMERS, {"q": text})) == [customer.pk], text
    assert ids(client.get(CUSTOMERS, {"q": "13300009999"})) == [by_contact.pk]
    assert ids(client.get(POINTS, {"q": world.point_b.code})) == [world.point_b.pk]


def test_results_are_labelled_ordered_and_limited(api_client, agent, world):
    for n in range(AUTOCOMPLETE_LIMIT + 5):
        f.CustomerFactory(name=f"测试客户{n:02d}")
    client = api_client(agent)
    body = client.get(CUSTOMERS, {"q": "测试客户"}).json()
    assert len(body["results"]) == AUTOCOMPLETE_LIMIT and body["more"] is True
    labels = [row["label"] for row in body["results"]]
    assert labels == sorted(labels) and labels[0] == "测试客户00"
    assert set(body["results"][0]) == {"id", "label", "detail"}
    small = client.get(CUSTOMERS, {"q": "测试客户", "limit": 5}).json()
    assert len(small["results"]) == 5 and small["more"] is True
    engineer = client.get(ENGINEERS, {"ids": str(world.engineer_a.pk)}).json()["results"][0]
    assert engineer == {
        "id": world.engineer_a.pk,
        "label": world.engineer_a.user.display_name,
        "detail": f"{world.engineer_a.employee_no} · {world.point_a.name}",
    }


def test_labels_of_chosen_ids_in_their_order(api_client, agent, world):
    client = api_client(agent)
    response = client.get(POINTS, {"ids": f"{world.point_b.pk},{world.point_a.pk},999999"})
    assert ids(response) == [world.point_b.pk, world.point_a.pk]
    assert [row["label"] for row in response.json()["results"]] == [world.point_b.name, world.point_a.name]
    assert response.json()["more"] is False


def test_bad_input_is_a_problem(api_client, agent):
    client = api_client(agent)
    assert_problem(client.get(ENGINEERS, {"ids": "1,abc"}), 400, field="ids", code="invalid")
    assert_problem(client.get(ENGINEERS, {"ids": ",".join(str(n) for n in range(1, 60))}), 400, field="ids")
    assert_problem(client.get(ENGINEERS, {"limit": AUTOCOMPLETE_LIMIT + 1}), 400, field="limit")
    assert_problem(client.get(ENGINEERS, {"limit": 0}), 400, field="limit")


def test_anonymous_callers_get_401(world):
    client = APIClient()
    for url in (ENGINEERS, POINTS, CUSTOMERS, DEALERS):
        assert_problem(client.get(url), 401)


def test_the_page_widget_calls_it_with_the_session(client, agent, world):
    client.force_login(agent)
    response = client.get(
        ENGINEERS, {"q": world.engineer_b.employee_no}, headers={"Accept": "application/json"}
    )
    assert ids(response) == [world.engineer_b.pk]


def test_query_count_does_not_grow_with_the_set(api_client, world):
    def queries(url: str, params: dict) -> int:
        client = api_client(User.objects.get(pk=world.staff_a.pk))  # nothing cached on the user
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, params).status_code == 200
        return len(captured)

    urls = [(ENGINEERS, {"q": "王"}), (POINTS, {}), (CUSTOMERS, {"q": "上海"}), (CUSTOMERS, {"ids": "1,2,3"})]
    f.CustomerFactory(dealer=world.dealer_a)
    few = [queries(url, params) for url, params in urls]
    for _ in range(40):
        f.EngineerFactory(service_point=world.point_a)
        f.CustomerFactory(dealer=world.dealer_a)
    for _ in range(10):
        f.ServicePointFactory(dealer=world.dealer_a)
    many = [queries(url, params) for url, params in urls]
    assert many == few
    assert max(many) <= 2  # (authentication is forced) the user's engineer record, the rows


def test_the_schema_documents_the_endpoints(api_client, agent):
    schema = api_client(agent).get("/api/schema/", {"format": "json"}).json()
    for url in (ENGINEERS, POINTS, CUSTOMERS, DEALERS):
        operation = schema["paths"][url]["get"]
        assert {p["name"] for p in operation["parameters"]} >= {"q", "ids", "limit"}
        assert {"200", "400", "401"} <= set(operation["responses"])
    result = schema["components"]["schemas"]["AutocompleteResult"]
    assert set(result["properties"]) == {"results", "more"}
