"""The address picker as an agent uses it (issue 12, R5): a province loads its cities, a city its
districts (a municipality's one city is chosen by itself), and the customer is saved with them."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from aftersales.accounts.choices import Role
from aftersales.customers.models import Customer
from tests import factories as f

from .test_workorder_flow import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_province_city_and_district_are_picked_in_cascade(live_server, open_page):
    f.UserFactory(username="agent", role=Role.AGENT)
    page = open_page()
    login(page, live_server.url, "agent")
    page.goto(f"{live_server.url}/customers/new/")
    page.locator("#id_name").fill("上海晨光文具有限公司")
    page.locator("#id_phone").fill("13812340000")
    page.locator("#id_province").select_option("上海市")
    expect(page.locator("#id_city")).to_have_value("上海市")  # the municipality is its own city
    expect(page.locator("#id_district option", has_text="徐汇区")).to_have_count(1)
    page.locator("#id_district").select_option("徐汇区")
    page.locator("#id_province").select_option("浙江省")
    expect(page.locator("#id_district option")).to_have_count(1)  # cleared: only "—"
    expect(page.locator("#id_city option", has_text="杭州市")).to_have_count(1)
    page.locator("#id_city").select_option("杭州市")
    expect(page.locator("#id_district option", has_text="西湖区")).to_have_count(1)
    page.locator("#id_district").select_option("西湖区")
    with page.expect_navigation():
        page.locator('button[type="submit"]', has_text="保存").click()
    customer = Customer.objects.get(name="上海晨光文具有限公司")
    assert (customer.province, customer.city, customer.district) == ("浙江省", "杭州市", "西湖区")
