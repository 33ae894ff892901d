"""The work-order list on a phone (issue 12): each row a card with its columns named, not a table
squeezed into 390 pixels, and the language switch folded into the menu; on a desktop the same
list is a table."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from aftersales.accounts.choices import Role
from tests import factories as f

from .test_engineer_phone import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def display(locator) -> str:
    return locator.evaluate("element => getComputedStyle(element).display")


def test_a_phone_sized_list_renders_rows_as_cards(live_server, open_page):
    f.UserFactory(username="agent", role=Role.AGENT)
    work_order = f.WorkOrderFactory()
    phone = open_page(width=390, height=844, phone=True)
    login(phone, live_server.url, "agent")
    phone.goto(f"{live_server.url}/workorders/")
    row = phone.get_by_test_id("list-row").first
    expect(row).to_contain_text(work_order.number)
    assert display(row) == "block"
    assert not phone.get_by_test_id("list-table").locator("thead").is_visible()
    cell = row.locator("td[data-label]").first
    label = cell.evaluate("element => getComputedStyle(element, '::before').content")
    assert label.strip('"') == cell.get_attribute("data-label") != ""
    box = row.bounding_box()
    assert box is not None and box["width"] <= 390
    # the language switch folds into the menu with the rest of the navbar
    assert not phone.get_by_test_id("language-select").is_visible()
    phone.get_by_role("button", name="菜单").click()
    expect(phone.get_by_test_id("language-select")).to_be_visible()

    desk = open_page(width=1280)
    login(desk, live_server.url, "agent")
    desk.goto(f"{live_server.url}/workorders/")
    assert display(desk.get_by_test_id("list-row").first) == "table-row"
    assert desk.get_by_test_id("list-table").locator("thead").is_visible()


def test_the_english_navbar_fits_one_line_at_1440_pixels(live_server, open_page):
    """Issue 12: the daily pages in the bar, the rest in menus; HQ admin has the most entries."""
    f.UserFactory(username="admin", role=Role.HQ_ADMIN, is_staff=True, first_name="欧阳", last_name="晓明")
    page = open_page(width=1440, height=900)
    login(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/workorders/")
    page.get_by_test_id("language-select").select_option("en")
    expect(page.get_by_test_id("nav-list")).to_have_text("Work orders")
    tops = page.locator("#mainnav .navbar-nav > .nav-item").evaluate_all(
        "items => items.map(item => Math.round(item.getBoundingClientRect().top))"
    )
    assert len(tops) >= 8 and len(set(tops)) == 1, tops  # one line
    page.get_by_test_id("nav-menu-parts").click()
    expect(page.get_by_test_id("nav-stock")).to_be_visible()
    page.get_by_test_id("nav-user").click()  # the user's menu: tokens, password, log out
    page.get_by_test_id("logout").click()
    expect(page.get_by_label("Username")).to_be_visible()
