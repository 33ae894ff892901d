"""R26, R27 in the browser: a hotline complaint registered with the customer looked up, walked
through assessment, analysis, handling, feedback and archiving; then a difficult case opened
from the proposals and escalated."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from aftersales.accounts.choices import Role
from aftersales.accounts.models import User
from aftersales.complaints.models import CaseLevel, Complaint, DifficultCase
from tests import factories as f

from .test_workorder_flow import login, open_action_form, run_action

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("COMPLAINTS_SCREENSHOTS", "")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_r26_r27_complaint_and_case_in_the_browser(open_page, live_server):
    engineer = f.EngineerFactory(user__username="eng", user__last_name="赵", user__first_name="工")
    customer = f.CustomerFactory(name="上海星辰科技有限公司", phone="+8613900001111")
    device = f.DeviceFactory(customer=customer)
    order = f.WorkOrderFactory(
        customer=customer,
        device=device,
        engineer=engineer,
        service_point=engineer.service_point,
        state="completed",
    )
    # Transactional tests flush the data migrations' rows: the escalation ladder is set up here.
    CaseLevel.objects.get_or_create(number=1, defaults={"name": "服务网点负责人"})
    CaseLevel.objects.get_or_create(number=2, defaults={"name": "服务中心主管", "role": Role.SUPERVISOR})
    for username, role in [("agent", Role.AGENT), ("quality", Role.QUALITY), ("supervisor", Role.SUPERVISOR)]:
        f.UserFactory(username=username, role=role)
    base = live_server.url

    page = open_page()
    login(page, base, "agent")
    page.get_by_test_id("nav-menu-quality").click()
    page.get_by_test_id("nav-complaints").click()
    page.get_by_test_id("complaint-register").click()
    # A click waits for the new page to start, not for its scripts: typed before htmx has bound
    # the search box, the query is never sent (CI, PostgreSQL pass).
    page.wait_for_load_state()
    page.get_by_test_id("complaint-customer-search").fill("13900001111")
    page.get_by_test_id("customer-option").first.click()
    expect(page.get_by_test_id("customer-selected")).to_contain_text("上海星辰科技有限公司")
    page.get_by_test_id("complaint-category").select_option("timeliness")
    page.get_by_test_id("complaint-severity").select_option("critical")
    page.get_by_test_id("complaint-description").fill("报修三天无人上门")
    shot(page, "register")
    page.get_by_test_id("complaint-submit").click()
    expect(page.get_by_test_id("state")).to_have_attribute("data-state", "registered")
    complaint = Complaint.objects.get()
    assert complaint.customer == customer and complaint.work_order is None
    expect(page.get_by_test_id("actions")).to_have_count(0)  # agents do not assess

    quality = open_page()
    login(quality, base, "quality")
    quality.goto(f"{base}/complaints/{complaint.pk}/")
    open_action_form(quality, "reject")
    quality.get_by_test_id("submit-reject").click()  # no reason: refused on the field
    expect(quality.get_by_test_id("reject-note")).to_have_class("form-control is-invalid")
    run_action(quality, "accept", note="属实")
    run_action(quality, "analyse", cause="派工延误")
    run_action(quality, "handle", measures="调整排班，向客户致歉")
    run_action(quality, "feed_back", feedback="已安排工程师今日上门")
    run_action(quality, "close")
    expect(quality.get_by_test_id("state")).to_have_attribute("data-state", "closed")
    expect(quality.get_by_test_id("history-entry")).to_have_count(6)
    shot(quality, "complaint")

    # A complaint on the work order makes it a proposed difficult case.
    page.goto(f"{base}/complaints/new/?work_order={order.pk}")
    page.get_by_test_id("complaint-category").select_option("quality")
    page.get_by_test_id("complaint-description").fill("维修后故障复发")
    page.get_by_test_id("complaint-submit").click()
    expect(page.get_by_test_id("work-order")).to_contain_text(order.number)
    page.get_by_test_id("nav-menu-quality").click()
    page.get_by_test_id("nav-complaints").click()
    expect(page.get_by_test_id("list-row")).to_have_count(2)
    shot(page, "list")

    head = open_page()
    login(head, base, "supervisor")
    head.goto(f"{base}/complaints/cases/proposals/")
    proposal = head.locator(f'[data-testid="proposal"][data-number="{order.number}"]')
    proposal.get_by_test_id(f"open-case-{order.number}").click()
    proposal.get_by_test_id("open-handler").select_option(index=1)
    shot(head, "proposals")
    proposal.get_by_test_id("open-submit").click()
    expect(head.get_by_test_id("case-number")).to_be_visible()
    case = DifficultCase.objects.get()
    run_action(head, "start")
    run_action(head, "record", note="已远程诊断")
    supervisor = User.objects.get(username="supervisor")
    run_action(head, "escalate", handler=str(supervisor.pk), note="需更换主板")
    expect(head.get_by_test_id("level").first).to_have_attribute("data-level", "2")
    shot(head, "case")
    head.goto(f"{base}/workorders/{order.pk}/")
    head.get_by_test_id("tab-feedback").click()  # loaded when opened
    expect(head.get_by_test_id("panel-case")).to_contain_text(case.number)
    shot(head, "workorder")
