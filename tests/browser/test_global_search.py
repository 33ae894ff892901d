"""The navbar's search box as an agent uses it (issue 12): "/" focuses it from anywhere, a whole
work-order number opens that work order, words of the fault list the work orders saying them with
the words marked."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from aftersales.accounts.choices import Role
from tests import factories as f

from .test_workorder_flow import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_search_box_jumps_to_a_number_and_finds_chinese_words(live_server, open_page):
    f.UserFactory(username="agent", role=Role.AGENT)
    fuser = f.WorkOrderFactory(fault_symptom="定影组件异响，打印有黑线")
    other = f.WorkOrderFactory(fault_symptom="空调不制冷")
    page = open_page()
    login(page, live_server.url, "agent")
    page.goto(f"{live_server.url}/workorders/")

    page.locator("body").press("/")
    box = page.get_by_test_id("global-search")
    expect(box).to_be_focused()
    box.fill(other.number.lower())
    with page.expect_navigation():
        box.press("Enter")
    assert re.search(rf"/workorders/{other.pk}/$", page.url)

    page.locator("body").press("/")
    box.fill("定影")
    with page.expect_navigation():
        box.press("Enter")
    hits = page.get_by_test_id("search-hit")
    expect(hits).to_have_count(1)
    expect(hits.first).to_contain_text(fuser.number)
    expect(hits.first.locator("mark")).to_have_text("定影")
