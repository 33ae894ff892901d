"""Issue 9 in the browser: the work-order page shows the newest timeline entries; "show older"
fetches the next ones with HTMX into the same list, without leaving the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from aftersales.accounts.choices import Role
from aftersales.workorders.selectors import TIMELINE_PAGE_SIZE
from tests import factories as f

from ..workorders.history import grow_history
from .test_workorder_flow import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_show_older_appends_the_next_entries_in_place(live_server, open_page):
    agent = f.UserFactory(username="agent", role=Role.AGENT)
    order = f.WorkOrderFactory()
    grow_history(order, agent, 25)  # 50 entries: three pages
    page = open_page()
    login(page, live_server.url, "agent")
    page.goto(f"{live_server.url}/workorders/{order.pk}/")
    page.get_by_test_id("tab-timeline").click()
    entries = page.get_by_test_id("timeline-entry")
    expect(entries).to_have_count(TIMELINE_PAGE_SIZE)
    page.get_by_test_id("timeline-older-link").click()
    expect(entries).to_have_count(2 * TIMELINE_PAGE_SIZE)
    page.get_by_test_id("timeline-older-link").click()
    expect(entries).to_have_count(50)
    expect(page.get_by_test_id("timeline-older-link")).to_have_count(0)
    assert page.url.endswith(f"/workorders/{order.pk}/")
    expect(entries.last).to_contain_text("c0")
