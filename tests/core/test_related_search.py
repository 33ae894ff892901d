"""The list's search box at scale (issue 9): a match in a related table (the customer's name or
phone) is read first and handed to the list's query as ids, so every arm of the search is on the
work order's own columns (indexes serve it); with many related matches it stays a subquery."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.core import lists
from tests import factories as f

pytestmark = pytest.mark.django_db
LIST = "/api/workorders/"


@pytest.fixture
def orders():
    star = f.CustomerFactory(name="星辰科技", phone="+8613911112222")
    moon = f.CustomerFactory(name="星月贸易")
    return {
        "star": f.WorkOrderFactory(customer=star, contact_name="李娜"),
        "moon": f.WorkOrderFactory(customer=moon, contact_name="王伟"),
        "other": f.WorkOrderFactory(contact_name="赵强", serial_number="SN星辰001"),
    }


def found(client, q: str) -> tuple[set[str], list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, {"q": q, "page_size": 50})
    assert response.status_code == 200
    return {row["number"] for row in response.json()["results"]}, [query["sql"] for query in queries]


def test_a_customer_match_is_read_first_and_given_as_ids(agent, api_client, orders):
    numbers, statements = found(api_client(agent), "星辰")
    assert numbers == {orders["star"].number, orders["other"].number}  # customer name, serial number
    listed = [
        sql for sql in statements if sql.startswith('SELECT "workorders_workorder"."id"') and "LIMIT" in sql
    ]
    assert listed and all('"customers_customer"."name"' not in sql.rsplit(" WHERE ", 1)[1] for sql in listed)
    assert any(sql.startswith('SELECT "customers_customer"."id"') for sql in statements)


def test_by_the_customer_s_phone_too(agent, api_client, orders):
    numbers, _ = found(api_client(agent), "1111 2222")
    assert numbers == {orders["star"].number}


def test_many_related_matches_stay_a_subquery_with_the_same_answer(agent, api_client, orders, monkeypatch):
    monkeypatch.setattr(lists, "RELATED_SEARCH_LIMIT", 1)
    numbers, statements = found(api_client(agent), "星")
    assert numbers == {orders["star"].number, orders["moon"].number, orders["other"].number}
    assert any(
        '"customer_id" IN (SELECT U0."id" AS "pk" FROM "customers_customer"' in sql for sql in statements
    )


def test_a_whole_work_order_number_is_looked_up_by_itself(agent, api_client, orders):
    number = orders["moon"].number
    numbers, statements = found(api_client(agent), f" {number.lower()} ")
    assert numbers == {number}
    listed = [
        sql for sql in statements if sql.startswith('SELECT "workorders_workorder"."id"') and "LIMIT" in sql
    ]
    assert listed and all(f"\"number\" = '{number}'" in sql and "LIKE" not in sql for sql in listed)
    partial, _ = found(api_client(agent), number[-6:])  # a part of a number is still searched for
    assert number in partial
