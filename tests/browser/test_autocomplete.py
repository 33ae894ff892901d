"""The engineer filter of the work-order list as a keyboard user works it (issue 9): type a few
letters, move through the matches with the arrow keys, pick with Enter (the results follow), close
with Escape, and find the pick named again when the page is opened from its address."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from aftersales.accounts.choices import Role
from aftersales.workorders.choices import State
from tests import factories as f

from .test_workorder_flow import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pick_an_engineer_with_the_keyboard_and_submit(live_server, open_page):
    # Given 30 engineers, two of them named 欧阳明 and 欧阳亮, each with a work order
    f.UserFactory(username="dispatcher", role=Role.DISPATCHER)
    point = f.ServicePointFactory()
    for _ in range(28):
        f.EngineerFactory(service_point=point, user=f.UserFactory(role=Role.ENGINEER, last_name="张"))
    ming, liang = (
        f.EngineerFactory(
            service_point=point, user=f.UserFactory(role=Role.ENGINEER, last_name="欧阳", first_name=name)
        )
        for name in ("明", "亮")
    )
    mine = f.WorkOrderFactory(service_point=point, engineer=liang, state=State.ASSIGNED)
    f.WorkOrderFactory(service_point=point, engineer=ming, state=State.ASSIGNED)
    page = open_page()
    login(page, live_server.url, "dispatcher")
    page.goto(f"{live_server.url}/workorders/")
    expect(page.get_by_test_id("list-row")).to_have_count(2)

    # When they type into the engineer box, the matches (not all 30) show as a listbox
    box = page.get_by_test_id("filter-engineer-combobox")
    expect(box).to_have_attribute("role", "combobox")
    expect(page.get_by_test_id("filter-engineer")).to_be_hidden()  # the select stays, for the ids
    box.fill("欧阳")
    listbox = page.locator(f"#{box.get_attribute('aria-controls')}")
    expect(box).to_have_attribute("aria-expanded", "true")
    options = listbox.get_by_role("option")
    expect(options).to_have_count(2)
    # and Escape closes it, ArrowDown opens it on the first match and moves to the next
    box.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    box.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    box.press("ArrowDown")
    second = options.nth(1)
    expect(second).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", second.get_attribute("id"))
    expect(second).to_contain_text("欧阳亮")
    # When they pick it with Enter, the list follows at once (no reload) and names the pick
    box.press("Enter")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_test_id("autocomplete-chip")).to_have_text(re.compile("欧阳亮"))
    expect(page.get_by_test_id("list-row")).to_have_count(1)
    expect(page.get_by_test_id("list-row")).to_have_attribute("data-pk", str(mine.pk))
    expect(page).to_have_url(re.compile(rf"engineer={liang.pk}"))

    # Submitting the form keeps the pick; opening the address names it again from the server
    page.get_by_test_id("filter-apply").click()
    expect(page.get_by_test_id("list-row")).to_have_count(1)
    page.goto(page.url)
    expect(page.get_by_test_id("autocomplete-chip")).to_have_text(re.compile("欧阳亮"))
    expect(page.get_by_test_id("list-row")).to_have_count(1)
    # Removing the chip clears the filter
    page.get_by_test_id("autocomplete-chip").get_by_role("button").click()
    expect(page.get_by_test_id("list-row")).to_have_count(2)
