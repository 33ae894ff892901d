"""The work-order list as a dispatcher uses it in the browser: tick rows (one box ticks the page),
set their priority in one go, keep only the columns wanted, save the filter and come back to it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from aftersales.accounts.choices import Role
from aftersales.core.models import SavedFilter
from aftersales.workorders.choices import Priority, State
from aftersales.workorders.models import WorkOrder
from tests import factories as f

from .test_workorder_flow import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_tick_rows_act_in_bulk_choose_columns_and_save_the_filter(live_server, open_page):
    f.UserFactory(username="dispatcher", role=Role.DISPATCHER)
    accepted = [f.WorkOrderFactory(state=State.ACCEPTED) for _ in range(3)]
    f.WorkOrderFactory(state=State.CLOSED)
    page = open_page()
    login(page, live_server.url, "dispatcher")
    page.goto(f"{live_server.url}/workorders/")

    page.locator('label[for="id_state_1"]').click()  # 已受理 (accepted): HTMX swaps the results
    expect(page.get_by_test_id("list-row")).to_have_count(3)
    page.get_by_test_id("tick-all").check()
    page.get_by_test_id("bulk-actions").locator('select[name="bulk-priority-priority"]').select_option(
        Priority.URGENT
    )
    with page.expect_navigation():
        page.get_by_test_id("bulk-priority").click()
    expect(page.get_by_test_id("message-success")).to_contain_text("3")
    assert set(
        WorkOrder.objects.filter(pk__in=[o.pk for o in accepted]).values_list("priority", flat=True)
    ) == {Priority.URGENT}

    page.get_by_test_id("column-chooser").get_by_role("button").click()
    page.locator("#column-type").uncheck()
    with page.expect_navigation():
        page.get_by_test_id("column-chooser").locator('button[type="submit"]').click()
    expect(page.get_by_test_id("list-table").locator("th")).not_to_contain_text(["类型"])

    page.get_by_test_id("saved-filters").get_by_role("button").first.click()
    page.get_by_test_id("save-filter-form").locator('input[name="name"]').fill("已受理")
    with page.expect_navigation():
        page.get_by_test_id("save-filter-form").locator('button[type="submit"]').click()
    assert SavedFilter.objects.get().query == "state=accepted"
    page.goto(f"{live_server.url}/workorders/")
    expect(page.get_by_test_id("list-row")).to_have_count(4)
    page.get_by_test_id("saved-filters").get_by_role("button").first.click()
    page.get_by_test_id("saved-filter").get_by_role("link").click()
    expect(page.get_by_test_id("list-row")).to_have_count(3)
