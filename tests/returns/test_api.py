"""R33 API: drafts written and thrown away, one POST per step (409 from another state or outside
the rules, naming the rule; 403 for another role; 400 naming the input), photos, the list with
filters and pages, the rules; another dealer's request is 404 (R37); the OpenAPI schema describes
every endpoint with its problems."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aftersales.returns.choices import ReturnState
from aftersales.returns.models import ReturnRequest

from ..api.helpers import PDF_BYTES, PNG_BYTES, assert_problem
from .conftest import TODAY, run_to

pytestmark = pytest.mark.django_db

URL = "/api/returns/"


def test_r33_a_draft_is_drawn_up_changed_and_thrown_away(api_client, people, side_a):
    api = api_client(people.agent)

    created = api.post(
        URL,
        {"work_order": side_a.work_order.pk, "kind": "return", "reason": "doa", "condition": "unopened"},
        format="json",
    )

    assert created.status_code == 201, created.content
    body = created.json()
    assert body["number"].startswith("TH") and body["state"] == "draft"
    assert body["customer"]["id"] == side_a.customer.pk and body["serial_number"] == "SN-RA-0001"
    assert body["purchase_date"] == "2026-11-15"
    assert [b["code"] for b in body["rules_broken"]] == ["return_proof_missing"]
    assert "submit" in body["available_actions"] and body["steps"][0]["action"] == "create"

    changed = api.patch(f"{URL}{body['id']}/", {"proof_of_purchase": "FP123"}, format="json")
    assert changed.status_code == 200 and changed.json()["rules_broken"] == []
    assert_problem(api.patch(f"{URL}{body['id']}/", {"state": "approved"}, format="json"), 400, field="state")

    assert api.delete(f"{URL}{body['id']}/").status_code == 204
    assert not ReturnRequest.objects.exists()


def test_r33_create_names_the_input_at_fault(api_client, people, side_b):
    api = api_client(people.agent)
    assert_problem(api.post(URL, {"kind": "return"}, format="json"), 400, field="reason", code="required")
    assert_problem(
        api.post(URL, {"kind": "return", "reason": "doa", "condition": "unopened"}, format="json"),
        400,
        field="customer",
    )
    staff = api_client(side_b.staff)
    other = api.post(
        URL, {"customer": 999999, "kind": "return", "reason": "doa", "condition": "unopened"}, format="json"
    )
    assert_problem(other, 400, field="customer", code="does_not_exist")
    assert staff  # a dealer's staff cannot name another dealer's work order either:


def test_r37_a_dealers_staff_name_only_their_own_work_orders(api_client, side_a, side_b):
    response = api_client(side_b.staff).post(
        URL,
        {"work_order": side_a.work_order.pk, "kind": "return", "reason": "doa", "condition": "unopened"},
        format="json",
    )
    assert_problem(response, 400, field="work_order", code="does_not_exist")


def test_r33_one_post_per_step(api_client, people, draft):
    request = draft(purchase_date=TODAY)
    agent, clerk, parts, finance = (
        api_client(u) for u in (people.agent, people.clerk, people.parts, people.finance)
    )

    assert agent.post(f"{URL}{request.pk}/submit/", {}, format="json").json()["state"] == "submitted"
    assert_problem(
        agent.post(f"{URL}{request.pk}/approve/", {}, format="json"), 403, code="permission_denied"
    )
    assert (
        clerk.post(f"{URL}{request.pk}/approve/", {"note": "同意"}, format="json").json()["state"]
        == "approved"
    )
    assert_problem(
        clerk.post(f"{URL}{request.pk}/approve/", {}, format="json"), 409, code="transition_not_allowed"
    )
    assert_problem(
        parts.post(f"{URL}{request.pk}/pickup/", {"carrier": "顺丰速运"}, format="json"),
        400,
        field="tracking_number",
        code="required",
    )
    picked = parts.post(
        f"{URL}{request.pk}/pickup/", {"carrier": "顺丰速运", "tracking_number": "SF778899"}, format="json"
    )
    assert picked.json()["pickup_tracking_number"] == "SF778899"
    received = parts.post(f"{URL}{request.pk}/receive/", {"inspection_result": "as_described"}, format="json")
    assert received.json()["state"] == "received"
    assert_problem(
        parts.post(
            f"{URL}{request.pk}/ship-replacement/", {"carrier": "a", "tracking_number": "b"}, format="json"
        ),
        409,
        code="return_kind_mismatch",
    )
    refund = {"refund_amount": "1280.00", "refund_method": "alipay"}
    refunded = finance.post(f"{URL}{request.pk}/refund/", refund, format="json", HTTP_IDEMPOTENCY_KEY="rf-1")
    assert (refunded.json()["state"], refunded.json()["refund_amount"]) == ("refunded", "1280.00")
    # money moves once: the retry under the key is the first answer, not a 409 or a second refund
    again = finance.post(f"{URL}{request.pk}/refund/", refund, format="json", HTTP_IDEMPOTENCY_KEY="rf-1")
    assert again.status_code == 200 and again.content == refunded.content
    assert again["Idempotent-Replayed"] == "true"
    assert_problem(agent.post(f"{URL}{request.pk}/follow-up/", {"foo": 1}, format="json"), 400, field="foo")


def test_r33_a_request_outside_the_rules_is_refused_with_409_naming_the_rule(api_client, people, draft):
    request = draft(purchase_date=TODAY.replace(day=1))
    api = api_client(people.agent)

    body = assert_problem(
        api.post(f"{URL}{request.pk}/submit/", {}, format="json"),
        409,
        field="purchase_date",
        code="return_window_passed",
    )
    assert "2026-11-01" in body["title"]

    excepted = api_client(people.supervisor).post(
        f"{URL}{request.pk}/grant-exception/", {"reason": "特批"}, format="json"
    )
    assert excepted.status_code == 200 and excepted.json()["exception_rules"] == ["window"]
    assert api.post(f"{URL}{request.pk}/submit/", {}, format="json").json()["state"] == "submitted"


def test_r33_photos(api_client, people, draft):
    request = draft()
    api = api_client(people.agent)

    added = api.post(
        f"{URL}{request.pk}/photos/",
        {"photo": SimpleUploadedFile("a.png", PNG_BYTES, "image/png"), "description": "包装"},
        format="multipart",
    )
    assert added.status_code == 201
    assert added.json()["photos"][0]["description"] == "包装"
    refused = api.post(
        f"{URL}{request.pk}/photos/",
        {"photo": SimpleUploadedFile("a.png", PDF_BYTES, "image/png")},
        format="multipart",
    )
    assert_problem(refused, 400, field="photo", code="return_photo_invalid")
    photo_url = added.json()["photos"][0]["url"]
    assert api.get(photo_url).status_code == 200


def test_r33_the_list_filters_and_pages(api_client, people, draft, side_b):
    first = run_to(draft(), people, "approve")
    draft(work_order=side_b.work_order)
    draft()
    api = api_client(people.agent)

    page = api.get(URL, {"page_size": 2}).json()
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]
    assert "steps" not in page["results"][0]
    assert [r["number"] for r in api.get(URL, {"state": "approved"}).json()["results"]] == [first.number]
    assert api.get(URL, {"customer": side_b.customer.pk}).json()["count"] == 1
    assert_problem(api.get(URL, {"state": "nonsense"}), 400, field="state")


def test_r37_another_dealers_request_is_not_found(api_client, people, draft, side_b):
    theirs = draft()
    mine = draft(work_order=side_b.work_order)
    api = api_client(side_b.staff)

    assert_problem(api.get(f"{URL}{theirs.pk}/"), 404)
    assert_problem(api.post(f"{URL}{theirs.pk}/submit/", {}, format="json"), 404)
    assert_problem(api.delete(f"{URL}{theirs.pk}/"), 404)
    assert [r["number"] for r in api.get(URL).json()["results"]] == [mine.number]


def test_r33_the_rules_through_the_api(api_client, people):
    assert api_client(people.agent).get(f"{URL}rules/").json()["return_days"] == 7
    assert_problem(api_client(people.agent).patch(f"{URL}rules/", {"return_days": 3}, format="json"), 403)

    changed = api_client(people.supervisor).patch(
        f"{URL}rules/", {"return_days": 3, "return_conditions": ["unopened"]}, format="json"
    )

    assert changed.status_code == 200
    assert (changed.json()["return_days"], changed.json()["return_conditions"]) == (3, ["unopened"])


def test_r33_the_schema_describes_every_endpoint(api_client, people):
    schema = api_client(people.agent).get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]

    assert {"get", "post"} <= set(paths["/api/returns/"])
    assert {"get", "patch", "delete"} <= set(paths["/api/returns/{id}/"])
    for action in ("submit", "grant-exception", "approve", "refuse", "pickup", "receive", "refund"):
        post = paths[f"/api/returns/{{id}}/{action}/"]["post"]
        assert {"200", "400", "403", "404", "409"} <= set(post["responses"]), action
    assert {"get", "patch"} <= set(paths["/api/returns/rules/"])
    assert "multipart/form-data" in paths["/api/returns/{id}/photos/"]["post"]["requestBody"]["content"]
    listing = paths["/api/returns/"]["get"]
    assert {"state", "kind", "customer", "overdue", "q", "page"} <= {p["name"] for p in listing["parameters"]}
    assert "return_window_passed" in schema["info"]["description"]
    assert ReturnState.REPLACEMENT_SHIPPED in str(schema["components"]["schemas"])


def test_r33_the_api_list_costs_the_same_whatever_its_rows(api_client, people, draft, side_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = api_client(side_a.engineer.user)
    draft()
    with CaptureQueriesContext(connection) as few:
        api.get(URL)
    for _number in range(4):
        run_to(draft(), people, "receive")
    with CaptureQueriesContext(connection) as many:
        assert api.get(URL).json()["count"] == 5
    assert len(many) == len(few)


def test_r37_another_dealers_photo_is_not_found(api_client, people, draft, side_b):
    theirs = draft()
    added = api_client(people.agent).post(
        f"{URL}{theirs.pk}/photos/",
        {"photo": SimpleUploadedFile("a.png", PNG_BYTES, "image/png")},
        format="multipart",
    )
    photo_url = added.json()["photos"][0]["url"]

    assert_problem(api_client(side_b.staff).get(photo_url), 404)
    assert api_client(people.quality).get(photo_url).status_code == 200
