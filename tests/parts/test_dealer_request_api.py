"""The part request API (R28, R37): drafts and their lines, one POST per transition (409 from
another state, 403 for another role, 400 naming the input), scoped to the dealer, in the OpenAPI
schema."""

from __future__ import annotations

import pytest

from aftersales.parts.choices import PartRequestState
from aftersales.parts.models import AccountEntry, PartRequest

from ..api.helpers import assert_problem

pytestmark = pytest.mark.django_db

S = PartRequestState
BASE = "/api/part-requests/"


def test_r28_a_dealer_draws_up_a_request_and_edits_its_lines(dealers, api_client):
    api = api_client(dealers.world.staff_a)
    created = api.post(
        BASE,
        {
            "service_point": dealers.world.point_a.pk,
            "note": "急需",
            "lines": [{"part": dealers.part.pk, "quantity": 2}],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["state"] == "draft" and body["number"].startswith("PR")
    assert body["available_actions"] == ["submit", "cancel"]
    pk = body["id"]

    added = api.post(f"{BASE}{pk}/lines/", {"part": dealers.other_part.pk, "quantity": 1}, format="json")
    assert added.status_code == 201 and len(added.json()["lines"]) == 2
    line = next(line for line in added.json()["lines"] if line["part_number"] == "PR-100")
    changed = api.patch(f"/api/part-request-lines/{line['id']}/", {"quantity": 3}, format="json")
    assert [row["quantity"] for row in changed.json()["lines"] if row["part_number"] == "PR-100"] == [3]
    removed = api.delete(f"/api/part-request-lines/{line['id']}/")
    assert len(removed.json()["lines"]) == 1
    assert api.patch(f"{BASE}{pk}/", {"note": "不急"}, format="json").json()["note"] == "不急"
    # the state changes only through the actions
    assert_problem(
        api.patch(f"{BASE}{pk}/", {"state": "received"}, format="json"),
        400,
        field="state",
        code="unknown_field",
    )
    # another dealer's service point does not exist for this dealer
    assert_problem(
        api.patch(f"{BASE}{pk}/", {"service_point": dealers.world.point_b.pk}, format="json"),
        400,
        field="service_point",
    )


def test_r28_the_whole_lifecycle_through_the_action_endpoints(dealers, api_client):
    staff, clerk, finance = (api_client(u) for u in (dealers.world.staff_a, dealers.clerk, dealers.finance))
    pk = dealers.draft(quantity=2).pk
    assert staff.post(f"{BASE}{pk}/submit/", {}, format="json").json()["state"] == "submitted"
    line = PartRequest.objects.get(pk=pk).lines.get()
    confirmed = clerk.post(
        f"{BASE}{pk}/confirm/",
        {"expected_ship_date": "2026-12-20", "lines": [{"line": line.pk, "unit_cost": "110.50"}]},
        format="json",
    )
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["total"] == "221.00" and confirmed.json()["lines"][0]["confirmed_quantity"] == 2
    assert staff.post(f"{BASE}{pk}/accept/", {}, format="json").json()["state"] == "accepted"
    assert finance.post(f"{BASE}{pk}/debit/", {}, format="json").json()["state"] == "debited"
    shipped = clerk.post(
        f"{BASE}{pk}/ship/", {"carrier": "顺丰速运", "tracking_number": "SF1234567890"}, format="json"
    ).json()
    assert shipped["state"] == "shipped" and shipped["shipment"]["tracking_number"] == "SF1234567890"
    received = staff.post(f"{BASE}{pk}/receive/", {}, format="json").json()
    assert received["state"] == "received" and received["shipment"]["state"] == "received"
    assert [e["action"] for e in received["events"]] == [
        "create",
        "submit",
        "confirm",
        "accept",
        "debit",
        "ship",
        "receive",
    ]


def test_r28_refused_transitions_are_409_403_or_400_and_change_nothing(dealers, api_client):
    pk = dealers.advance(dealers.draft(), S.SUBMITTED).pk
    staff, clerk, finance = (api_client(u) for u in (dealers.world.staff_a, dealers.clerk, dealers.finance))
    assert_problem(staff.post(f"{BASE}{pk}/accept/", {}, format="json"), 409, code="transition_not_allowed")
    assert_problem(
        staff.post(f"{BASE}{pk}/reject/", {"reason": "x"}, format="json"), 403, code="permission_denied"
    )
    assert_problem(
        clerk.post(f"{BASE}{pk}/confirm/", {}, format="json"),
        400,
        field="expected_ship_date",
        code="required",
    )
    assert_problem(clerk.post(f"{BASE}{pk}/reject/", {}, format="json"), 400, field="reason", code="required")
    assert_problem(
        clerk.post(
            f"{BASE}{pk}/confirm/",
            {"expected_ship_date": "2026-12-20", "lines": [{"line": 999999}]},
            format="json",
        ),
        400,
        field="lines",
    )
    assert PartRequest.objects.get(pk=pk).state == S.SUBMITTED
    # debited once: the second debit is a 409 and posts nothing
    pk = dealers.advance(dealers.draft(), S.DEBITED).pk
    assert_problem(finance.post(f"{BASE}{pk}/debit/", {}, format="json"), 409, code="transition_not_allowed")
    assert AccountEntry.objects.filter(part_request_id=pk).count() == 1


def test_r28_over_the_limit_the_debit_needs_approve_over_limit(dealers, api_client):
    from decimal import Decimal

    from aftersales.parts.models import DealerAccount

    DealerAccount.objects.create(dealer=dealers.world.dealer_a, credit_limit=Decimal("50.00"))
    pk = dealers.advance(dealers.draft(), S.ACCEPTED).pk
    finance = api_client(dealers.finance)
    assert api_client(dealers.world.staff_a).get(f"{BASE}{pk}/").json()["needs_credit_approval"] is True
    assert_problem(
        finance.post(f"{BASE}{pk}/debit/", {}, format="json"),
        409,
        field="approve_over_limit",
        code="credit_limit_exceeded",
    )
    debited = finance.post(f"{BASE}{pk}/debit/", {"approve_over_limit": True}, format="json").json()
    assert debited["state"] == "debited" and debited["credit_approved_by"]["id"] == dealers.finance.pk


def test_r37_another_dealers_request_is_not_found(dealers, api_client):
    pr = dealers.draft()
    other = api_client(dealers.world.staff_b)
    assert_problem(other.get(f"{BASE}{pr.pk}/"), 404)
    assert_problem(other.post(f"{BASE}{pr.pk}/submit/", {}, format="json"), 404)
    assert_problem(other.post(f"{BASE}{pr.pk}/lines/", {"part": dealers.part.pk}, format="json"), 404)
    assert_problem(
        other.patch(f"/api/part-request-lines/{pr.lines.get().pk}/", {"quantity": 1}, format="json"), 404
    )
    assert_problem(other.delete(f"{BASE}{pr.pk}/"), 404)
    assert other.get(BASE).json()["count"] == 0
    assert api_client(dealers.clerk).get(BASE).json()["count"] == 1  # HQ sees every dealer's


def test_r28_r41_a_draft_is_withdrawn_with_its_history_kept_a_submitted_one_is_not(dealers, api_client):
    api = api_client(dealers.world.staff_a)
    draft = dealers.draft()
    assert api.delete(f"{BASE}{draft.pk}/").status_code == 204
    draft.refresh_from_db()
    assert draft.state == S.CANCELLED and draft.events.filter(action="cancel").exists()
    submitted = dealers.advance(dealers.draft(), S.SUBMITTED)
    assert_problem(api.delete(f"{BASE}{submitted.pk}/"), 409, code="part_request_not_draft")


def test_r28_the_list_filters_by_state_and_dealer(dealers, api_client):
    submitted = dealers.advance(dealers.draft(), S.SUBMITTED)
    dealers.draft(staff=dealers.world.staff_b)
    hq = api_client(dealers.clerk)
    rows = hq.get(BASE, {"state": "submitted"}).json()["results"]
    assert [row["number"] for row in rows] == [submitted.number]
    rows = hq.get(BASE, {"dealer": dealers.world.dealer_b.pk}).json()["results"]
    assert [row["dealer"]["id"] for row in rows] == [dealers.world.dealer_b.pk]


def test_r28_the_part_request_and_dealer_account_paths_are_in_the_schema(dealers, api_client):
    schema = api_client(dealers.clerk).get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    for action in ("submit", "confirm", "reject", "accept", "debit", "ship", "receive", "cancel"):
        post = paths[f"/api/part-requests/{{id}}/{action}/"]["post"]
        assert {"200", "400", "403", "404", "409"} <= set(post["responses"]), action
    confirm = schema["components"]["schemas"]["PartRequestConfirmInputRequest"]
    assert {"expected_ship_date", "lines", "note"} <= set(confirm["properties"])
    for path in (
        "/api/part-requests/",
        "/api/part-requests/{id}/lines/",
        "/api/part-request-lines/{id}/",
        "/api/dealer-accounts/",
        "/api/dealer-accounts/{id}/statement/",
        "/api/dealer-accounts/{id}/payments/",
        "/api/dealer-accounts/{id}/credit-limit/",
        "/api/account-entries/",
        "/api/account-entries/{id}/reverse/",
        "/api/fee-schedules/{id}/approve/",
        "/api/fee-schedules/{id}/reject/",
    ):
        assert path in paths, path
    assert "credit_limit_exceeded" in schema["info"]["description"]
    assert "Paginated" in str(paths["/api/account-entries/"]["get"]["responses"]["200"])
