"""API: one POST per transition calling the same services (R6, R8, R13, R14), JSON problems for
refusals (409 from another state, 403 for a role, 404 outside the scope, R37)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aftersales.servicing.models import DepotRepair, ServicePlan
from aftersales.servicing.services import (
    depot_repair_inspect,
    depot_repair_receive,
    external_repair_send,
    plan_create,
    remote_session_start,
)
from aftersales.workorders.choices import State

from ..api.helpers import PNG_BYTES, assert_problem

pytestmark = pytest.mark.django_db


def png(name="p.png"):
    return SimpleUploadedFile(name, PNG_BYTES, content_type="image/png")


def test_r6_remote_session_api_and_409_once_closed(api_client, order, eng):
    client = api_client(eng)
    response = client.post(
        "/api/remote-sessions/",
        {"work_order": order.pk, "method": "phone", "steps": "电话指导"},
        format="json",
    )
    assert response.status_code == 201, response.content
    session = response.json()
    assert session["state"] == "open" and set(session["available_actions"]) == {"solve", "escalate"}
    solved = client.post(
        f"/api/remote-sessions/{session['id']}/solve/",
        {"result": "已解决", "complete_work_order": True},
        format="json",
    )
    assert solved.status_code == 200 and solved.json()["state"] == "solved"
    order.refresh_from_db()
    assert order.state == State.COMPLETED
    again = client.post(f"/api/remote-sessions/{session['id']}/escalate/", {"result": "x"}, format="json")
    assert_problem(again, 409, code="transition_not_allowed")
    missing = client.post(
        "/api/remote-sessions/", {"work_order": order.pk, "method": "phone", "steps": " "}, format="json"
    )
    assert_problem(missing, 400, field="steps")


def test_r8_plan_api_and_the_start_guard(api_client, make_order, eng, supervisor):
    order = make_order(State.ASSIGNED)
    client = api_client(eng)
    content = {
        "measures": "更换定影组件",
        "estimated_hours": "2.0",
        "fees_apply": True,
        "fee_basis": "out_of_warranty",
    }
    plan = client.post("/api/service-plans/", {"work_order": order.pk, **content}, format="json").json()
    assert plan["state"] == "draft" and plan["revision"] == 1
    start = client.post(f"/api/workorders/{order.pk}/start/", {}, format="json")
    assert_problem(start, 409, code="plan_not_confirmed")
    assert (
        client.patch(f"/api/service-plans/{plan['id']}/", {"parts": "定影组件"}, format="json").json()[
            "parts"
        ]
        == "定影组件"
    )
    assert (
        client.post(
            f"/api/service-plans/{plan['id']}/send/", {"sent_via": "wechat"}, format="json"
        ).status_code
        == 200
    )
    rejected = client.post(f"/api/service-plans/{plan['id']}/reject/", {"reason": "太贵"}, format="json")
    assert rejected.json()["state"] == "rejected"
    revised = client.post(
        f"/api/service-plans/{plan['id']}/revise/", {"reason": "只清洁", "fees_apply": False}, format="json"
    )
    assert (
        revised.status_code == 201
        and revised.json()["revision"] == 2
        and revised.json()["measures"] == "更换定影组件"
    )
    second = revised.json()["id"]
    client.post(f"/api/service-plans/{second}/send/", {}, format="json")
    confirmed = client.post(
        f"/api/service-plans/{second}/confirm/",
        {"confirmed_by_name": "李娜", "confirmation_method": "in_person"},
        format="json",
    )
    assert confirmed.json()["state"] == "confirmed"
    assert (
        client.post(f"/api/workorders/{order.pk}/start/", {}, format="json").json()["state"] == "in_service"
    )
    third = client.post(f"/api/service-plans/{second}/revise/", {"reason": "新发现"}, format="json").json()
    assert third["awaits_approval"] is True
    assert_problem(
        client.post(f"/api/service-plans/{third['id']}/send/", {}, format="json"), 409, code="needs_approval"
    )
    assert_problem(client.post(f"/api/service-plans/{third['id']}/approve/", {}, format="json"), 403)
    approved = api_client(supervisor).post(f"/api/service-plans/{third['id']}/approve/", {}, format="json")
    assert approved.json()["awaits_approval"] is False
    assert_problem(
        client.post(f"/api/service-plans/{third['id']}/send/", {"bogus": 1}, format="json"),
        400,
        field="bogus",
    )


def test_r13_r14_depot_and_external_repair_through_the_api(api_client, order, eng, vendor):
    client = api_client(eng)
    repair = client.post(
        "/api/depot-repairs/", {"work_order": order.pk, "accessories": "电源线"}, format="json"
    ).json()
    base = f"/api/depot-repairs/{repair['id']}"
    inspected = client.post(
        f"{base}/inspect/",
        {"appearance": "完好", "configuration": "标准", "photos": [png("a.png"), png("b.png")]},
    )
    assert inspected.status_code == 200, inspected.content
    body = inspected.json()
    assert body["state"] == "inspected" and len(body["photos"]) == 2 and body["warranty_now"]["state"] == "in"
    assert "send-out" in body["available_actions"] and "start-repair" in body["available_actions"]
    assert client.post(f"{base}/start-repair/", {}, format="json").json()["state"] == "repairing"
    entry = client.post(f"{base}/entries/", {"work_done": "拆机", "measurements": "电压 220V"}, format="json")
    assert entry.status_code == 201 and client.get(f"{base}/entries/").json()[0]["work_done"] == "拆机"
    sent = client.post(
        f"{base}/send-out/",
        {
            "vendor": vendor.pk,
            "reason": "in_warranty",
            "vendor_contact": "陈工",
            "voucher_number": "V-77",
            "voucher_photo": png("v.png"),
        },
    )
    assert sent.status_code == 201, sent.content
    external = sent.json()
    assert external["state"] == "sent" and external["voucher_photo"] is not None
    order.refresh_from_db()
    assert order.state == State.WAITING and order.waiting_reason == "vendor"
    ext = f"/api/external-repairs/{external['id']}"
    assert client.post(f"{ext}/follow-ups/", {"note": "供应商称三天后寄回"}, format="json").status_code == 201
    assert client.get(f"{ext}/follow-ups/").json()[0]["kind"] == "contact"
    received = client.post(f"{ext}/receive/", {"vendor_report": "更换主板", "cost": "120.00"}, format="json")
    assert received.json()["cost"] == "120.00"
    assert client.post(f"{ext}/recheck/", {"result": "正常"}, format="json").json()["state"] == "rechecked"
    assert client.post(f"{ext}/complete/", {}, format="json").json()["state"] == "done"
    assert client.get(base + "/").json()["state"] == "repairing"
    assert_problem(client.post(f"{ext}/complete/", {}, format="json"), 409)
    assert (
        client.post(f"{base}/recheck/", {"result": "交付前自检正常"}, format="json").json()["state"]
        == "rechecked"
    )
    handed = client.post(
        f"{base}/hand-back/", {"handed_back_to": "李娜", "confirmation_method": "signature"}, format="json"
    )
    assert handed.json()["state"] == "handed_back" and handed.json()["handover_method"] == "signature"


def test_r14_send_out_refusals_as_field_problems(api_client, order, eng, vendor, device):
    device.purchase_date = timezone.localdate() - timedelta(days=900)
    device.save()
    client = api_client(eng)
    repair = client.post("/api/depot-repairs/", {"work_order": order.pk}, format="json").json()
    client.post(
        f"/api/depot-repairs/{repair['id']}/inspect/", {"appearance": "完好", "configuration": "标准"}
    )
    response = client.post(
        f"/api/depot-repairs/{repair['id']}/send-out/",
        {"vendor": vendor.pk, "reason": "in_warranty", "vendor_contact": "", "voucher_number": ""},
        format="json",
    )
    body = assert_problem(response, 400)
    assert {e["field"] for e in body["errors"]} == {"reason", "vendor_contact", "voucher_number"}


def test_r37_servicing_api_is_scoped(api_client, world, order, eng, finance):
    repair = api_client(eng).post("/api/depot-repairs/", {"work_order": order.pk}, format="json").json()
    outsider = api_client(world.staff_b)
    assert outsider.get("/api/depot-repairs/").json()["count"] == 0
    assert_problem(outsider.get(f"/api/depot-repairs/{repair['id']}/"), 404)
    assert_problem(outsider.post(f"/api/depot-repairs/{repair['id']}/inspect/", {}, format="json"), 404)
    assert_problem(
        outsider.post("/api/depot-repairs/", {"work_order": order.pk}, format="json"), 400, field="work_order"
    )
    assert api_client(finance).get("/api/depot-repairs/").json()["count"] == 1
    assert_problem(
        api_client(finance).post(
            "/api/service-plans/",
            {"work_order": order.pk, "measures": "x", "estimated_hours": 1},
            format="json",
        ),
        403,
    )
    assert DepotRepair.objects.count() == 1 and not ServicePlan.objects.exists()


def test_r14_vendor_api_lists_vendors_with_filters(api_client, eng, vendor, line):
    client = api_client(eng)
    rows = client.get("/api/repair-vendors/", {"product_line": line.pk}).json()["results"]
    assert [row["name"] for row in rows] == [vendor.name] and rows[0]["product_lines"][0]["name"] == line.name
    # Vendors are kept by supervisors and HQ admins (tests/api/test_config_api.py), not engineers.
    assert client.post("/api/repair-vendors/", {"name": "x"}, format="json").status_code == 403


def test_servicing_paths_are_in_the_schema(api_client, eng):
    paths = api_client(eng).get("/api/schema/", {"format": "json"}).json()["paths"]
    for path in (
        "/api/remote-sessions/{id}/solve/",
        "/api/service-plans/{id}/confirm/",
        "/api/depot-repairs/{id}/send-out/",
        "/api/depot-repairs/{id}/entries/",
        "/api/external-repairs/{id}/resend/",
        "/api/external-repairs/{id}/follow-ups/",
    ):
        assert path in paths, path


def test_r37_api_lists_take_a_fixed_number_of_queries(api_client, make_order, eng, supervisor, vendor):
    def add_records() -> None:
        order = make_order()
        remote_session_start(work_order=order, actor=eng, method="phone", steps="电话指导")
        plan_create(work_order=order, actor=eng, measures="清洁", estimated_hours=1)
        repair = depot_repair_receive(work_order=order, actor=eng)
        depot_repair_inspect(repair_id=repair.pk, actor=eng, appearance="完好", configuration="标准")
        external_repair_send(
            repair_id=repair.pk,
            actor=eng,
            vendor=vendor,
            reason="in_warranty",
            vendor_contact="陈工",
            voucher_number="V",
        )

    client = api_client(supervisor)
    urls = ["/api/remote-sessions/", "/api/service-plans/", "/api/depot-repairs/", "/api/external-repairs/"]

    def counts() -> list[int]:
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            result.append(len(queries))
        return result

    add_records()
    few = counts()
    for _ in range(3):
        add_records()
    assert counts() == few
