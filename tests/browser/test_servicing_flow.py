"""R8, R13 in the browser: the engineer draws up the plan, it is sent and confirmed, only then
the service starts; the device is taken in, inspected with a photo, repaired with a process
record added in place (HTMX), re-checked and handed back, and the record prints."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from aftersales.servicing.models import DepotRepair
from aftersales.workorders.choices import State
from tests import factories as f

from ..api.helpers import PNG_BYTES
from .test_workorder_flow import login, open_action_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def settled(page: Page) -> None:
    """Wait until no Bootstrap collapse is still opening: a click during the animation is lost.
    (A locator, not wait_for_function: the page's Content-Security-Policy forbids evaluating a
    string.)"""
    expect(page.locator(".collapsing")).to_have_count(0)


def submit(page: Page, testid: str) -> None:
    settled(page)
    with page.expect_navigation():
        page.get_by_test_id(testid).click()


def open_action(page: Page, kind: str, action: str):
    page.get_by_test_id(f"{kind}-action-{action}").click()
    form = page.get_by_test_id(f"{kind}-form-{action}")
    expect(form).to_be_visible()
    return form


def test_r8_r13_plan_confirmed_then_depot_repair_in_the_browser(open_page, live_server, tmp_path):
    engineer = f.EngineerFactory(user__username="engineer", user__last_name="赵", user__first_name="工")
    work_order = f.WorkOrderFactory(
        engineer=engineer, service_point=engineer.service_point, state=State.ASSIGNED
    )
    base = live_server.url
    page = open_page()
    login(page, base, "engineer")
    page.goto(f"{base}/workorders/{work_order.pk}/")
    page.get_by_test_id("tab-service").click()  # kept open while the page posts and comes back

    submit(page, "plan-create")
    page.get_by_test_id("plan-measures").fill("更换定影组件并清洁进纸通道")
    page.get_by_test_id("plan-estimated_hours").fill("2")
    submit(page, "plan-save")
    expect(page.get_by_test_id("plan-blocks-start")).to_be_visible()

    open_action_form(page, "start")  # refused while the plan is not confirmed
    submit(page, "submit-start")
    expect(page.get_by_test_id("message-error")).to_be_visible()

    open_action(page, "plan", "send")
    submit(page, "plan-submit-send")
    form = open_action(page, "plan", "confirm")
    form.get_by_test_id("plan-confirmed_by_name").fill("李娜")
    form.get_by_test_id("plan-confirmation_method").select_option("signature")
    submit(page, "plan-submit-confirm")
    expect(page.get_by_test_id("plan-state")).to_have_attribute("data-state", "confirmed")
    expect(page.get_by_test_id("plan-blocks-start")).to_have_count(0)
    open_action_form(page, "start")
    submit(page, "submit-start")
    expect(page.get_by_test_id("message-success")).to_be_visible()

    page.get_by_test_id("depot-receive-toggle").click()
    page.get_by_test_id("depot-accessories").fill("电源线")
    submit(page, "depot-receive")
    repair = DepotRepair.objects.get()
    expect(page.get_by_test_id("repair-number")).to_contain_text(repair.number)

    photo = tmp_path / "front.png"
    photo.write_bytes(PNG_BYTES)
    form = open_action(page, "depot", "inspect")
    form.get_by_test_id("depot-appearance").fill("外壳完好")
    form.get_by_test_id("depot-configuration").fill("标准配置")
    form.get_by_test_id("depot-photos").set_input_files(str(photo))
    submit(page, "depot-submit-inspect")
    expect(page.get_by_test_id("repair-photo")).to_have_count(1)
    expect(page.get_by_test_id("warranty")).to_have_attribute("data-state", "unknown")

    open_action(page, "depot", "start_repair")
    submit(page, "depot-submit-start_repair")
    page.get_by_test_id("process-work_done").fill("更换定影组件")
    page.get_by_test_id("process-measurements").fill("定影温度 185°C")
    page.get_by_test_id("process-submit").click()  # HTMX: the record is replaced in place
    expect(page.get_by_test_id("process-entry")).to_have_count(1)
    expect(page.get_by_test_id("process-entry")).to_contain_text("更换定影组件")

    form = open_action(page, "depot", "recheck")
    form.get_by_test_id("depot-result").fill("连续打印 50 页正常")
    submit(page, "depot-submit-recheck")
    form = open_action(page, "depot", "hand_back")
    form.get_by_test_id("depot-handed_back_to").fill("李娜")
    submit(page, "depot-submit-hand_back")
    expect(page.get_by_test_id("repair-state")).to_have_attribute("data-state", "handed_back")
    page.goto(f"{base}/servicing/repairs/{repair.pk}/print/")
    expect(page.get_by_test_id("doc-number")).to_have_text(repair.number)
