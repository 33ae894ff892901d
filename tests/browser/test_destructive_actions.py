"""The work-order page in a real browser: cancel sits apart in the "More" menu, in red, and still
opens its form and cancels; the switch names the languages in themselves."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from aftersales.accounts.choices import Role
from aftersales.workorders.choices import State
from aftersales.workorders.models import WorkOrder
from tests import factories as f

from .test_workorder_flow import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_cancel_from_the_more_menu(open_page, live_server):
    f.UserFactory(username="agent", role=Role.AGENT, language="en")
    order = f.WorkOrderFactory(state=State.NEW)
    page = open_page()
    login(page, live_server.url, "agent")
    page.goto(f"{live_server.url}/workorders/{order.pk}/")
    options = page.get_by_test_id("language-select").locator("option")
    expect(options).to_have_text(["简体中文", "English"])
    cancel = page.get_by_test_id("action-cancel")
    expect(cancel).to_be_hidden()  # inside the closed menu
    expect(page.get_by_test_id("action-accept")).to_be_visible()
    page.get_by_test_id("actions-more").click()
    expect(cancel).to_be_visible()
    expect(cancel).to_have_class(re.compile(r"\btext-danger\b"))
    cancel.click()
    expect(page.locator("#action-cancel")).to_have_class(re.compile(r"\bshow\b"))
    page.get_by_test_id("cancel-note").fill("客户撤销报修")
    with page.expect_navigation():
        page.get_by_test_id("submit-cancel").click()
    expect(page.get_by_test_id("state").first).to_have_attribute("data-state", State.CANCELLED)
    assert WorkOrder.objects.get(pk=order.pk).state == State.CANCELLED
