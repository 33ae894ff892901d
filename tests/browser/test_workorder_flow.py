"""A phone request from intake to close in a real browser, each step by the role that does it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from aftersales.accounts.choices import Role
from aftersales.workorders.choices import State
from aftersales.workorders.models import WorkOrder
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_test_id("field-username").fill(username)
    page.get_by_test_id("field-password").fill(f.PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("nav-user")).to_be_visible()


def open_action_form(page: Page, action: str) -> None:
    """Open the action's small form and wait for it: Bootstrap marks the panel "show" once its
    opening animation is over; clicking earlier can land on a button that is still clipped. The
    page must have loaded first: a click before Bootstrap's script ran opens nothing (seen once in
    CI on a loaded machine)."""
    page.wait_for_load_state("load")
    page.get_by_test_id(f"action-{action}").click()
    expect(page.locator(f"#action-{action}")).to_have_class(re.compile(r"\bshow\b"))


def run_action(page: Page, action: str, **inputs: str) -> None:
    """Open the action's small form, fill its inputs, submit, and wait for the page to reload; an
    input chosen with a combobox (engineers) is typed into and its first match picked."""
    open_action_form(page, action)
    for name, value in inputs.items():
        control = page.get_by_test_id(f"{action}-{name}")
        if control.get_attribute("data-combobox-id"):
            box = page.get_by_test_id(f"{action}-{name}-combobox")
            box.fill(value)
            expect(
                page.locator(f"#{box.get_attribute('aria-controls')}").get_by_role("option").first
            ).to_be_visible()
            box.press("ArrowDown")
            box.press("Enter")
        elif control.evaluate("el => el.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
    with page.expect_navigation():
        page.get_by_test_id(f"submit-{action}").click()


def state_of(page: Page):
    return expect(page.get_by_test_id("state").first)


def test_r1_r3_r4_phone_request_from_intake_to_close_in_the_browser(open_page, live_server):
    """R1 phone intake with customer and device looked up, R3 read-back before saving, R4 a repair
    goes through the full lifecycle: agent accepts, dispatcher assigns, engineer starts and
    completes, agent closes; the timeline shows every step; the language switch works."""
    point = f.ServicePointFactory(name="上海浦东服务网点")
    engineer = f.EngineerFactory(service_point=point, user__username="engineer", user__last_name="赵")
    f.UserFactory(username="agent", role=Role.AGENT)
    f.UserFactory(username="dispatcher", role=Role.DISPATCHER)
    customer = f.CustomerFactory(name="上海星辰科技有限公司", phone="+8613900001111")
    device = f.DeviceFactory(customer=customer, serial_number="CNB8K12345")
    f.QualificationFactory(engineer=engineer, product_line=device.product_model.product_line)  # R38
    base = live_server.url

    # The agent takes the call: finds the customer by phone and the device by serial number.
    agent = open_page()
    login(agent, base, "agent")
    agent.goto(f"{base}/workorders/new/")
    agent.get_by_test_id("intake-type").select_option("repair")
    agent.get_by_test_id("intake-customer-search").fill("13900001111")
    agent.get_by_test_id("customer-option").first.click()
    expect(agent.get_by_test_id("customer-selected")).to_contain_text(customer.name)
    agent.get_by_test_id("intake-device-search").fill("CNB8K")
    agent.get_by_test_id("device-option").first.click()
    expect(agent.get_by_test_id("device-selected")).to_contain_text(device.serial_number)
    agent.get_by_test_id("intake-contact_name").fill("李娜")
    agent.get_by_test_id("intake-contact_phone").fill("13900001111")
    agent.get_by_test_id("intake-fault_symptom").fill("打印时卡纸，面板显示 E13")
    agent.get_by_test_id("intake-review").click()

    # R3: the key data is read back before anything is saved.
    expect(agent.get_by_test_id("readback-customer")).to_contain_text(customer.name)
    expect(agent.get_by_test_id("readback-fault_symptom")).to_contain_text("E13")
    assert not WorkOrder.objects.exists()
    agent.get_by_test_id("intake-confirm").click()
    expect(agent.get_by_test_id("wo-number")).to_contain_text("WO")
    work_order = WorkOrder.objects.get()
    assert work_order.device == device and work_order.channel == "phone"
    detail_url = agent.url
    state_of(agent).to_have_attribute("data-state", State.NEW)

    run_action(agent, "accept")
    state_of(agent).to_have_attribute("data-state", State.ACCEPTED)

    dispatcher = open_page()
    login(dispatcher, base, "dispatcher")
    dispatcher.goto(detail_url)
    run_action(dispatcher, "assign", engineer="赵")
    state_of(dispatcher).to_have_attribute("data-state", State.ASSIGNED)
    expect(dispatcher.get_by_test_id("engineer")).to_contain_text("赵")

    field = open_page()
    login(field, base, "engineer")
    field.goto(detail_url)
    run_action(field, "start")
    state_of(field).to_have_attribute("data-state", State.IN_SERVICE)
    run_action(field, "complete", resolution="更换搓纸轮，测试打印 20 页正常")
    state_of(field).to_have_attribute("data-state", State.COMPLETED)

    agent.goto(detail_url)
    run_action(agent, "close")
    state_of(agent).to_have_attribute("data-state", State.CLOSED)

    # The timeline holds creation, the five transitions and the acknowledgement, newest first.
    agent.get_by_test_id("tab-timeline").click()  # loaded when opened
    timeline = agent.get_by_test_id("timeline")
    expect(timeline).to_contain_text("更换搓纸轮")
    assert agent.get_by_test_id("timeline-entry").count() >= 7
    work_order.refresh_from_db()
    assert work_order.state == State.CLOSED
    assert list(work_order.events.filter(kind="transition").values_list("action", flat=True)) == [
        "accept",
        "assign",
        "start",
        "complete",
        "close",
    ]

    # Chinese by default; the user switches to English and back.
    assert agent.locator("html").get_attribute("lang") == "zh-hans"
    with agent.expect_navigation():
        agent.get_by_test_id("language-select").select_option("en")
    assert agent.locator("html").get_attribute("lang") == "en"
    expect(agent.get_by_test_id("actions").or_(agent.get_by_test_id("timeline")).first).to_be_visible()
    expect(agent.locator("nav")).to_contain_text("Work orders")
    with agent.expect_navigation():
        agent.get_by_test_id("language-select").select_option("zh-hans")
    assert agent.locator("html").get_attribute("lang") == "zh-hans"
    expect(agent.locator("nav")).to_contain_text("工单")
