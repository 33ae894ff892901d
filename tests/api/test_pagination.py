"""Pagination of the list APIs (issue 9): keyset pages (`?cursor=`) that cost the same at any
depth and see every row exactly once, whatever the sort and with ties; numbered pages whose count
stops being exact past a threshold and says so."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.core import lists
from aftersales.workorders.choices import Priority
from aftersales.workorders.models import WorkOrder
from tests import factories as f
from tests.conftest import uses_postgres

from ..timeutil import at
from .helpers import assert_problem

LIST = "/api/workorders/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def orders():
    """17 work orders, in pairs created at the same instant (ties on the default sort), with two
    customers and two priorities repeating (ties on the other sorts)."""
    customers = [f.CustomerFactory(name="甲公司"), f.CustomerFactory(name="乙公司")]
    rows = []
    for index in range(17):
        rows.append(
            f.WorkOrderFactory(
                customer=customers[index % 2],
                priority=Priority.URGENT if index % 3 == 0 else Priority.NORMAL,
            )
        )
    for index, row in enumerate(rows):
        WorkOrder.objects.filter(pk=row.pk).update(
            created_at=at(2027, 3, 1, 9) + timedelta(minutes=index // 2)
        )
    return rows


def walk(client, params: dict) -> list[int]:
    """Every id, following `next` from the first cursor page."""
    seen: list[int] = []
    response = client.get(LIST, {**params, "cursor": "", "page_size": 4})
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["count"] is None and body["previous"] is None
        seen.extend(row["id"] for row in body["results"])
        if body["next"] is None:
            return seen
        response = client.get(body["next"])


def numbered(client, params: dict) -> list[int]:
    response = client.get(LIST, {**params, "page_size": 200})
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    "ordering", ["", "created_at", "-priority", "customer", "-customer", "number", "state"]
)
def test_cursor_pages_see_every_row_once_in_the_sort_of_the_numbered_pages(
    agent, api_client, orders, ordering
):
    client = api_client(agent)
    params = {"ordering": ordering} if ordering else {}
    ids = walk(client, params)
    assert len(ids) == len(set(ids)) == len(orders)
    assert ids == numbered(client, params)


def test_cursor_pages_keep_the_filters(agent, api_client, orders):
    client = api_client(agent)
    ids = walk(client, {"priority": Priority.URGENT})
    assert set(ids) == {row.pk for row in orders if row.priority == Priority.URGENT}


def test_a_deep_cursor_page_costs_what_the_first_does_and_counts_nothing(agent, api_client, orders):
    client = api_client(agent)
    with CaptureQueriesContext(connection) as first:
        body = client.get(LIST, {"cursor": "", "page_size": 2}).json()
    for _ in range(5):
        next_url = body["next"]
        with CaptureQueriesContext(connection) as deep:
            body = client.get(next_url).json()
    assert len(deep.captured_queries) == len(first.captured_queries)
    assert not any("COUNT(" in query["sql"] for query in deep.captured_queries)
    assert not any("OFFSET" in query["sql"] for query in deep.captured_queries)


@pytest.mark.parametrize("cursor", ["garbage", "WyJ4Il0", "W10"])  # not base64 JSON; wrong length; empty list
def test_a_bad_cursor_is_a_400_problem(agent, api_client, orders, cursor):
    assert_problem(
        api_client(agent).get(LIST, {"cursor": cursor}), 400, field="cursor", code="invalid_cursor"
    )


def test_a_cursor_cannot_follow_a_computed_sort(agent, api_client, orders):
    response = api_client(agent).get(LIST, {"cursor": "", "ordering": "sla_due"})
    assert_problem(response, 400, field="cursor", code="unsupported_ordering")


def test_numbered_pages_say_when_the_count_is_estimated(agent, api_client, orders, monkeypatch):
    client = api_client(agent)
    body = client.get(LIST).json()
    assert body["count"] == 17 and body["count_is_estimate"] is False
    monkeypatch.setattr(lists, "EXACT_COUNT_LIMIT", 10)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(LIST).json()
    assert body["count_is_estimate"] is True and body["count"] >= 11
    # the bounded count reads at most limit + 1 ids, never every row
    assert any("LIMIT 11" in query["sql"] for query in queries.captured_queries)


def test_the_schema_describes_both_kinds_of_page(agent, api_client):
    schema = api_client(agent).get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"][LIST]["get"]
    assert "cursor" in [parameter["name"] for parameter in operation["parameters"]]
    envelope = schema["components"]["schemas"]["PaginatedWorkOrderList"]
    assert {"count", "count_is_estimate", "next", "previous", "results"} <= set(envelope["required"])
    assert envelope["properties"]["count"]["nullable"] is True


def test_numbered_pages_stop_where_counting_stops(agent, api_client, orders, monkeypatch):
    """Past the exact-count limit no deeper page is served (an OFFSET that deep reads every row
    before it): the API answers 404 and the cursor reads on."""
    monkeypatch.setattr(lists, "EXACT_COUNT_LIMIT", 10)
    client = api_client(agent)
    assert client.get(LIST, {"page_size": 4, "page": 2}).status_code == 200
    deep = client.get(LIST, {"page_size": 4, "page": 3})
    assert deep.status_code == 404 and deep["Content-Type"].startswith("application/problem+json")
    assert len(walk(client, {})) == len(orders)


def test_the_list_page_says_when_older_rows_are_past_its_pages(client, agent, orders, monkeypatch):
    monkeypatch.setattr(lists, "EXACT_COUNT_LIMIT", 10)
    client.force_login(agent)
    paginator = lists.CountedPaginator(WorkOrder.objects.order_by("-created_at", "-id"), 4)
    # past the limit the count is the planner's estimate on PostgreSQL, never below limit + 1
    assert paginator.estimated is False and paginator.count >= 11 and paginator.estimated is True
    assert paginator.num_pages == 2 and paginator.capped
    from aftersales.workorders.views import WorkOrderListView

    monkeypatch.setattr(WorkOrderListView, "page_size", 4)
    response = client.get("/workorders/", {"page": 99})  # past the pages: the last one offered
    assert response.context["page"].number == 2
    assert 'data-testid="pages-capped"' in response.content.decode()


@pytest.mark.skipif(not uses_postgres(), reason="statement_timeout is PostgreSQL's")
def test_a_count_that_takes_too_long_gives_way_to_the_estimate(orders, settings):
    """A list's count is given COUNT_TIME_LIMIT_MS: a condition tested row by row over rows that
    mostly fail it (a common word of the search) must not make the page wait while it reads the
    whole table; the pager says "about" the planner's estimate instead, and the transaction goes on."""
    from django.db.models import BooleanField
    from django.db.models.expressions import RawSQL

    settings.COUNT_TIME_LIMIT_MS = 20
    slow = WorkOrder.objects.filter(RawSQL("pg_sleep(0.01) IS NOT NULL", [], output_field=BooleanField()))
    paginator = lists.CountedPaginator(slow.order_by("-created_at", "-id"), 4)
    assert paginator.count >= 0 and paginator.estimated is True
    assert WorkOrder.objects.count() == len(orders)  # the connection is usable afterwards
    settings.COUNT_TIME_LIMIT_MS = 10_000
    paginator = lists.CountedPaginator(slow.order_by("-created_at", "-id"), 4)
    assert paginator.count == len(orders) and paginator.estimated is False
