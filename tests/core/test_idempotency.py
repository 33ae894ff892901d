"""Idempotency-Key on the API's create and money endpoints (issue 13, core/idempotency.py): a replay
of the same key and body is the first response and one row, also when the replays run at once
(PostgreSQL); another body under the key is 422; keys are per user, checked for format, and
forgotten after 24 hours by a periodic job."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from aftersales.config.celery import app as celery_app
from aftersales.core.models import IdempotencyKey
from aftersales.core.tasks import purge_idempotency_keys
from aftersales.workorders import services as workorder_services
from aftersales.workorders.choices import WorkOrderType
from aftersales.workorders.models import Note, WorkOrder
from tests import factories as f
from tests.conftest import uses_postgres

from ..api.helpers import PNG_BYTES, assert_problem
from ..timeutil import at, frozen

INTAKE = "/api/workorders/"


def intake(customer, **overrides) -> dict:
    return {
        "customer": customer.pk,
        "contact_name": "张伟",
        "contact_phone": "138 1234 5678",
        "type": WorkOrderType.REPAIR,
        "device_model_text": "HP LaserJet M1005",
        "fault_symptom": "开机后卡纸",
        **overrides,
    }


def post(client, body, key, url=INTAKE, **extra):
    return client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key, **extra)


@pytest.fixture
def customer(db):
    return f.CustomerFactory()


@pytest.mark.django_db
def test_a_replayed_intake_is_the_first_response_and_one_work_order(agent, api_client, customer):
    client = api_client(agent)
    first = post(client, intake(customer), "intake-7f3a")
    replays = [post(client, intake(customer), "intake-7f3a") for _ in range(4)]

    assert first.status_code == 201 and "Idempotent-Replayed" not in first
    for replay in replays:
        assert replay.status_code == 201
        assert replay.content == first.content  # the same body, byte for byte
        assert replay["Location"] == first["Location"]
        assert replay["Idempotent-Replayed"] == "true"
    assert WorkOrder.objects.count() == 1
    key = IdempotencyKey.objects.get()
    assert (key.user, key.key, key.method, key.path) == (agent, "intake-7f3a", "POST", INTAKE)
    assert key.response_status == 201 and key.response_headers == {"Location": first["Location"]}


@pytest.mark.django_db
def test_the_same_body_in_another_key_order_is_a_replay(agent, api_client, customer):
    client = api_client(agent)
    body = intake(customer)
    first = post(client, body, "k1")
    reordered = post(client, dict(reversed(list(body.items()))), "k1")
    assert reordered.status_code == 201 and reordered.json()["id"] == first.json()["id"]


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_422_and_creates_nothing(agent, api_client, customer):
    client = api_client(agent)
    post(client, intake(customer), "k1")
    changed = post(client, intake(customer, fault_symptom="不通电"), "k1")
    assert_problem(changed, 422, field="Idempotency-Key", code="idempotency_key_reused")
    notes = f"/api/workorders/{WorkOrder.objects.get().pk}/notes/"
    elsewhere = post(client, {"text": "客户改约"}, "k1", url=notes)
    assert_problem(elsewhere, 422, code="idempotency_key_reused")  # another endpoint, the same key
    assert WorkOrder.objects.count() == 1 and Note.objects.count() == 0


@pytest.mark.django_db
def test_keys_are_per_user(agent, api_client, customer, make_user):
    other = make_user(agent.role, username="agent2")
    mine = post(api_client(agent), intake(customer), "shared-key")
    theirs = post(api_client(other), intake(customer), "shared-key")
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"] and "Idempotent-Replayed" not in theirs
    assert WorkOrder.objects.count() == 2 and IdempotencyKey.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "x" * 256, "键", "tab\there"])
def test_a_malformed_key_is_400_and_creates_nothing(agent, api_client, customer, key):
    response = post(api_client(agent), intake(customer), key)
    assert_problem(response, 400, field="Idempotency-Key", code="idempotency_key_invalid")
    assert WorkOrder.objects.count() == 0 and IdempotencyKey.objects.count() == 0


@pytest.mark.django_db
def test_the_longest_key_and_no_key_are_accepted(agent, api_client, customer):
    client = api_client(agent)
    assert post(client, intake(customer), "~" * 255).status_code == 201
    assert client.post(INTAKE, intake(customer), format="json").status_code == 201  # no header: no key
    assert WorkOrder.objects.count() == 2 and IdempotencyKey.objects.count() == 1


@pytest.mark.django_db
def test_a_refused_request_keeps_no_key_and_may_be_corrected_under_it(agent, api_client, customer):
    client = api_client(agent)
    refused = post(client, intake(customer, contact_phone="12"), "k1")
    assert_problem(refused, 400, field="contact_phone")
    assert IdempotencyKey.objects.count() == 0
    assert post(client, intake(customer), "k1").status_code == 201


@pytest.mark.django_db
def test_a_failure_after_the_rows_were_written_keeps_neither(agent, api_client, customer, monkeypatch):
    """The key and its response are stored in the transaction of the created rows: the request
    failing after the work order was saved leaves no work order and no key behind."""

    create = workorder_services.workorder_create

    def saved_then_failed(**kwargs):
        create(**kwargs)
        raise RuntimeError("worker died")

    monkeypatch.setattr(workorder_services, "workorder_create", saved_then_failed)
    client = api_client(agent)
    client.raise_request_exception = False
    assert post(client, intake(customer), "k1").status_code == 500
    assert WorkOrder.objects.count() == 0 and IdempotencyKey.objects.count() == 0


@pytest.mark.django_db
def test_a_multipart_upload_is_replayed_by_its_content(agent, api_client, make_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    order = f.WorkOrderFactory()
    client = api_client(make_user("supervisor", username="sup"))
    url = f"/api/workorders/{order.pk}/attachments/"

    def upload(content=PNG_BYTES):
        photo = SimpleUploadedFile("fault.png", content, content_type="image/png")
        return client.post(url, {"file": photo, "description": "卡纸"}, HTTP_IDEMPOTENCY_KEY="photo-1")

    first, again = upload(), upload()
    assert first.status_code == 201 and again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert order.attachments.count() == 1
    assert_problem(upload(PNG_BYTES + b"\0"), 422, code="idempotency_key_reused")


@pytest.mark.django_db
def test_the_hourly_job_forgets_keys_older_than_24_hours(agent, api_client, customer):
    client = api_client(agent)
    with frozen(at(2026, 11, 23, 9, 0)):
        post(client, intake(customer), "old")
    with frozen(at(2026, 11, 24, 8, 0)):
        post(client, intake(customer), "recent")

    with frozen(at(2026, 11, 24, 9, 30)):
        assert purge_idempotency_keys() == 1

    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["recent"]
    again = post(client, intake(customer), "old")  # forgotten: a new request
    assert again.status_code == 201 and WorkOrder.objects.count() == 3


def test_the_purge_is_on_the_beat_schedule():
    celery_app.loader.import_default_modules()
    entry = celery_app.conf.beat_schedule["core-purge-idempotency-keys"]
    assert entry["task"] == purge_idempotency_keys.name and entry["task"] in celery_app.tasks
    assert entry["schedule"] <= timedelta(hours=1).total_seconds()


# --- at once (PostgreSQL) --------------------------------------------------------------------------


needs_postgres = pytest.mark.skipif(
    not uses_postgres(), reason="concurrent transactions need PostgreSQL; SQLite has one writer at a time"
)


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_five_replays_some_at_once_create_exactly_one_work_order(agent, customer):
    """Three requests start together, two more follow: all five get the first response, and the
    database holds one work order (the others waited on the key's insert, then replayed)."""
    barrier = threading.Barrier(3)
    answers: list = []

    def send(together: bool) -> None:
        try:
            if together:
                barrier.wait(timeout=10)
            answers.append(post(_client(agent), intake(customer), "intake-at-once"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(True,)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    send(False)
    send(False)

    assert [answer.status_code for answer in answers] == [201] * 5
    assert len({answer.content for answer in answers}) == 1
    assert sum("Idempotent-Replayed" in answer for answer in answers) == 4
    assert WorkOrder.objects.count() == 1 and IdempotencyKey.objects.count() == 1


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_replay_waiting_too_long_for_the_first_is_409(agent, customer, monkeypatch):
    started, release = threading.Event(), threading.Event()
    create = workorder_services.workorder_create

    def slow_create(**kwargs):
        started.set()
        release.wait(timeout=20)
        return create(**kwargs)

    monkeypatch.setattr(workorder_services, "workorder_create", slow_create)
    first: list = []

    def send_first() -> None:
        try:
            first.append(post(_client(agent), intake(customer), "slow"))
        finally:
            connections.close_all()

    thread = threading.Thread(target=send_first)
    thread.start()
    try:
        assert started.wait(timeout=10)
        with override_settings(IDEMPOTENCY_WAIT_SECONDS=0.2):
            waited = post(_client(agent), intake(customer), "slow")
    finally:
        release.set()
        thread.join(timeout=30)

    assert_problem(waited, 409, field="Idempotency-Key", code="idempotency_request_in_progress")
    assert first[0].status_code == 201
    replay = post(_client(agent), intake(customer), "slow")
    assert replay.status_code == 201 and replay.content == first[0].content
    assert WorkOrder.objects.count() == 1


# --- the schema ------------------------------------------------------------------------------------

# Actions that move money without creating a record of their own (answered 200).
MONEY_ACTIONS = {"/api/claims/{id}/credit/", "/api/returns/{id}/refund/"}
# Creates whose answer must never be stored: a new API token's key is shown once and kept nowhere;
# a new user's request holds their initial password, which no fast hash of the body may keep (a
# repeat is refused anyway: the username is unique).
NOT_REPLAYED = {"/api/auth/token/", "/api/users/"}


def test_every_create_and_money_action_documents_the_header_and_its_errors():
    """Every POST answered 201 (it creates something) and every money action takes the key; a new
    create endpoint without `@idempotent` fails here."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = {
        path: item["post"]
        for path, item in schema["paths"].items()
        if "post" in item
        and ("201" in item["post"]["responses"] or path in MONEY_ACTIONS)
        and path not in NOT_REPLAYED
    }
    assert {"/api/workorders/", "/api/settlements/{id}/payments/", "/api/customers/"} <= set(operations)

    def documented(operation: dict) -> bool:
        headers = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
        return "Idempotency-Key" in headers and {"409", "422"} <= set(operation["responses"])

    missing = sorted(path for path, operation in operations.items() if not documented(operation))
    assert missing == []
    assert not any(documented(schema["paths"][path]["post"]) for path in NOT_REPLAYED)
    header = next(p for p in operations["/api/workorders/"]["parameters"] if p["name"] == "Idempotency-Key")
    assert header.get("required", False) is False
    transition = schema["paths"]["/api/workorders/{id}/accept/"]["post"]
    assert "Idempotency-Key" not in [p["name"] for p in transition["parameters"]]  # not a create
