"""Pages: the servicing panels on the work-order page with exactly the allowed actions (R6, R8,
R13), the depot repair page with its process record (HTMX) and send-outs (R13, R14), the plan
form, and the lists with filters and Excel export, all scoped (R37)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from aftersales.core.models import AccessLog
from aftersales.servicing.choices import DepotState, ExternalState, FollowUpKind, PlanState, RemoteState
from aftersales.servicing.models import DepotRepair, ExternalRepair, ExternalRepairFollowUp, ServicePlan
from aftersales.servicing.services import (
    depot_repair_inspect,
    depot_repair_receive,
    external_repair_receive,
    external_repair_send,
    plan_create,
    plan_send,
    remote_session_start,
)
from aftersales.workorders.choices import State

from .. import factories as f
from ..conftest import COUNT_GUARD_STATEMENTS
from .factories import VendorFactory

pytestmark = pytest.mark.django_db


# The panels' own forms, then the lifecycle buttons of each record.
OWN_ACTIONS = {
    ("workorder", "remote_start"): "servicing:remote_start",
    ("workorder", "depot_receive"): "servicing:depot_receive",
    ("depot", "log"): "servicing:depot_log",
    ("external", "follow_up"): "servicing:follow_up",
}


def action(kind, pk, name):
    if (kind, name) in OWN_ACTIONS:
        return reverse(OWN_ACTIONS[(kind, name)], args=[pk])
    return reverse(f"servicing:{kind}_transition", args=[pk, name])


def detail(order):
    """The work order's page at its Service tab, where servicing's panels are."""
    return reverse("workorders:detail", args=[order.pk]) + "?tab=service"


@pytest.fixture
def logged_in(client, eng):
    client.force_login(eng)
    return client


def test_r6_r8_r13_panels_show_on_the_work_order_with_the_engineers_actions(logged_in, order):
    html = logged_in.get(detail(order)).content.decode()
    for testid in (
        "plan-panel",
        "plan-create",
        "remote-panel",
        "remote-start-form",
        "repair-panel",
        "depot-receive-form",
    ):
        assert f'data-testid="{testid}"' in html


def test_r37_read_only_roles_see_no_empty_panels_nor_actions(client, finance, order, eng):
    client.force_login(finance)
    html = client.get(detail(order)).content.decode()
    assert 'data-testid="plan-panel"' not in html and 'data-testid="remote-panel"' not in html
    remote_session_start(work_order=order, actor=eng, method="phone", steps="电话指导")
    html = client.get(detail(order)).content.decode()
    assert 'data-testid="remote-session"' in html and "remote-action-solve" not in html


def test_r6_remote_session_recorded_and_solved_from_the_page(logged_in, order):
    response = logged_in.post(
        action("workorder", order.pk, "remote_start"), {"method": "phone", "steps": "指导重启"}
    )
    assert response.status_code == 302 and response["Location"] == detail(order) + "#remote"
    session = order.remote_sessions.get()
    html = logged_in.get(detail(order)).content.decode()
    assert 'data-testid="remote-action-solve"' in html and 'data-testid="remote-action-escalate"' in html
    response = logged_in.post(
        action("remote", session.pk, "solve"), {"result": "已解决", "complete_work_order": "on"}, follow=True
    )
    session.refresh_from_db()
    order.refresh_from_db()
    assert session.state == RemoteState.SOLVED and order.state == State.COMPLETED
    assert "Remote session closed: solved." in response.content.decode()


def test_r6_missing_input_is_a_message_and_nothing_changes(logged_in, order):
    response = logged_in.post(action("workorder", order.pk, "remote_start"), {"method": "phone"}, follow=True)
    assert "Steps taken" in response.content.decode()
    assert not order.remote_sessions.exists()


def test_r8_plan_form_with_field_errors_then_saved(logged_in, order):
    url = reverse("servicing:plan_create", args=[order.pk])
    assert logged_in.get(url).status_code == 200
    data = {
        "measures": "更换搓纸轮",
        "parts": "搓纸轮 ×1",
        "tools": "",
        "estimated_hours": "1.5",
        "fees_apply": "on",
    }
    response = logged_in.post(url, data)
    assert response.status_code == 200 and "Say on what basis fees apply." in response.content.decode()
    assert not ServicePlan.objects.exists()
    response = logged_in.post(url, {**data, "fee_basis": "wear_parts"})
    assert response.status_code == 302
    plan = ServicePlan.objects.get()
    assert plan.fee_basis == "wear_parts" and plan.estimated_hours == Decimal("1.5")


def test_r8_send_and_confirm_from_the_panel_then_start_is_allowed(logged_in, make_order, eng):
    order = make_order(State.ASSIGNED)
    plan = plan_create(work_order=order, actor=eng, measures="清洁", estimated_hours=1)
    html = logged_in.get(detail(order)).content.decode()
    assert 'data-testid="plan-blocks-start"' in html and 'data-testid="plan-action-send"' in html
    logged_in.post(action("plan", plan.pk, "send"), {"sent_via": "sms"})
    logged_in.post(
        action("plan", plan.pk, "confirm"), {"confirmed_by_name": "李娜", "confirmation_method": "signature"}
    )
    plan.refresh_from_db()
    assert plan.state == PlanState.CONFIRMED
    response = logged_in.post(
        reverse("workorders:transition", args=[order.pk, "start"]), {"version": order.version}
    )
    order.refresh_from_db()
    assert response.status_code == 302 and order.state == State.IN_SERVICE


def test_r8_start_refused_on_the_page_while_the_plan_is_unconfirmed(logged_in, make_order, eng):
    order = make_order(State.ASSIGNED)
    plan_create(work_order=order, actor=eng, measures="清洁", estimated_hours=1)
    response = logged_in.post(
        reverse("workorders:transition", args=[order.pk, "start"]), {"version": order.version}, follow=True
    )
    assert "Work cannot start before the customer has confirmed the service plan" in response.content.decode()
    order.refresh_from_db()
    assert order.state == State.ASSIGNED


def test_r8_revise_page_creates_the_next_version(logged_in, order, eng):
    plan = plan_send(
        plan_id=plan_create(work_order=order, actor=eng, measures="清洁", estimated_hours=1).pk, actor=eng
    )
    url = reverse("servicing:plan_revise", args=[plan.pk])
    response = logged_in.post(url, {"measures": "清洁", "estimated_hours": "1"})
    assert "This field is required." in response.content.decode()
    response = logged_in.post(url, {"reason": "客户要求", "measures": "清洁并润滑", "estimated_hours": "2"})
    assert response.status_code == 302
    assert order.service_plans.get(revision=2).measures == "清洁并润滑"


def test_r13_depot_repair_page_with_inspection_errors_in_place(logged_in, order, photo):
    logged_in.post(action("workorder", order.pk, "depot_receive"), {"accessories": "电源线"})
    repair = DepotRepair.objects.get()
    page = reverse("servicing:repair_detail", args=[repair.pk])
    html = logged_in.get(page).content.decode()
    assert repair.number in html and 'data-testid="depot-action-inspect"' in html
    response = logged_in.post(action("depot", repair.pk, "inspect"), {"appearance": "完好"})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    response = logged_in.post(
        action("depot", repair.pk, "inspect"),
        {"appearance": "完好", "configuration": "标准", "photos": [photo("a.png"), photo("b.png")]},
    )
    assert response.status_code == 302 and response["Location"] == page
    repair.refresh_from_db()
    assert repair.state == DepotState.INSPECTED and repair.photos.count() == 2
    html = logged_in.get(page).content.decode()
    assert html.count('data-testid="repair-photo"') == 2 and 'data-testid="warranty" data-state="in"' in html


def test_r13_process_record_entry_added_through_htmx(logged_in, order, eng):
    repair = depot_repair_receive(work_order=order, actor=eng)
    depot_repair_inspect(repair_id=repair.pk, actor=eng, appearance="完好", configuration="标准")
    url = action("depot", repair.pk, "log")
    response = logged_in.post(
        url, {"work_done": "清洁定影辊", "measurements": "温度正常"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith(
        '<div class="card mb-3" id="process-record"'
    )
    assert "清洁定影辊" in html and "<html" not in html
    response = logged_in.post(url, {"work_done": ""}, HTTP_HX_REQUEST="true")
    assert "This field is required." in response.content.decode()
    assert repair.entries.count() == 1


def test_r14_send_out_from_the_depot_page(logged_in, order, eng, vendor, photo):
    repair = depot_repair_receive(work_order=order, actor=eng)
    depot_repair_inspect(repair_id=repair.pk, actor=eng, appearance="完好", configuration="标准")
    html = logged_in.get(reverse("servicing:repair_detail", args=[repair.pk])).content.decode()
    assert vendor.name in html  # offered as a vendor for this product line
    data = {"vendor": vendor.pk, "reason": "in_warranty", "vendor_contact": "陈工", "voucher_number": "V-1"}
    response = logged_in.post(
        action("depot", repair.pk, "send_out"), {**data, "voucher_photo": photo("v.png")}
    )
    assert response.status_code == 302
    external = ExternalRepair.objects.get()
    assert external.voucher_photo is not None
    html = logged_in.get(reverse("servicing:repair_detail", args=[repair.pk])).content.decode()
    assert 'data-testid="external-action-receive"' in html and 'data-testid="follow-up-form"' in html
    response = logged_in.post(
        action("external", external.pk, "follow_up"), {"note": "供应商说下周一寄回"}, HTTP_HX_REQUEST="true"
    )
    assert "供应商说下周一寄回" in response.content.decode()


def test_r37_out_of_scope_and_unknown_actions_are_404(client, world, order, eng):
    remote = remote_session_start(work_order=order, actor=eng, method="phone", steps="x")
    client.force_login(world.staff_b)
    assert client.post(action("remote", remote.pk, "solve"), {"result": "x"}).status_code == 404
    assert client.post(action("remote", remote.pk, "explode"), {}).status_code == 404
    assert client.get(reverse("servicing:plan_create", args=[order.pk])).status_code == 404
    client.force_login(f.UserFactory(role="finance", username="fin2"))
    assert client.get(reverse("servicing:plan_create", args=[order.pk])).status_code == 403


@pytest.fixture
def at_vendor(order, eng, vendor):
    repair = depot_repair_receive(work_order=order, actor=eng)
    depot_repair_inspect(repair_id=repair.pk, actor=eng, appearance="完好", configuration="标准")
    return external_repair_send(
        repair_id=repair.pk,
        actor=eng,
        vendor=vendor,
        reason="in_warranty",
        vendor_contact="陈工",
        voucher_number="V-9",
    )


def test_r14_lists_filter_sort_export_and_scope(
    logged_in, client, at_vendor, world, django_assert_max_num_queries
):
    for name in ("servicing:repairs", "servicing:external", "servicing:vendors"):
        with django_assert_max_num_queries(12 + COUNT_GUARD_STATEMENTS):
            response = logged_in.get(
                reverse(name), {"ordering": "-" + ("lead_time_days" if "vendors" in name else "state")}
            )
        assert response.status_code == 200 and 'data-testid="list-row"' in response.content.decode()
        export = logged_in.get(reverse(name + "_export"))
        assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AccessLog.objects.filter(resource="servicing-external", action="export").exists()
    ExternalRepair.objects.filter(pk=at_vendor.pk).update(
        expected_back_on=timezone.localdate() - timedelta(days=1)
    )
    html = logged_in.get(reverse("servicing:external"), {"overdue": "true"}).content.decode()
    assert 'data-testid="overdue"' in html and "V-9" in html
    partial = logged_in.get(
        reverse("servicing:external"), {"state": "done"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'data-testid="empty"' in partial and "<html" not in partial
    client.force_login(world.staff_b)
    assert 'data-testid="list-row"' not in client.get(reverse("servicing:repairs")).content.decode()


def test_r14_vendor_list_searches_and_filters(logged_in, line):
    VendorFactory(name="北京中关村维修站", product_lines=[line])
    VendorFactory(name="广州天河维修站", is_active=False)
    html = logged_in.get(reverse("servicing:vendors"), {"q": "中关村"}).content.decode()
    assert "北京中关村维修站" in html and "广州天河维修站" not in html
    html = logged_in.get(reverse("servicing:vendors"), {"is_active": "false"}).content.decode()
    assert "广州天河维修站" in html and "北京中关村维修站" not in html


def test_repairs_nav_item_and_index_redirect(logged_in):
    assert 'data-testid="nav-repairs"' in logged_in.get(reverse("home")).content.decode()
    assert logged_in.get(reverse("servicing:index"))["Location"] == reverse("servicing:repairs")


def test_r14_external_state_badges_on_the_work_order_panel(logged_in, at_vendor):
    html = logged_in.get(detail(at_vendor.work_order)).content.decode()
    assert f'data-testid="external-repair" data-state="{ExternalState.SENT}"' in html


def test_r6_panels_cost_a_fixed_number_of_queries(logged_in, order, eng):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert logged_in.get(detail(order)).status_code == 200
        return len(queries)

    remote_session_start(work_order=order, actor=eng, method="phone", steps="电话指导")
    count()  # warms the per-process caches (content types)
    once = count()
    for _ in range(3):
        remote_session_start(work_order=order, actor=eng, method="email", steps="邮件指导")
    assert count() == once


def test_r13_a_step_no_longer_possible_is_said_on_the_depot_page(logged_in, order, eng):
    repair = depot_repair_receive(work_order=order, actor=eng)
    depot_repair_inspect(repair_id=repair.pk, actor=eng, appearance="完好", configuration="标准")
    response = logged_in.post(
        action("depot", repair.pk, "inspect"), {"appearance": "划痕", "configuration": "标准"}
    )
    assert response.status_code == 200
    assert "is not possible while the depot repair is “Inspected”" in response.content.decode()
    repair.refresh_from_db()
    assert repair.appearance == "完好"


def _send_out(order, eng, vendor, voucher: str):
    repair = depot_repair_receive(work_order=order, actor=eng)
    depot_repair_inspect(repair_id=repair.pk, actor=eng, appearance="完好", configuration="标准")
    return external_repair_send(
        repair_id=repair.pk,
        actor=eng,
        vendor=vendor,
        reason="in_warranty",
        vendor_contact="陈工",
        voucher_number=voucher,
    )


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_r14_follow_up_logged_on_the_ticked_devices_at_the_vendor_and_the_returned_one_refused(
    client, clerk, eng, make_order, vendor, at_vendor
):
    """Given two devices at the vendor and one already back, when the clerk ticks all three and
    logs what the vendor said, then both devices at the vendor get the follow-up and the returned
    one is named as refused, with no follow-up."""
    second = _send_out(make_order(), eng, vendor, "V-10")
    back = _send_out(make_order(), eng, vendor, "V-11")
    external_repair_receive(external_repair_id=back.pk, actor=eng, vendor_report="已修好")
    client.force_login(clerk)
    assert [a.name for a, _form in client.get(reverse("servicing:external")).context["bulk_actions"]] == [
        "follow_up"
    ]

    response = client.post(
        reverse("servicing:external"),
        {
            "bulk_action": "follow_up",
            "bulk-follow_up-note": "厂家称下周五寄回",
            "ids": [at_vendor.pk, second.pk, back.pk],
        },
        follow=True,
    )

    notes = ExternalRepairFollowUp.objects.filter(kind=FollowUpKind.CONTACT)
    assert {(n.external_repair_id, n.note, n.actor_id) for n in notes} == {
        (at_vendor.pk, "厂家称下周五寄回", clerk.pk),
        (second.pk, "厂家称下周五寄回", clerk.pk),
    }
    texts = _messages(response)
    assert any("2 done" in text for text in texts)
    assert any(text.startswith(str(back)) and "still at the vendor" in text for text in texts)


def test_r14_bulk_follow_up_needs_what_the_vendor_said(client, clerk, at_vendor):
    client.force_login(clerk)
    response = client.post(
        reverse("servicing:external"), {"bulk_action": "follow_up", "ids": [at_vendor.pk]}, follow=True
    )
    assert "This field is required." in _messages(response)
    assert not ExternalRepairFollowUp.objects.filter(kind=FollowUpKind.CONTACT).exists()


def test_r14_roles_that_do_not_follow_up_vendors_are_not_offered_it_and_are_refused(
    client, finance, at_vendor
):
    client.force_login(finance)
    page = client.get(reverse("servicing:external"))
    assert page.context["bulk_actions"] == [] and 'data-testid="bulk-follow_up"' not in page.content.decode()
    response = client.post(
        reverse("servicing:external"),
        {"bulk_action": "follow_up", "bulk-follow_up-note": "x", "ids": [at_vendor.pk]},
        follow=True,
    )
    assert "Choose an action you may take." in _messages(response)
    assert not ExternalRepairFollowUp.objects.filter(kind=FollowUpKind.CONTACT).exists()


def test_r37_bulk_follow_up_acts_only_in_scope(client, world, at_vendor):
    """Another dealer's staff tick a device of this dealer's work order: nothing is logged."""
    client.force_login(world.staff_b)
    client.post(
        reverse("servicing:external"),
        {"bulk_action": "follow_up", "bulk-follow_up-note": "x", "ids": [at_vendor.pk]},
    )
    assert not ExternalRepairFollowUp.objects.filter(kind=FollowUpKind.CONTACT).exists()


def test_r41_export_of_the_ticked_external_repairs_only_and_logged(
    client, clerk, eng, make_order, vendor, at_vendor
):
    _send_out(make_order(), eng, vendor, "V-12")
    client.force_login(clerk)
    response = client.post(reverse("servicing:external"), {"bulk_action": "export", "ids": [at_vendor.pk]})
    rows = list(load_workbook(BytesIO(response.getvalue())).active.iter_rows(values_only=True))
    assert rows[0][0] == "Work order" and [row[5] for row in rows[1:]] == ["V-9"]
    assert AccessLog.objects.filter(resource="servicing-external", action="export", actor=clerk).exists()


# --- the list's bulk follow-up through the API (issue 13) -------------------------------------------


def test_r14_bulk_follow_up_through_the_api_logs_each_device_at_the_vendor_and_refuses_the_returned(
    api_client, clerk, eng, make_order, vendor, at_vendor
):
    back = _send_out(make_order(), eng, vendor, "V-11")
    external_repair_receive(external_repair_id=back.pk, actor=eng, vendor_report="已修好")

    response = api_client(clerk).post(
        "/api/external-repairs/bulk/",
        {"action": "follow_up", "note": "厂家称下周五寄回", "ids": [at_vendor.pk, back.pk]},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert [(r["number"], r["outcome"]) for r in response.json()["results"]] == [
        ("V-9", "done"),
        ("V-11", "refused"),
    ]
    notes = ExternalRepairFollowUp.objects.filter(kind=FollowUpKind.CONTACT)
    assert {(n.external_repair_id, n.note, n.actor_id) for n in notes} == {
        (at_vendor.pk, "厂家称下周五寄回", clerk.pk)
    }


def test_r14_bulk_follow_up_through_the_api_needs_the_note_400_and_the_role_403(
    api_client, clerk, make_user, at_vendor
):
    from aftersales.accounts.choices import Role
    from tests.api.helpers import assert_problem

    url = "/api/external-repairs/bulk/"
    missing = api_client(clerk).post(url, {"action": "follow_up", "ids": [at_vendor.pk]}, format="json")
    assert_problem(missing, 400, field="note", code="required")
    finance = make_user(Role.FINANCE)
    body = {"action": "follow_up", "note": "x", "ids": [at_vendor.pk]}
    assert_problem(api_client(finance).post(url, body, format="json"), 403)
    other_dealer_staff = f.UserFactory(role=Role.DEALER_STAFF, dealer=f.DealerFactory())
    hidden = api_client(other_dealer_staff).post(url, body, format="json")
    assert [r["outcome"] for r in hidden.json()["results"]] == ["not_found"]  # R37
    assert not ExternalRepairFollowUp.objects.filter(kind=FollowUpKind.CONTACT).exists()
