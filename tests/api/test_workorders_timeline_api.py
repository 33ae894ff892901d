"""Issue 9: `/api/workorders/<id>/timeline/` pages back through events and field changes by a cursor
(no entry repeats or goes missing, also when entries tie on their time); the work order and a
timeline page cost the same number of queries with a short and a long history; out of scope is a
404 (R37); the schema lists the endpoint."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.workorders.selectors import TIMELINE_PAGE_SIZE

from .. import factories as f
from ..workorders.history import grow_history

pytestmark = pytest.mark.django_db


def timeline(work_order) -> str:
    return f"/api/workorders/{work_order.pk}/timeline/"


def key(entry: dict) -> str:
    if entry["entry_type"] == "event":
        return entry["event"]["note"]
    return entry["change"]["new_value"]


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_detail_and_timeline_cost_the_same_with_5_and_200_entries(agent, api_client, world):
    short, long = (
        f.WorkOrderFactory(service_point=world.point_a),
        f.WorkOrderFactory(service_point=world.point_a),
    )
    grow_history(short, agent, 5)
    grow_history(long, agent, 200)
    client = api_client(agent)
    queries(client, timeline(short))  # warm the caches
    for path in ("", "timeline/"):
        assert queries(client, f"/api/workorders/{long.pk}/{path}") == queries(
            client, f"/api/workorders/{short.pk}/{path}"
        )


@pytest.mark.parametrize("count, page_size", [(0, None), (10, None), (61, None), (61, 7), (5, 100)])
def test_following_next_walks_the_whole_timeline_newest_first(agent, api_client, world, count, page_size):
    order = f.WorkOrderFactory(service_point=world.point_a)
    grow_history(order, agent, count)
    client = api_client(agent)
    url = timeline(order) + (f"?page_size={page_size}" if page_size else "")
    seen: list[dict] = []
    pages = 0
    while url:
        body = client.get(url).json()
        assert len(body["results"]) <= (page_size or TIMELINE_PAGE_SIZE)
        seen += body["results"]
        url = body["next"]
        pages += 1
    keys = [key(entry) for entry in seen]
    assert len(keys) == len(set(keys)) == 2 * count
    if count:
        # newest first; at one moment the events come before the field changes
        newest = count - 1
        assert keys[0] == f"e{newest}" and keys[-1] == "c0"
        times = [entry["created_at"] for entry in seen]
        assert times == sorted(times, reverse=True)
    assert pages == max(1, -(-2 * count // (page_size or TIMELINE_PAGE_SIZE)))


def test_the_timeline_shape(agent, api_client, world):
    order = f.WorkOrderFactory(service_point=world.point_a)
    grow_history(order, agent, 1)
    event, change = api_client(agent).get(timeline(order)).json()["results"]
    assert event["entry_type"] == "event" and event["change"] is None
    assert event["event"]["kind"] == "note" and event["event"]["actor"]["id"] == agent.pk
    assert change["entry_type"] == "change" and change["event"] is None
    assert change["change"]["field"] == "fault_category" and change["change"]["new_value"] == "c0"


def test_timeline_is_404_out_of_scope(api_client, world):
    grow_history(world.order_b, world.staff_b, 3)
    assert api_client(world.staff_a).get(timeline(world.order_b)).status_code == 404
    assert api_client(world.staff_b).get(timeline(world.order_b)).status_code == 200


@pytest.mark.parametrize(
    "query, field",
    [
        ("cursor=nope", "cursor"),
        ("cursor=1.7.1", "cursor"),
        ("page_size=0", "page_size"),
        ("page_size=101", "page_size"),
        ("page_size=x", "page_size"),
    ],
)
def test_bad_cursor_or_page_size_is_400(agent, api_client, world, query, field):
    order = f.WorkOrderFactory(service_point=world.point_a)
    response = api_client(agent).get(f"{timeline(order)}?{query}")
    assert response.status_code == 400
    assert field in response.content.decode()


def test_schema_lists_the_timeline_endpoint(agent, api_client):
    paths = api_client(agent).get("/api/schema/", {"format": "json"}).json()["paths"]
    operation = paths["/api/workorders/{id}/timeline/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"cursor", "page_size"}
    assert "404" in operation["responses"]


@pytest.mark.parametrize(
    "path, key",
    [
        ("notes/", lambda row: row["body"]),
        ("attachments/", lambda row: row["original_name"]),
        ("events/", lambda row: row["note"]),
        ("history/", lambda row: row["new_value"]),
    ],
)
def test_notes_attachments_events_and_history_are_cursor_pages(agent, api_client, world, path, key):
    """Each list of a work order's history costs the same with 5 and 200 rows and pages by a
    cursor: following `next` gives every row once (rows tie on their time in threes)."""
    short, long = (
        f.WorkOrderFactory(service_point=world.point_a),
        f.WorkOrderFactory(service_point=world.point_a),
    )
    grow_history(short, agent, 5)
    grow_history(long, agent, 200)
    client = api_client(agent)
    queries(client, f"/api/workorders/{short.pk}/{path}")  # warm the caches
    assert queries(client, f"/api/workorders/{long.pk}/{path}") == queries(
        client, f"/api/workorders/{short.pk}/{path}"
    )
    url, seen = f"/api/workorders/{long.pk}/{path}?page_size=30", []
    while url:
        body = client.get(url).json()
        assert len(body["results"]) <= 30
        seen += [key(row) for row in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == 200
