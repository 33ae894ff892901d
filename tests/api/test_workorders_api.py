"""Work-order API: intake (R1, R2), transitions (R4, state machine), optimistic locking and
history (R41), scoping (R37), masking (R41), notes and attachments (R21), errors as problems."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.accounts.choices import Role
from aftersales.core.models import ChangeRecord
from aftersales.workorders import services
from aftersales.workorders.choices import State, WorkOrderType
from aftersales.workorders.models import Attachment, Note, WorkOrder, WorkOrderEvent
from tests import factories as f
from tests.conftest import COUNT_GUARD_STATEMENTS

from .helpers import PDF_BYTES, PNG_BYTES, assert_problem

LIST = "/api/workorders/"


def detail(work_order) -> str:
    return f"/api/workorders/{work_order.pk}/"


def intake_payload(who, **overrides):
    data = {
        "customer": who.pk,
        "contact_name": "张伟",
        "contact_phone": "138 1234 5678",
        "type": WorkOrderType.REPAIR,
        "device_model_text": "HP LaserJet M1005",
        "fault_symptom": "开机后卡纸",
    }
    data.update(overrides)
    return data


# --- intake -------------------------------------------------------------------------------------


def test_r1_api_intake_defaults_channel_to_api(agent, api_client):
    customer = f.CustomerFactory()
    response = api_client(agent).post(LIST, intake_payload(customer), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["channel"] == "api"
    assert body["state"] == "new" and body["state_display"]
    assert body["number"].startswith("WO")
    assert body["version"] == 1
    assert body["customer"] == {"id": customer.pk, "name": customer.name}
    assert body["contact_phone"] == "13812345678"  # normalised, shown in full to an agent
    assert "accept" in body["available_actions"] and "cancel" in body["available_actions"]
    assert response["Location"].endswith(f"/api/workorders/{body['id']}/")
    work_order = WorkOrder.objects.get(pk=body["id"])
    assert work_order.channel == "api" and work_order.created_by == agent
    assert work_order.contact_phone == "+8613812345678"
    assert work_order.events.filter(kind="created").count() == 1


def test_r1_api_intake_keeps_the_channel_given(agent, api_client):
    response = api_client(agent).post(
        LIST, intake_payload(f.CustomerFactory(), channel="phone"), format="json"
    )
    assert response.status_code == 201
    assert response.json()["channel"] == "phone"


def test_r7_api_intake_takes_preliminary_assessment(agent, api_client):
    payload = intake_payload(
        f.CustomerFactory(),
        fault_category="卡纸",
        probable_cause="搓纸轮磨损",
        proposed_handling="on_site",
        estimated_hours="1.5",
        error_messages="E0",
        recent_operations="更换硒鼓",
        priority="high",
    )
    response = api_client(agent).post(LIST, payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["proposed_handling"] == "on_site" and body["estimated_hours"] == "1.5"
    assert body["fault_category"] == "卡纸" and body["priority"] == "high"


def test_r2_api_intake_missing_data_is_400_with_fields_and_nothing_saved(agent, api_client):
    customer = f.CustomerFactory()
    client = api_client(agent)
    response = client.post(LIST, {"type": "repair"}, format="json")
    body = assert_problem(response, 400)
    fields = {error["field"] for error in body["errors"]}
    assert {"customer", "fault_symptom"} <= fields

    # The device-model rule lives in the service: still a field error, still nothing saved.
    response = client.post(LIST, intake_payload(customer, device_model_text=""), format="json")
    assert_problem(response, 400, field="product_model")
    assert WorkOrder.objects.count() == 0
    assert WorkOrderEvent.objects.count() == 0


def test_r2_api_intake_device_of_another_customer_is_refused(agent, api_client):
    device = f.DeviceFactory()
    response = api_client(agent).post(
        LIST, intake_payload(f.CustomerFactory(), device=device.pk), format="json"
    )
    assert_problem(response, 400, field="device")
    assert WorkOrder.objects.count() == 0


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"customer": "abc"}, "customer"),
        ({"customer": 999999}, "customer"),
        ({"customer": True}, "customer"),
        ({"customer": 10**30}, "customer"),
        ({"purchase_date": "2026-13-45"}, "purchase_date"),
        ({"estimated_hours": "lots"}, "estimated_hours"),
        ({"type": "bogus"}, "type"),
        ({"priority": 5}, "priority"),
        ({"channel": ["api"]}, "channel"),
        ({"contact_phone": "12345"}, "contact_phone"),
        ({"contact_phone": "not a phone"}, "contact_phone"),
        ({"product_model": 424242}, "product_model"),
        ({"service_point": "x"}, "service_point"),
        ({"state": "closed"}, "state"),
        ({"fault_symptom": None}, "fault_symptom"),
    ],
)
def test_r2_api_bad_input_is_400_problem_never_500(agent, api_client, overrides, field):
    response = api_client(agent).post(LIST, intake_payload(f.CustomerFactory(), **overrides), format="json")
    assert_problem(response, 400, field=field)
    assert WorkOrder.objects.count() == 0


def test_api_malformed_json_is_400_problem(agent, api_client):
    response = api_client(agent).post(LIST, "{not json", content_type="application/json")
    assert_problem(response, 400, code="parse_error")


def test_r37_dealer_intake_cannot_name_another_dealers_customer(world, api_client):
    other_customer = f.CustomerFactory(dealer=world.dealer_b)
    response = api_client(world.staff_a).post(
        LIST, intake_payload(other_customer, service_point=world.point_a.pk), format="json"
    )
    assert_problem(response, 400, field="customer", code="does_not_exist")


def test_r37_dealer_intake_lands_at_own_service_point(world, api_client):
    world.staff_a.service_point = world.point_a
    world.staff_a.save()
    customer = f.CustomerFactory(dealer=world.dealer_a)
    client = api_client(world.staff_a)
    response = client.post(LIST, intake_payload(customer), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["service_point"]["id"] == world.point_a.pk
    assert client.get(f"{LIST}{response.json()['id']}/").status_code == 200
    response = client.post(LIST, intake_payload(customer, service_point=world.point_b.pk), format="json")
    assert_problem(response, 400, field="service_point")


def test_finance_may_not_take_requests(finance, api_client):
    response = api_client(finance).post(LIST, intake_payload(f.CustomerFactory()), format="json")
    assert_problem(response, 403)


def test_api_requires_authentication(client):
    response = client.get(LIST)
    assert response.status_code in (401, 403)
    assert response.json()["errors"][0]["code"] == "not_authenticated"


# --- list and filters ---------------------------------------------------------------------------


def test_r37_list_uses_the_shared_filterset(agent, api_client):
    new = f.WorkOrderFactory(state=State.NEW, priority="high")
    accepted = f.WorkOrderFactory(state=State.ACCEPTED)
    client = api_client(agent)
    ids = {row["id"] for row in client.get(LIST, {"state": "new"}).json()["results"]}
    assert ids == {new.pk}
    ids = {row["id"] for row in client.get(LIST, {"state": ["new", "accepted"]}).json()["results"]}
    assert ids == {new.pk, accepted.pk}
    assert [r["id"] for r in client.get(LIST, {"q": accepted.number}).json()["results"]] == [accepted.pk]
    assert [r["id"] for r in client.get(LIST, {"priority": "high"}).json()["results"]] == [new.pk]
    ordered = client.get(LIST, {"ordering": "number"}).json()["results"]
    assert [r["number"] for r in ordered] == sorted([new.number, accepted.number])
    assert client.get(LIST, {"created_after": "2000-01-01"}).json()["count"] == 2


@pytest.mark.parametrize(
    "params, field",
    [
        ({"created_after": "yesterday"}, "created_after"),
        ({"created_before": "2026-02-30"}, "created_before"),
        ({"state": "nope"}, "state"),
        ({"engineer": "999999"}, "engineer"),
        ({"service_point": "abc"}, "service_point"),
        ({"ordering": "password"}, "ordering"),
        ({"page": "999"}, None),
        ({"page_size": "abc", "page": "x"}, "page_size"),  # a bad size is refused, not defaulted
    ],
)
def test_list_bad_filters_are_problems(agent, api_client, params, field):
    f.WorkOrderFactory()
    response = api_client(agent).get(LIST, params)
    status = 404 if field is None else 400
    assert_problem(response, status, field=field if status == 400 else "__any__")


def test_list_query_count_does_not_grow_with_rows(agent, api_client):
    """Rows, customer, service point, engineer and available actions in constant queries."""
    point = f.ServicePointFactory()
    engineer = f.EngineerFactory(service_point=point)
    client = api_client(agent)

    def make(count: int) -> None:
        for _ in range(count):
            f.WorkOrderFactory(
                service_point=point,
                engineer=engineer,
                state=State.ASSIGNED,
                product_model=f.ProductModelFactory(),
            )

    make(3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).json()["count"] == 3
    make(27)
    with CaptureQueriesContext(connection) as many:
        assert client.get(LIST).json()["count"] == 30
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(many) <= 4 + COUNT_GUARD_STATEMENTS


def test_list_query_count_for_an_engineer(world, api_client, django_assert_max_num_queries):
    for _ in range(30):
        f.WorkOrderFactory(service_point=world.point_a, engineer=world.engineer_a, state=State.ASSIGNED)
    client = api_client(world.engineer_a.user)
    with django_assert_max_num_queries(6):
        body = client.get(LIST).json()
    assert body["count"] == 31  # 30 assigned + the world's order at point_a
    assert all(row["available_actions"] == ["start"] for row in body["results"] if row["state"] == "assigned")


# --- scoping (R37) ------------------------------------------------------------------------------


def test_r37_list_does_not_leak_across_dealers(world, api_client):
    ids_a = {row["id"] for row in api_client(world.staff_a).get(LIST).json()["results"]}
    ids_b = {row["id"] for row in api_client(world.staff_b).get(LIST).json()["results"]}
    assert ids_a == {world.order_a.pk}
    assert ids_b == {world.order_b.pk}


def test_r37_dealer_gets_404_for_another_dealers_work_order(world, api_client):
    client = api_client(world.staff_b)
    order = world.order_a
    attachment = services.attachment_add(
        work_order=order,
        actor=world.staff_a,
        upload=SimpleUploadedFile("photo.png", PNG_BYTES, content_type="image/png"),
    )
    for url in (
        detail(order),
        f"{detail(order)}notes/",
        f"{detail(order)}attachments/",
        f"{detail(order)}attachments/{attachment.uuid}/download/",
        f"{detail(order)}events/",
        f"{detail(order)}history/",
    ):
        assert_problem(client.get(url), 404)
    assert_problem(client.post(f"{detail(order)}accept/", {}, format="json"), 404)
    assert_problem(client.post(f"{detail(order)}notes/", {"body": "x"}, format="json"), 404)
    assert_problem(client.patch(detail(order), {"version": 1, "priority": "high"}, format="json"), 404)
    upload = SimpleUploadedFile("p.png", PNG_BYTES, content_type="image/png")
    assert_problem(client.post(f"{detail(order)}attachments/", {"file": upload}, format="multipart"), 404)
    order.refresh_from_db()
    assert order.state == State.NEW and order.version == 1
    assert Note.objects.count() == 0 and Attachment.objects.count() == 1
    # ... while its own dealer sees it.
    assert api_client(world.staff_a).get(detail(order)).status_code == 200


def test_r37_engineer_sees_assigned_or_own_service_point(world, api_client):
    elsewhere = f.WorkOrderFactory(service_point=world.point_b, engineer=world.engineer_a)
    foreign = world.order_b
    client = api_client(world.engineer_a.user)
    ids = {row["id"] for row in client.get(LIST).json()["results"]}
    assert ids == {world.order_a.pk, elsewhere.pk}
    assert client.get(detail(elsewhere)).status_code == 200
    assert_problem(client.get(detail(foreign)), 404)


@pytest.mark.parametrize("pk", ["abc", "0", "99999999", str(10**25)])
def test_unknown_or_malformed_ids_are_404_problems(agent, api_client, pk):
    assert_problem(api_client(agent).get(f"{LIST}{pk}/"), 404)


def test_unknown_action_is_a_404_problem(agent, api_client):
    order = f.WorkOrderFactory()
    body = assert_problem(api_client(agent).post(f"{detail(order)}explode/", {}, format="json"), 404)
    assert body["errors"][0]["code"] == "unknown_action"


def test_work_orders_are_never_deleted(agent, supervisor, api_client):
    order = f.WorkOrderFactory()
    assert_problem(api_client(supervisor).delete(detail(order)), 405)
    assert_problem(api_client(agent).put(detail(order), {}, format="json"), 405)
    assert WorkOrder.objects.filter(pk=order.pk).exists()


# --- transitions ----------------------------------------------------------------------------------

# action: (state it runs from, a state it is refused from, payload, actor allowed, actor refused)
TRANSITION_CASES = {
    "accept": (State.NEW, State.CLOSED, {}, "agent", "finance"),
    "resolve": (State.NEW, State.ASSIGNED, {"resolution": "电话指导解决"}, "agent", "dispatcher"),
    "assign": (State.ACCEPTED, State.NEW, {"engineer": "ENGINEER"}, "dispatcher", "agent"),
    "start": (State.ASSIGNED, State.ACCEPTED, {}, "engineer", "agent"),
    "wait": (State.IN_SERVICE, State.ASSIGNED, {"waiting_reason": "parts"}, "engineer", "finance"),
    "resume": (State.WAITING, State.IN_SERVICE, {}, "engineer", "clerk"),
    "complete": (State.IN_SERVICE, State.WAITING, {"resolution": "更换搓纸轮"}, "engineer", "agent"),
    "close": (State.COMPLETED, State.IN_SERVICE, {}, "agent", "engineer"),
    "reopen": (State.CLOSED, State.IN_SERVICE, {"note": "客户不满意"}, "supervisor", "dispatcher"),
    "cancel": (State.NEW, State.CLOSED, {"note": "客户撤销"}, "agent", "engineer"),
}
TARGETS = {
    "accept": State.ACCEPTED,
    "resolve": State.CLOSED,
    "assign": State.ASSIGNED,
    "start": State.IN_SERVICE,
    "wait": State.WAITING,
    "resume": State.IN_SERVICE,
    "complete": State.COMPLETED,
    "close": State.CLOSED,
    "reopen": State.IN_SERVICE,
    "cancel": State.CANCELLED,
}


@pytest.fixture
def lifecycle(db, make_user):
    """A service point with an engineer, and one user per role the transitions need."""
    point = f.ServicePointFactory()
    engineer = f.EngineerFactory(service_point=point)
    users = {role: make_user(role, username=f"lc_{role}") for role in Role.values if role != Role.ENGINEER}
    users["engineer"] = engineer.user

    def order(state: str, action: str) -> WorkOrder:
        work_order_type = WorkOrderType.CONSULTATION if action == "resolve" else WorkOrderType.REPAIR
        return f.WorkOrderFactory(state=state, type=work_order_type, service_point=point, engineer=engineer)

    def payload(action: str) -> dict:
        data = dict(TRANSITION_CASES[action][2])
        if data.get("engineer") == "ENGINEER":
            data["engineer"] = engineer.pk
        return data

    return type(
        "Lifecycle", (), {"users": users, "order": staticmethod(order), "payload": staticmethod(payload)}
    )


@pytest.mark.parametrize("action", list(TRANSITION_CASES))
def test_r4_each_transition_endpoint_allowed(lifecycle, api_client, action):
    source, _refused_state, _payload, allowed, _refused_role = TRANSITION_CASES[action]
    order = lifecycle.order(source, action)
    response = api_client(lifecycle.users[allowed]).post(
        f"{detail(order)}{action}/", lifecycle.payload(action), format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == TARGETS[action]
    assert body["version"] == 2
    event = order.events.get(kind="transition")
    assert (event.action, event.from_state, event.to_state) == (action, source, TARGETS[action])


@pytest.mark.parametrize("action", list(TRANSITION_CASES))
def test_r4_each_transition_refused_from_wrong_state_is_409(lifecycle, api_client, action):
    _source, refused_state, _payload, allowed, _refused_role = TRANSITION_CASES[action]
    order = lifecycle.order(refused_state, action)
    response = api_client(lifecycle.users[allowed]).post(
        f"{detail(order)}{action}/", lifecycle.payload(action), format="json"
    )
    assert_problem(response, 409, code="transition_not_allowed")
    order.refresh_from_db()
    assert order.state == refused_state and order.version == 1
    assert not order.events.exists()


@pytest.mark.parametrize("action", list(TRANSITION_CASES))
def test_r37_each_transition_refused_for_wrong_role_is_403(lifecycle, api_client, action):
    source, _refused_state, _payload, _allowed, refused_role = TRANSITION_CASES[action]
    order = lifecycle.order(source, action)
    response = api_client(lifecycle.users[refused_role]).post(
        f"{detail(order)}{action}/", lifecycle.payload(action), format="json"
    )
    assert_problem(response, 403, code="permission_denied")
    order.refresh_from_db()
    assert order.state == source and order.version == 1


def test_r4_available_actions_follow_state_and_role(lifecycle, api_client):
    order = lifecycle.order(State.NEW, "accept")
    assert set(api_client(lifecycle.users["agent"]).get(detail(order)).json()["available_actions"]) == {
        "accept",
        "cancel",
    }
    assert api_client(lifecycle.users["finance"]).get(detail(order)).json()["available_actions"] == []


@pytest.mark.parametrize(
    "action, state, payload, field",
    [
        ("assign", State.ACCEPTED, {}, "engineer"),
        ("assign", State.ACCEPTED, {"engineer": "abc"}, "engineer"),
        ("assign", State.ACCEPTED, {"engineer": 999999}, "engineer"),
        ("wait", State.IN_SERVICE, {}, "waiting_reason"),
        ("wait", State.IN_SERVICE, {"waiting_reason": "lunch"}, "waiting_reason"),
        ("cancel", State.NEW, {}, "note"),
        ("cancel", State.NEW, {"note": "   "}, "note"),
        ("complete", State.IN_SERVICE, {}, "resolution"),
        ("accept", State.NEW, {"version": "one"}, "version"),
        ("accept", State.NEW, {"bogus": 1}, "bogus"),
    ],
)
def test_transition_input_errors_are_400_with_field(lifecycle, api_client, action, state, payload, field):
    order = lifecycle.order(state, action)
    user = lifecycle.users["supervisor"]
    response = api_client(user).post(f"{detail(order)}{action}/", payload, format="json")
    assert_problem(response, 400, field=field)
    order.refresh_from_db()
    assert order.state == state


def test_r4_first_contact_resolution_only_for_consultations(lifecycle, api_client):
    order = lifecycle.order(State.NEW, "accept")  # a repair
    response = api_client(lifecycle.users["agent"]).post(
        f"{detail(order)}resolve/", {"resolution": "x"}, format="json"
    )
    assert_problem(response, 409, code="transition_not_allowed")


def test_r3_accept_via_api_records_the_acknowledgement(lifecycle, api_client):
    order = lifecycle.order(State.NEW, "accept")
    response = api_client(lifecycle.users["agent"]).post(f"{detail(order)}accept/", {}, format="json")
    assert response.status_code == 200
    events = api_client(lifecycle.users["agent"]).get(f"{detail(order)}events/").json()["results"]
    assert [e["kind"] for e in events] == ["transition", "notification"]
    assert events[0]["actor"]["id"] == lifecycle.users["agent"].pk


def test_r41_transition_with_stale_version_is_409(lifecycle, api_client):
    order = lifecycle.order(State.NEW, "accept")
    WorkOrder.objects.filter(pk=order.pk).update(version=2)
    response = api_client(lifecycle.users["agent"]).post(
        f"{detail(order)}accept/", {"version": 1}, format="json"
    )
    assert_problem(response, 409, field="version", code="stale_version")
    order.refresh_from_db()
    assert order.state == State.NEW


# --- editing under optimistic locking (R41) -------------------------------------------------------


def test_r41_second_stale_patch_is_409_and_nothing_is_overwritten(agent, dispatcher, api_client):
    order = f.WorkOrderFactory(fault_symptom="原始描述")
    first, second = api_client(agent), api_client(dispatcher)
    version = first.get(detail(order)).json()["version"]
    assert second.get(detail(order)).json()["version"] == version

    response = first.patch(detail(order), {"version": version, "priority": "urgent"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["version"] == version + 1
    history_before = ChangeRecord.objects.count()

    response = second.patch(detail(order), {"version": version, "fault_symptom": "覆盖"}, format="json")
    body = assert_problem(response, 409, field="version", code="stale_version")
    assert order.number in body["title"]
    order.refresh_from_db()
    assert order.fault_symptom == "原始描述" and order.priority == "urgent"
    assert order.version == version + 1
    assert ChangeRecord.objects.count() == history_before


def test_r41_patch_without_version_is_400(agent, api_client):
    order = f.WorkOrderFactory()
    response = api_client(agent).patch(detail(order), {"priority": "high"}, format="json")
    assert_problem(response, 400, field="version", code="required")
    order.refresh_from_db()
    assert order.priority == "normal"


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"version": 1, "state": "closed"}, "state"),
        ({"version": 1, "engineer": 1}, "engineer"),
        ({"version": 1, "contact_phone": "999"}, "contact_phone"),
        ({"version": 1, "customer": None}, "customer"),
        ({"version": 0}, "version"),
        ({"version": "x"}, "version"),
        ({"version": 1, "fault_symptom": ""}, "fault_symptom"),
    ],
)
def test_r41_patch_bad_input_is_400_and_nothing_changes(agent, api_client, payload, field):
    order = f.WorkOrderFactory()
    assert_problem(api_client(agent).patch(detail(order), payload, format="json"), 400, field=field)
    order.refresh_from_db()
    assert order.version == 1 and order.state == State.NEW


def test_r41_patch_is_in_the_history(agent, finance, api_client):
    order = f.WorkOrderFactory(contact_phone="+8613700001111")
    response = api_client(agent).patch(
        detail(order), {"version": 1, "priority": "high", "contact_phone": "13900002222"}, format="json"
    )
    assert response.status_code == 200, response.content
    history = api_client(agent).get(f"{detail(order)}history/").json()["results"]
    by_field = {row["field"]: row for row in history}
    assert by_field["priority"]["new_value"] == "High" or by_field["priority"]["new_value"]
    assert by_field["priority"]["actor"]["id"] == agent.pk
    # Old and new numbers in the history are masked for every reader (R41).
    assert by_field["contact_phone"]["old_value"] == "137****1111"
    assert by_field["contact_phone"]["new_value"] == "139****2222"
    masked = {
        row["field"]: row for row in api_client(finance).get(f"{detail(order)}history/").json()["results"]
    }
    assert masked["contact_phone"]["new_value"] == "139****2222"


def test_r41_finished_work_order_edit_needs_clerk_or_supervisor(agent, clerk, api_client):
    order = f.WorkOrderFactory(state=State.CLOSED)
    assert_problem(
        api_client(agent).patch(detail(order), {"version": 1, "priority": "high"}, format="json"), 403
    )
    assert (
        api_client(clerk).patch(detail(order), {"version": 1, "priority": "high"}, format="json").status_code
        == 200
    )


# --- masking (R41) -------------------------------------------------------------------------------


def test_r41_contact_phone_masked_for_finance(agent, finance, api_client):
    order = f.WorkOrderFactory(contact_phone="+8613812341234")
    assert api_client(finance).get(detail(order)).json()["contact_phone"] == "138****1234"
    assert api_client(finance).get(LIST).json()["results"][0]["contact_phone"] == "138****1234"
    assert api_client(agent).get(detail(order)).json()["contact_phone"] == "13812341234"


# --- notes, attachments, timeline ----------------------------------------------------------------


def test_notes_added_and_listed_as_events(agent, api_client):
    order = f.WorkOrderFactory()
    client = api_client(agent)
    response = client.post(
        f"{detail(order)}notes/", {"body": "客户下午在", "visibility": "customer"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["author"]["id"] == agent.pk
    notes = client.get(f"{detail(order)}notes/").json()["results"]
    assert [n["body"] for n in notes] == ["客户下午在"]
    assert [e["kind"] for e in client.get(f"{detail(order)}events/").json()["results"]] == ["note"]


@pytest.mark.parametrize(
    "payload, field",
    [({}, "body"), ({"body": ""}, "body"), ({"body": "x", "visibility": "world"}, "visibility")],
)
def test_bad_notes_are_400(agent, api_client, payload, field):
    order = f.WorkOrderFactory()
    assert_problem(api_client(agent).post(f"{detail(order)}notes/", payload, format="json"), 400, field=field)
    assert not Note.objects.exists()


@pytest.mark.parametrize(
    "name, content, mime",
    [("photo.png", PNG_BYTES, "image/png"), ("报告.pdf", PDF_BYTES, "application/pdf")],
)
def test_r21_attachment_upload_and_download(agent, api_client, name, content, mime):
    order = f.WorkOrderFactory()
    client = api_client(agent)
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    response = client.post(
        f"{detail(order)}attachments/", {"file": upload, "description": "现场照片"}, format="multipart"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["content_type"] == mime and body["original_name"] == name and body["size"] == len(content)
    listed = client.get(f"{detail(order)}attachments/").json()["results"]
    assert [a["id"] for a in listed] == [body["id"]]
    download = client.get(body["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert download["Content-Type"] == mime
    assert "attachment" in download["Content-Disposition"]


@pytest.mark.parametrize(
    "name, content",
    [
        ("photo.png", b"just some text pretending to be a PNG"),
        ("script.pdf", b"#!/bin/sh\necho hi\n"),
        ("archive.zip", b"PK\x03\x04" + b"\x00" * 40),
    ],
)
def test_r21_attachment_type_checked_by_content(agent, api_client, name, content):
    order = f.WorkOrderFactory()
    upload = SimpleUploadedFile(name, content, content_type="image/png")
    response = api_client(agent).post(f"{detail(order)}attachments/", {"file": upload}, format="multipart")
    assert_problem(response, 400, field="file", code="invalid_type")
    assert not Attachment.objects.exists()


def test_r21_attachment_size_limit(agent, api_client, settings):
    settings.ATTACHMENT_MAX_BYTES = 64
    order = f.WorkOrderFactory()
    upload = SimpleUploadedFile("big.png", PNG_BYTES + b"\x00" * 100, content_type="image/png")
    response = api_client(agent).post(f"{detail(order)}attachments/", {"file": upload}, format="multipart")
    assert_problem(response, 400, field="file", code="too_large")
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("data", [{}, {"file": "not a file"}, {"file": ""}])
def test_r21_attachment_missing_file_is_400(agent, api_client, data):
    order = f.WorkOrderFactory()
    response = api_client(agent).post(f"{detail(order)}attachments/", data, format="multipart")
    assert_problem(response, 400, field="file")


def test_r21_empty_attachment_is_400(agent, api_client):
    order = f.WorkOrderFactory()
    upload = SimpleUploadedFile("empty.png", b"", content_type="image/png")
    response = api_client(agent).post(f"{detail(order)}attachments/", {"file": upload}, format="multipart")
    assert_problem(response, 400, field="file")


def test_r21_attachment_json_body_is_a_problem(agent, api_client):
    order = f.WorkOrderFactory()
    response = api_client(agent).post(f"{detail(order)}attachments/", {"file": "x"}, format="json")
    assert_problem(response, 415)


def test_r21_r41_download_by_uuid_never_by_sequential_id(agent, api_client):
    first, second = f.WorkOrderFactory(), f.WorkOrderFactory()
    attachment = services.attachment_add(
        work_order=first, actor=agent, upload=SimpleUploadedFile("p.png", PNG_BYTES, content_type="image/png")
    )
    client = api_client(agent)
    listed = client.get(f"{detail(first)}attachments/").json()["results"][0]
    assert listed["uuid"] == str(attachment.uuid) and str(attachment.uuid) in listed["download_url"]
    assert client.get(listed["download_url"]).status_code == 200
    assert_problem(client.get(f"{detail(second)}attachments/{attachment.uuid}/download/"), 404)
    assert client.get(f"{detail(first)}attachments/{attachment.pk}/download/").status_code == 404
    attachment.file.delete(save=False)
    assert_problem(client.get(f"{detail(first)}attachments/{attachment.uuid}/download/"), 404)


def test_r37_assigning_another_dealers_engineer_reads_as_an_unknown_engineer(world, api_client):
    """The answer is the same for another dealer's engineer and for an id no engineer has, so it
    tells nothing of the other dealer's people; the work order stays as it was."""
    order = world.order_a
    order.state = State.ACCEPTED
    order.save(update_fields=["state"])
    client = api_client(world.staff_a)
    url = f"/api/workorders/{order.pk}/assign/"
    theirs = client.post(url, {"engineer": world.engineer_b.pk, "version": order.version}, format="json")
    unknown = client.post(url, {"engineer": 987654, "version": order.version}, format="json")
    assert_problem(theirs, 400, field="engineer", code="does_not_exist")
    assert_problem(unknown, 400, field="engineer", code="does_not_exist")
    order.refresh_from_db()
    assert (order.state, order.engineer_id) == (State.ACCEPTED, None)
