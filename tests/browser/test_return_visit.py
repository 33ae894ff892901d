"""R22-R24 in the browser, on a phone: the quality agent opens the return visit from the menu,
records the customer as unsatisfied, and the work order reopens for a new visit (R23)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from aftersales.accounts.choices import Role
from aftersales.feedback.models import ReturnVisit
from aftersales.workorders.choices import State
from aftersales.workorders.services import workorder_transition
from tests import factories as f

from .test_workorder_flow import login, state_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_r23_quality_agent_records_an_unsatisfied_customer_and_the_work_order_reopens(open_page, live_server):
    point = f.ServicePointFactory(name="上海浦东服务网点")
    engineer = f.EngineerFactory(service_point=point, user__last_name="赵", user__first_name="工")
    agent = f.UserFactory(username="agent", role=Role.AGENT)
    dispatcher = f.UserFactory(username="dispatcher", role=Role.DISPATCHER)
    f.UserFactory(username="quality", role=Role.QUALITY, last_name="郭", first_name="明辉")
    order = f.WorkOrderFactory(service_point=point, customer=f.CustomerFactory(name="上海星辰科技有限公司"))
    for action, actor, extra in (
        ("accept", agent, {}),
        ("assign", dispatcher, {"engineer": engineer}),
        ("start", engineer.user, {}),
        ("complete", engineer.user, {"resolution": "更换搓纸轮，测试打印正常"}),
    ):
        workorder_transition(work_order_id=order.pk, action=action, actor=actor, **extra)
    visit = ReturnVisit.objects.get(work_order=order)  # R22: scheduled on completion

    page = open_page()
    login(page, live_server.url, "quality")
    page.set_viewport_size({"width": 390, "height": 844})  # the rest on a phone-sized screen
    page.locator(".navbar-toggler").click()
    page.get_by_test_id("nav-menu-quality").click()
    page.get_by_test_id("nav-return-visits").click()
    row = page.locator(f'[data-testid="list-row"][data-key="{visit.number}"]')
    expect(row).to_contain_text("上海星辰科技有限公司")
    row.get_by_test_id("rv-open").click()

    expect(page.get_by_test_id("rv-engineer")).to_contain_text("赵工")
    for name, score in (
        ("score_timeliness", 3),
        ("score_skill", 2),
        ("score_attitude", 4),
        ("score_effectiveness", 1),
        ("score_overall", 2),
    ):
        page.locator(f'label[for="id_{name}_{score - 1}"]').click()
    page.get_by_test_id("rv-comment").fill("打印仍然卡纸，希望再次上门")
    with page.expect_navigation():
        page.get_by_test_id("rv-record").click()

    # Back on the work order: reopened for a new visit, the answer in its return-visit panel.
    state_of(page).to_have_attribute("data-state", State.IN_SERVICE)
    page.get_by_test_id("tab-feedback").click()
    panel = page.get_by_test_id("return-visits-panel")
    expect(panel.get_by_test_id("return-visit-unsatisfied")).to_be_visible()
    page.get_by_test_id("tab-timeline").click()
    expect(page.get_by_test_id("timeline")).to_contain_text("打印仍然卡纸")
    order.refresh_from_db()
    visit.refresh_from_db()
    assert order.state == State.IN_SERVICE and visit.satisfied is False and visit.score_overall == 2
