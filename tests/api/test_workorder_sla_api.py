"""A work order's service-level clocks over the API (R34, R18), and the time a request was received
(R1, R34): intake may date it back (a voicemail, an e-mail read later) within the allowed window,
never into the future, and the clocks started at intake count from it. The company standard
calendar (Monday-Friday 09:00-12:00, 13:00-18:00) and the default policy 标准服务时效 (first
response 24 working hours, diagnosis 48) come with the test database; the clock is frozen."""

from __future__ import annotations

import pytest

from aftersales.sla.models import SlaClock
from aftersales.workorders.choices import WaitingReason
from aftersales.workorders.models import WorkOrder
from tests import factories as f
from tests.timeutil import at, frozen

from .helpers import assert_problem
from .test_workorders_api import intake_payload

pytestmark = pytest.mark.django_db

LIST = "/api/workorders/"
# Monday 23 November 2026, 10:00: the request is typed in.
ENTERED = at(2026, 11, 23, 10)
# Friday 20 November 2026, 17:00: the voicemail came in, an hour before closing.
VOICEMAIL = at(2026, 11, 20, 17)


def take(api, moment, **overrides):
    with frozen(moment):
        return api.post(LIST, intake_payload(f.CustomerFactory(), **overrides), format="json")


def first_response(work_order_id: int) -> SlaClock:
    return SlaClock.objects.get(work_order_id=work_order_id, kind="first_response")


def test_r34_r1_the_received_time_starts_the_first_response_clock_and_moves_its_due_time(agent, api_client):
    api = api_client(agent)
    now = take(api, ENTERED)
    assert now.status_code == 201, now.content
    # Without a received time: from Monday 10:00, 7 + 8 + 8 working hours, then Thursday 09:00-10:00.
    assert first_response(now.json()["id"]).due_at == at(2026, 11, 26, 10)
    assert now.json()["received_at"] == now.json()["created_at"] == "2026-11-23T10:00:00+08:00"

    earlier = take(api, ENTERED, received_at="2026-11-20T17:00")  # China time when no zone is given
    assert earlier.status_code == 201, earlier.content
    body = earlier.json()
    assert body["received_at"] == "2026-11-20T17:00:00+08:00"
    clock = first_response(body["id"])
    # From Friday 17:00: 1 h that day, 8 on Monday, 8 on Tuesday, 7 on Wednesday.
    assert clock.started_at == VOICEMAIL and clock.due_at == at(2026, 11, 25, 17)
    assert WorkOrder.objects.get(pk=body["id"]).sla_due_at == at(2026, 11, 25, 17)


def test_r1_r34_a_received_time_in_the_future_or_too_far_back_is_a_field_error(agent, api_client, settings):
    api = api_client(agent)
    future = take(api, ENTERED, received_at="2026-11-23T10:05:00+08:00")
    assert_problem(future, 400, field="received_at", code="received_in_future")
    too_early = take(api, ENTERED, received_at="2026-11-08T09:59:00+08:00")  # 14 days and a minute
    body = assert_problem(too_early, 400, field="received_at", code="received_too_early")
    assert "14 days" in body["errors"][0]["message"]
    assert not WorkOrder.objects.exists()

    # The window is the company's: a request left before the Spring Festival holidays.
    settings.WORKORDER_RECEIVED_BACKDATE_DAYS = 21
    assert take(api, ENTERED, received_at="2026-11-08T09:59:00+08:00").status_code == 201
    # At the edge: exactly 14 days back is fine with the default, so is the very minute of entry.
    settings.WORKORDER_RECEIVED_BACKDATE_DAYS = 14
    assert take(api, ENTERED, received_at="2026-11-09T10:00:00+08:00").status_code == 201
    assert take(api, ENTERED, received_at="2026-11-23T10:00:00+08:00").status_code == 201


def test_r1_the_received_time_is_set_once_at_intake(agent, api_client):
    api = api_client(agent)
    created = take(api, ENTERED, received_at="2026-11-20T17:00").json()
    refused = api.patch(
        f"{LIST}{created['id']}/", {"version": 1, "received_at": "2026-11-19T09:00"}, format="json"
    )
    assert_problem(refused, 400, field="received_at", code="unknown_field")
    assert WorkOrder.objects.get(pk=created["id"]).received_at == VOICEMAIL


def test_r34_r18_the_clocks_with_their_due_times_state_and_time_left(agent, supervisor, api_client):
    point = f.ServicePointFactory()
    engineer = f.EngineerFactory(service_point=point)
    api, staff = api_client(agent), api_client(supervisor)
    work_order = take(api, ENTERED, received_at="2026-11-20T17:00", service_point=point.pk).json()
    url = f"{LIST}{work_order['id']}/sla/"

    with frozen(at(2026, 11, 24, 10)):  # Tuesday 10:00
        body = api.get(url).json()
    assert body["work_order"] == {"id": work_order["id"], "name": work_order["number"]}
    assert body["received_at"] == "2026-11-20T17:00:00+08:00"
    assert body["next_due_at"] == "2026-11-25T17:00:00+08:00"
    (first,) = body["clocks"]
    assert first["milestone"] == "first_response" and first["state"] == "running" and first["risk"] == "ok"
    assert first["started_at"] == "2026-11-20T17:00:00+08:00"
    assert first["due_at"] == "2026-11-25T17:00:00+08:00"
    assert first["policy"]["name"] == "标准服务时效" and first["business_time"] is True
    # Friday 1 h + Monday 8 h + Tuesday 1 h used of 24; 14 left.
    assert (first["target_seconds"], first["used_seconds"], first["remaining_seconds"]) == (
        24 * 3600,
        10 * 3600,
        14 * 3600,
    )
    assert first["percent"] == 41 and first["paused_seconds"] == 0 and first["stopped_at"] is None

    def step(moment, action, **data):
        with frozen(moment):
            response = staff.post(f"{LIST}{work_order['id']}/{action}/", data, format="json")
        assert response.status_code == 200, response.content

    step(at(2026, 11, 24, 10), "accept")
    step(at(2026, 11, 24, 10, 15), "assign", engineer=engineer.pk)
    step(at(2026, 11, 24, 10, 30), "start")
    step(at(2026, 11, 24, 11), "wait", waiting_reason=WaitingReason.CUSTOMER)
    with frozen(at(2026, 11, 24, 15)):  # paused 11:00-12:00 and 13:00-15:00
        body = api.get(url).json()
    assert [c["milestone"] for c in body["clocks"]] == ["first_response", "diagnosis", "repair"]
    first, diagnosis, repair = body["clocks"]
    assert first["state"] == "met" and first["stopped_at"] == "2026-11-24T10:00:00+08:00"
    assert first["used_seconds"] == 10 * 3600 and first["remaining_seconds"] == 14 * 3600
    assert diagnosis["state"] == "met" and diagnosis["used_seconds"] == 30 * 60
    assert repair["state"] == "paused" and repair["paused_reason"] == WaitingReason.CUSTOMER
    assert repair["paused_at"] == "2026-11-24T11:00:00+08:00"
    assert (repair["used_seconds"], repair["paused_seconds"]) == (30 * 60, 3 * 3600)
    assert repair["remaining_seconds"] == 47 * 3600 + 30 * 60
    assert body["next_due_at"] is None  # no clock running

    step(at(2026, 11, 24, 15), "resume")
    with frozen(at(2026, 11, 24, 16)):
        (repair,) = [c for c in api.get(url).json()["clocks"] if c["milestone"] == "repair"]
    # Resumed: the pause does not count, the due time moved out by it.
    assert repair["state"] == "running" and repair["paused_seconds"] == 3 * 3600
    assert repair["used_seconds"] == 90 * 60 and repair["paused_at"] is None
    # 48 working hours from Tuesday 10:30 end on Wednesday 2 December 10:30; the 3 h paused
    # move it to 14:30 (09:00-12:00, then 13:00-14:30).
    assert repair["due_at"] == "2026-12-02T14:30:00+08:00"


def test_r37_the_clocks_of_another_dealers_work_order_are_404(world, api_client):
    theirs = api_client(world.staff_b)
    assert_problem(theirs.get(f"{LIST}{world.order_a.pk}/sla/"), 404)
    assert_problem(theirs.get(f"{LIST}999999/sla/"), 404)
    assert api_client(world.staff_a).get(f"{LIST}{world.order_a.pk}/sla/").status_code == 200
    # a work order with no clock (made straight in the database) lists none
    assert api_client(world.staff_a).get(f"{LIST}{world.order_a.pk}/sla/").json()["clocks"] == []


def test_the_clocks_endpoint_and_the_received_time_are_documented(agent, api_client):
    schema = api_client(agent).get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/workorders/{id}/sla/"]["get"]
    assert {"200", "404"} <= set(operation["responses"])
    components = schema["components"]["schemas"]
    assert (
        "received_too_early"
        in components["WorkOrderWriteRequest"]["properties"]["received_at"]["description"]
    )
    assert "received_at" not in components["PatchedWorkOrderUpdateRequest"]["properties"]
    assert "remaining_seconds" in components["Clock"]["properties"]
    # the catch-all still answers unknown actions as problems, and the API root still links the list
    assert_problem(api_client(agent).get(f"{LIST}1/nonsense/"), 404, code="unknown_action")
    assert api_client(agent).get("/api/", format="json").json()["workorders"].endswith("/api/workorders/")
