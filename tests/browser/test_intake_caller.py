"""Intake in a real browser (issue 12, R2): the agent types a known caller's phone and sees their
open work order beside the form, with the offer to add a note to it instead of a duplicate."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from aftersales.accounts.choices import Role
from aftersales.workorders.choices import State
from tests import factories as f

from .test_workorder_flow import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_r2_typing_a_known_callers_phone_shows_their_open_work_order(open_page, live_server):
    f.UserFactory(username="agent", role=Role.AGENT)
    customer = f.CustomerFactory(name="上海星辰科技有限公司", phone="+8613900001111")
    device = f.DeviceFactory(customer=customer, serial_number="CNB8K99999")
    order = f.WorkOrderFactory(customer=customer, device=device, state=State.ASSIGNED)
    base = live_server.url

    page = open_page()
    login(page, base, "agent")
    page.goto(f"{base}/workorders/new/")
    page.get_by_test_id("intake-contact_phone").fill("139 0000 1111")
    panel = page.get_by_test_id("caller-panel")
    expect(
        panel.locator(f'[data-testid="caller-open-workorder"][data-number="{order.number}"]')
    ).to_be_visible()
    expect(panel.get_by_test_id("caller-customer")).to_contain_text(customer.name)

    # the serial number of the same device: the open work order is offered instead of a new one
    page.get_by_test_id("intake-serial_number").fill("CNB8K99999")
    offer = panel.locator(f'[data-testid="caller-add-note"][data-number="{order.number}"]')
    expect(offer).to_be_visible()
    offer.click()
    expect(page).to_have_url(f"{base}/workorders/{order.pk}/?tab=overview#notes")
