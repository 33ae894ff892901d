"""API of complaints (R26) and difficult cases (R27): scoped lists with the pages' filters,
register and open through the services, one POST per transition with JSON problems."""

from __future__ import annotations

import pytest

from aftersales.accounts.choices import Role
from aftersales.complaints.models import Complaint, DifficultCase

from .. import factories as f
from ..api.helpers import assert_problem

pytestmark = pytest.mark.django_db


def test_r26_register_and_walk_a_complaint_through_the_api(
    api_client, agent, quality, supervisor, clerk, work_order, engineer
):
    created = api_client(agent).post(
        "/api/complaints/",
        {
            "work_order": work_order.pk,
            "category": "quality",
            "severity": "serious",
            "description": "修后复发",
            "people": [engineer.user.pk],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["state"] == "registered" and body["customer"]["id"] == work_order.customer_id
    assert body["available_actions"] == [] and body["response_risk"] in {"ok", "warning", "overdue"}
    pk = body["id"]

    assert api_client(quality).get(f"/api/complaints/{pk}/").json()["available_actions"] == [
        "accept",
        "reject",
    ]
    assert (
        api_client(quality).post(f"/api/complaints/{pk}/accept/", {}, format="json").json()["state"]
        == "accepted"
    )
    assert_problem(
        api_client(quality).post(f"/api/complaints/{pk}/accept/", {}, format="json"),
        409,
        code="transition_not_allowed",
    )
    assert_problem(
        api_client(quality).post(f"/api/complaints/{pk}/analyse/", {}, format="json"), 400, field="cause"
    )
    assert_problem(
        api_client(agent).post(f"/api/complaints/{pk}/analyse/", {"cause": "x"}, format="json"), 403
    )
    assert_problem(
        api_client(quality).post(f"/api/complaints/{pk}/analyse/", {"state": "closed"}, format="json"),
        400,
        field="state",
    )
    api_client(quality).post(f"/api/complaints/{pk}/analyse/", {"cause": "配件质量问题"}, format="json")
    api_client(supervisor).post(f"/api/complaints/{pk}/handle/", {"measures": "更换原装配件"}, format="json")
    api_client(agent).post(f"/api/complaints/{pk}/feed-back/", {"feedback": "已处理"}, format="json")
    closed = api_client(clerk).post(f"/api/complaints/{pk}/close/", {}, format="json")
    assert closed.json()["state"] == "closed"
    history = api_client(clerk).get(f"/api/complaints/{pk}/history/").json()
    assert [row["action"] for row in history] == [
        "register",
        "accept",
        "analyse",
        "handle",
        "feed_back",
        "close",
    ]


def test_r26_reject_through_the_api_needs_a_reason(api_client, agent, quality):
    customer = f.CustomerFactory()
    pk = (
        api_client(agent)
        .post(
            "/api/complaints/",
            {"customer": customer.pk, "category": "charges", "severity": "general", "description": "乱收费"},
            format="json",
        )
        .json()["id"]
    )
    assert_problem(
        api_client(quality).post(f"/api/complaints/{pk}/reject/", {}, format="json"), 400, field="note"
    )
    done = api_client(quality).post(
        f"/api/complaints/{pk}/reject/", {"note": "收费符合标准", "is_authentic": True}, format="json"
    )
    assert done.json()["outcome"] == "rejected" and done.json()["is_authentic"] is True


def test_r26_api_register_refusals(api_client, agent, finance, world):
    assert_problem(api_client(finance).post("/api/complaints/", {}, format="json"), 403)
    missing = api_client(agent).post(
        "/api/complaints/", {"category": "other", "severity": "general", "description": "x"}, format="json"
    )
    assert_problem(missing, 400, field="customer")
    dealer = api_client(world.staff_a).post(  # dealer staff do not register complaints
        "/api/complaints/",
        {"work_order": world.order_b.pk, "category": "other", "severity": "general", "description": "x"},
        format="json",
    )
    assert_problem(dealer, 403)
    assert not Complaint.objects.exists()


def test_r26_api_list_is_scoped_and_filtered(api_client, register, world, supervisor):
    a = register(world.order_a, severity="critical")
    register(world.order_b)
    assert api_client(supervisor).get("/api/complaints/").json()["count"] == 2
    assert [
        r["number"]
        for r in api_client(supervisor).get("/api/complaints/?severity=critical").json()["results"]
    ] == [a.number]
    assert [r["number"] for r in api_client(world.staff_a).get("/api/complaints/").json()["results"]] == [
        a.number
    ]


def test_r27_cases_through_the_api(api_client, register, work_order, clerk, supervisor, agent, make_user):
    register(work_order)
    proposals = api_client(clerk).get("/api/difficult-cases/proposals/").json()
    assert [(p["number"], p["reasons"]) for p in proposals["results"]] == [(work_order.number, ["complaint"])]
    assert_problem(api_client(agent).get("/api/difficult-cases/proposals/"), 403)

    opened = api_client(clerk).post(
        "/api/difficult-cases/", {"work_order": work_order.pk, "handler": clerk.pk}, format="json"
    )
    assert opened.status_code == 201, opened.content
    pk = opened.json()["id"]
    assert_problem(
        api_client(clerk).post(
            "/api/difficult-cases/", {"work_order": work_order.pk, "handler": clerk.pk}, format="json"
        ),
        400,
        code="case_exists",
    )
    api_client(clerk).post(f"/api/difficult-cases/{pk}/start/", {}, format="json")
    wrong = api_client(clerk).post(
        f"/api/difficult-cases/{pk}/escalate/", {"handler": clerk.pk, "note": "超权限"}, format="json"
    )
    assert_problem(wrong, 400, field="handler", code="wrong_role")
    escalated = api_client(clerk).post(
        f"/api/difficult-cases/{pk}/escalate/", {"handler": supervisor.pk, "note": "超权限"}, format="json"
    )
    assert escalated.json()["level"] == 2 and escalated.json()["handler"]["id"] == supervisor.pk
    resolved = api_client(supervisor).post(
        f"/api/difficult-cases/{pk}/resolve/", {"result": "更换主板"}, format="json"
    )
    assert resolved.json()["state"] == "resolved"
    assert_problem(api_client(supervisor).post(f"/api/difficult-cases/{pk}/start/", {}, format="json"), 409)
    steps = api_client(supervisor).get(f"/api/difficult-cases/{pk}/steps/").json()
    assert [(s["action"], s["level"]) for s in steps] == [
        ("open", 1),
        ("start", 1),
        ("escalate", 2),
        ("resolve", 2),
    ]
    dealer = make_user(Role.DEALER_STAFF, username="d9", dealer=f.DealerFactory())
    assert_problem(api_client(dealer).get(f"/api/difficult-cases/{pk}/"), 404)
    assert DifficultCase.objects.count() == 1
