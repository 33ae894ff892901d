"""Revealing a masked phone number in the browser (R41): the button asks why, a missing reason
is refused in place, a reason shows the number where the mask was, and the access log has it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from aftersales.accounts.choices import Role
from aftersales.core.models import AccessLog
from aftersales.workorders.choices import State
from tests import factories as f

from .test_engineer_phone import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_r41_a_masked_phone_is_revealed_in_place_after_a_reason(live_server, open_page):
    f.UserFactory(username="agent", role=Role.AGENT)
    order = f.WorkOrderFactory(state=State.CLOSED, contact_phone="+8613912345678")
    page = open_page(width=1280)
    login(page, live_server.url, "agent")
    page.goto(f"{live_server.url}/workorders/{order.pk}/")
    expect(page.locator("body")).to_contain_text("139****5678")
    expect(page.locator("body")).not_to_contain_text("13912345678")

    masked = page.locator(".personal-value", has_text="139****5678").first
    masked.get_by_test_id("reveal").click()
    form = page.get_by_test_id("reveal-form")
    expect(form).to_be_visible()
    # the browser's own check stops an empty reason; a blank one sent anyway is refused in place
    form.locator("select[name=reason]").evaluate("select => select.removeAttribute('required')")
    form.get_by_role("button").click()
    expect(page.get_by_test_id("reveal-error")).to_be_visible()
    assert not AccessLog.objects.filter(action="reveal").exists()

    page.get_by_test_id("reveal-form").locator("select[name=reason]").select_option("identity")
    page.get_by_test_id("reveal-form").get_by_role("button").click()
    expect(page.get_by_test_id("revealed")).to_have_text("13912345678")
    log = AccessLog.objects.get(action="reveal")
    assert (log.actor.username, log.object_id, log.reason) == ("agent", str(order.pk), "identity")
