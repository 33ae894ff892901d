"""Customer API: phones normalised on the way in and masked on the way out by role (R41),
scoped per dealer (R37), search, constant query count, errors as problems."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.core.models import AccessLog
from aftersales.customers.models import Customer
from tests import factories as f
from tests.conftest import COUNT_GUARD_STATEMENTS

from .helpers import assert_problem

LIST = "/api/customers/"


def test_r41_customer_created_with_normalised_phone(agent, api_client):
    response = api_client(agent).post(
        LIST,
        {"name": "北京华夏印务有限公司", "phone": "010-6234 5678", "contact_name": "刘洋", "city": "北京市"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["phone"] == "010****5678"  # a customer record: masked for every role (R41)
    assert body["code"].startswith("C")
    assert [c["name"] for c in body["contacts"]] == ["刘洋"]
    customer = Customer.objects.get(pk=body["id"])
    assert customer.phone == "+861062345678"


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"name": "甲", "phone": "12345"}, "phone"),
        ({"name": "甲", "phone": "电话"}, "phone"),
        ({"name": "", "phone": "13812345678"}, "name"),
        ({"phone": "13812345678"}, "name"),
        ({"name": "甲"}, "phone"),
        ({"name": "甲", "phone": "13812345678", "kind": "alien"}, "kind"),
        ({"name": "甲", "phone": "13812345678", "email": "nope"}, "email"),
        ({"name": "甲", "phone": "13812345678", "dealer": 99999}, "dealer"),
        ({"name": "甲", "phone": ["13812345678"]}, "phone"),
    ],
)
def test_r41_bad_customer_input_is_400_and_nothing_saved(agent, api_client, payload, field):
    assert_problem(api_client(agent).post(LIST, payload, format="json"), 400, field=field)
    assert not Customer.objects.exists()


def test_duplicate_customer_code_is_400(agent, api_client):
    f.CustomerFactory(code="C-1")
    response = api_client(agent).post(
        LIST, {"name": "乙", "phone": "13812345678", "code": "C-1"}, format="json"
    )
    assert_problem(response, 400, field="code", code="unique")


@pytest.mark.parametrize("role", ["finance", "agent"])
def test_r41_customer_phone_and_street_masked_for_every_role(role, api_client, request):
    user = request.getfixturevalue(role)
    customer = f.CustomerFactory(phone="+8613812341234", address="科技园路1号")
    f.ContactFactory(customer=customer, phone="+8613900001111")
    body = api_client(user).get(f"{LIST}{customer.pk}/").json()
    assert body["phone"] == "138****1234" and body["address"] == "****"
    assert body["contacts"][0]["phone"] == "139****1111"
    assert api_client(user).get(LIST).json()["results"][0]["phone"] == "138****1234"


def test_r41_viewing_a_customer_is_logged(agent, api_client):
    customer = f.CustomerFactory()
    api_client(agent).get(f"{LIST}{customer.pk}/")
    log = AccessLog.objects.get(actor=agent, resource="customer")
    assert log.object_id == str(customer.pk) and log.action == "view" and log.ip_address == "127.0.0.1"


def test_r37_customers_scoped_to_the_dealer(world, api_client):
    mine = f.CustomerFactory(dealer=world.dealer_a)
    theirs = f.CustomerFactory(dealer=world.dealer_b)
    client = api_client(world.staff_a)
    ids = {row["id"] for row in client.get(LIST).json()["results"]}
    assert mine.pk in ids and theirs.pk not in ids
    assert_problem(client.get(f"{LIST}{theirs.pk}/"), 404)
    assert_problem(client.patch(f"{LIST}{theirs.pk}/", {"name": "x"}, format="json"), 404)


def test_r37_dealer_staff_files_customers_under_own_dealer(world, api_client):
    client = api_client(world.staff_a)
    response = client.post(LIST, {"name": "丙", "phone": "13812345678"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["dealer"] == world.dealer_a.pk
    response = client.post(
        LIST, {"name": "丁", "phone": "13812345679", "dealer": world.dealer_b.pk}, format="json"
    )
    assert_problem(response, 400, field="dealer")


def test_customer_search_by_name_code_and_phone(agent, api_client):
    # C00000: its digits would be in every factory phone (+86138000000nn) if a code were read as one.
    wanted = f.CustomerFactory(name="杭州西湖电子", code="C00000", phone="+8613588887777")
    by_contact = f.CustomerFactory(name="宁波港务")
    f.ContactFactory(customer=by_contact, phone="+8613966665555")
    f.CustomerFactory(name="其他公司")
    client = api_client(agent)

    def ids(q: str) -> set[int]:
        return {row["id"] for row in client.get(LIST, {"q": q}).json()["results"]}

    assert ids("西湖") == {wanted.pk}
    assert ids(wanted.code) == {wanted.pk}
    assert ids("8888") == {wanted.pk}
    assert ids("6666") == {by_contact.pk}
    assert_problem(client.get(LIST, {"kind": "alien"}), 400, field="kind")


def test_customer_update_normalises_phone(agent, api_client):
    customer = f.CustomerFactory()
    client = api_client(agent)
    response = client.patch(f"{LIST}{customer.pk}/", {"phone": "139 0000 1234"}, format="json")
    assert response.status_code == 200, response.content
    customer.refresh_from_db()
    assert customer.phone == "+8613900001234"
    assert_problem(client.patch(f"{LIST}{customer.pk}/", {"phone": "1"}, format="json"), 400, field="phone")


def test_customer_write_roles(finance, agent, supervisor, api_client):
    customer = f.CustomerFactory()
    assert_problem(api_client(finance).post(LIST, {"name": "x", "phone": "13812345678"}, format="json"), 403)
    assert_problem(api_client(agent).delete(f"{LIST}{customer.pk}/"), 403)
    assert api_client(supervisor).delete(f"{LIST}{customer.pk}/").status_code == 204


def test_r41_customer_with_work_orders_cannot_be_deleted(supervisor, api_client):
    order = f.WorkOrderFactory()
    body = assert_problem(api_client(supervisor).delete(f"{LIST}{order.customer_id}/"), 409)
    assert body["errors"][0]["code"] == "protected"
    assert Customer.objects.filter(pk=order.customer_id).exists()


def test_customer_list_query_count_does_not_grow_with_rows(agent, api_client):
    client = api_client(agent)

    def make(count: int) -> None:
        for _ in range(count):
            f.ContactFactory(customer=f.CustomerFactory())

    make(3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).json()["count"] == 3
    make(27)
    with CaptureQueriesContext(connection) as many:
        assert client.get(LIST).json()["count"] == 30
    assert len(many) == len(few)
    assert len(many) <= 4 + COUNT_GUARD_STATEMENTS
