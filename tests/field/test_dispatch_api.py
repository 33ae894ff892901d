"""The dispatch suggestion over the API (R5, R38, R12): what the board's "why" shows, for
dispatchers, scoped; a requested visit counts the engineers' booked time."""

from __future__ import annotations

from datetime import date, time

import pytest

from aftersales.field.models import Appointment, AppointmentState
from aftersales.workorders.choices import State

from .. import factories as f

pytestmark = pytest.mark.django_db


def test_r5_r38_api_suggests_the_qualified_engineer_and_says_why(
    api_client, dispatcher, order, point, qualify
):
    sp = point(code="SP-XH", district="徐汇区")
    qualified = f.EngineerFactory(service_point=sp, user__last_name="周", user__first_name="工")
    qualify(qualified)
    f.EngineerFactory(service_point=sp)  # not qualified (R38)
    body = api_client(dispatcher).get(f"/api/dispatch/{order.pk}/").json()
    assert body["point"]["id"] == sp.pk and body["engineer"]["name"] == "周工"
    assert body["candidates"][0]["region"] == "district covered" and body["candidates"][0]["considered"]
    assert [e["employee_no"] for e in body["eligible_engineers"]] == [qualified.employee_no]
    assert "周工" in body["explanation"] and body["reasons"]
    # the ids given are the ones assigning takes
    assert body["engineer"]["id"] == body["eligible_engineers"][0]["engineer"]["id"] == qualified.pk
    assigned = api_client(dispatcher).post(
        f"/api/workorders/{order.pk}/assign/", {"engineer": body["engineer"]["id"]}, format="json"
    )
    assert assigned.status_code == 200, assigned.content
    order.refresh_from_db()
    assert order.engineer == qualified


def test_r12_api_suggestion_for_a_requested_visit(api_client, dispatcher, order, point, qualify):
    sp = point(code="SP-XH", district="徐汇区")
    first, second = f.EngineerFactory(service_point=sp), f.EngineerFactory(service_point=sp)
    qualify(first)
    qualify(second)
    monday = date(2026, 11, 23)
    other = f.WorkOrderFactory(engineer=first, service_point=sp)
    Appointment.objects.create(
        work_order=other,
        engineer=first,
        date=monday,
        window_start=time(9),
        window_end=time(11),
        state=AppointmentState.BOOKED,
    )
    api = api_client(dispatcher)
    query = {"visit_date": "2026-11-23", "visit_from": "10:00", "visit_until": "12:00"}
    body = api.get(f"/api/dispatch/{order.pk}/", query).json()
    assert body["day"] == "2026-11-23" and body["engineer"]["id"] == second.pk
    bad = api.get(f"/api/dispatch/{order.pk}/", {"visit_date": "2026-11-23", "visit_from": "12:00"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "visit_until"


def test_r5_r37_api_suggestion_only_for_dispatchers_in_scope(api_client, agent, world, order):
    assert api_client(agent).get(f"/api/dispatch/{order.pk}/").status_code == 403
    theirs = f.WorkOrderFactory(service_point=world.point_b)
    # dealer staff dispatch their dealer's work only
    assert api_client(world.staff_a).get(f"/api/dispatch/{theirs.pk}/").status_code == 404
    schema = api_client(agent).get("/api/schema/", {"format": "json"}).json()
    assert {"200", "400", "403", "404"} <= set(schema["paths"]["/api/dispatch/{id}/"]["get"]["responses"])


def test_r5_r38_the_dispatch_board_through_the_api_as_on_the_page(
    api_client, dispatcher, order, point, qualify
):
    sp = point(code="SP-XH", district="徐汇区")
    qualified = f.EngineerFactory(service_point=sp, user__last_name="周", user__first_name="工")
    qualify(qualified)
    f.WorkOrderFactory(service_point=sp, engineer=qualified, state=State.IN_SERVICE)  # today's load
    f.WorkOrderFactory(service_point=sp, engineer=qualified, state=State.ASSIGNED)  # not on the board
    api = api_client(dispatcher)

    board = api.get("/api/dispatch/board/").json()

    assert [row["number"] for row in board["rows"]] == [order.number] and board["truncated"] is False
    row = board["rows"][0]
    assert row["id"] == order.pk and row["may_assign"] is True
    assert row["suggestion"]["point"]["id"] == sp.pk and row["suggestion"]["engineer"]["id"] == qualified.pk
    assert "周工" in row["suggestion"]["explanation"]
    loads = {entry["engineer"]["id"]: entry for entry in board["engineers"]}
    assert loads[qualified.pk]["open_load"] == 2 and loads[qualified.pk]["on_leave"] is False
    page = api_client(dispatcher)
    page.force_login(dispatcher)
    assert order.number in page.get("/field/dispatch/").content.decode()
    # assigning by the ids the board gives takes the row off the board
    assigned = api.post(
        f"/api/dispatch/{row['id']}/assign/", {"engineer": row["suggestion"]["engineer"]["id"]}, format="json"
    )
    assert assigned.status_code == 200, assigned.content
    assert api.get("/api/dispatch/board/").json()["rows"] == []


def test_the_dispatch_board_api_refuses_other_roles_and_bad_windows(api_client, agent, dispatcher, world):
    assert api_client(agent).get("/api/dispatch/board/").status_code == 403
    bad = api_client(dispatcher).get(
        "/api/dispatch/board/", {"visit_date": "2026-11-23", "visit_from": "12:00"}
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "visit_until"
    # R37: a dealer's staff see their dealer's unassigned work only
    theirs = f.WorkOrderFactory(service_point=world.point_b, state=State.ACCEPTED)
    ours = f.WorkOrderFactory(service_point=world.point_a, state=State.ACCEPTED)
    numbers = [row["number"] for row in api_client(world.staff_a).get("/api/dispatch/board/").json()["rows"]]
    assert ours.number in numbers and theirs.number not in numbers
