"""R34 in a real browser: after the periodic SLA job ran, the supervisor sees the at-risk and the
breached work orders highlighted on the list, sorted by due time, and the escalation under the
bell; the engineer finds the warning under the bell and opens the work order from it."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from aftersales.accounts.choices import Role
from aftersales.sla.choices import MilestoneKind
from aftersales.sla.models import SlaClock
from aftersales.sla.services import sla_clocks_check
from aftersales.workorders.choices import State
from aftersales.workorders.models import WorkOrder
from tests import factories as f

from .test_workorder_flow import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = os.environ.get("SCREENSHOTS_DIR", "")  # set it to look at the pages


def running_clock(work_order, *, warn_in: timedelta, due_in: timedelta) -> SlaClock:
    """A first-response clock 24 h long, placed so that its 75 % and due times are `warn_in` and
    `due_in` from now (calendar time: the test runs whenever the suite runs)."""
    now = timezone.now()
    # what the SLA service keeps when it starts a clock: the work order's next due time
    WorkOrder.objects.filter(pk=work_order.pk).update(sla_due_at=now + due_in)
    return SlaClock.objects.create(
        work_order=work_order,
        kind=MilestoneKind.FIRST_RESPONSE,
        target=timedelta(hours=24),
        business_time=False,
        started_at=now + due_in - timedelta(hours=24),
        warn_at=now + warn_in,
        due_at=now + due_in,
    )


def test_r34_supervisor_sees_at_risk_and_breached_work_orders_and_the_bells_ring(open_page, live_server):
    point = f.ServicePointFactory(name="杭州西湖服务网点")
    engineer = f.EngineerFactory(service_point=point, user__username="engineer", user__last_name="赵")
    f.UserFactory(username="supervisor", role=Role.SUPERVISOR)
    at_risk = f.WorkOrderFactory(service_point=point, engineer=engineer, state=State.ASSIGNED)
    breached = f.WorkOrderFactory(service_point=point, engineer=engineer, state=State.ASSIGNED)
    on_track = f.WorkOrderFactory(service_point=point, engineer=engineer, state=State.ASSIGNED)
    running_clock(at_risk, warn_in=-timedelta(hours=1), due_in=timedelta(hours=5))
    running_clock(breached, warn_in=-timedelta(hours=7), due_in=-timedelta(hours=1))
    running_clock(on_track, warn_in=timedelta(hours=5), due_in=timedelta(hours=11))

    result = sla_clocks_check()  # what beat runs every five minutes
    assert (result.warned, result.escalated) == (1, 1)
    base = live_server.url

    supervisor = open_page()
    login(supervisor, base, "supervisor")
    supervisor.goto(f"{base}/workorders/?ordering=sla_due")
    rows = supervisor.get_by_test_id("list-row")
    expect(rows).to_have_count(3)
    # Sorted by due time: the breached one first, then the one at risk, then the one on track.
    expect(rows.nth(0)).to_have_attribute("data-key", breached.number)
    expect(rows.nth(1)).to_have_attribute("data-key", at_risk.number)
    expect(rows.nth(0).get_by_test_id("sla-due")).to_have_class("badge text-bg-danger")
    expect(rows.nth(1).get_by_test_id("sla-due")).to_have_class("badge text-bg-warning")
    expect(rows.nth(2).get_by_test_id("sla-due")).to_have_class("badge text-bg-success")
    # The escalation of the breach is under the supervisor's bell.
    expect(supervisor.get_by_test_id("notification-count")).to_have_text("1")
    if SCREENSHOTS:
        supervisor.screenshot(path=f"{SCREENSHOTS}/sla-list.png", full_page=True)

    # The engineer owns the work order at risk: on the phone, the warning is under the bell (with
    # the breach), which stays in sight outside the collapsed menu.
    engineer_page = open_page(width=390, height=844, phone=True)
    engineer_page.goto(f"{base}/accounts/login/")
    engineer_page.get_by_test_id("field-username").fill("engineer")
    engineer_page.get_by_test_id("field-password").fill(f.PASSWORD)
    engineer_page.get_by_test_id("login-submit").click()
    expect(engineer_page.get_by_test_id("notification-count")).to_be_visible()
    expect(engineer_page.get_by_test_id("notification-count")).to_have_text("2")
    if SCREENSHOTS:
        engineer_page.screenshot(path=f"{SCREENSHOTS}/sla-bell-phone.png")
    engineer_page.goto(f"{base}/notifications/")
    warning = engineer_page.locator("[data-testid^='notice-']").filter(has_text=at_risk.number)
    expect(warning).to_have_count(1)
    if SCREENSHOTS:
        engineer_page.screenshot(path=f"{SCREENSHOTS}/sla-notifications-phone.png")
    warning.click()
    engineer_page.wait_for_url(f"{base}/workorders/{at_risk.pk}/?tab=service#sla-panel")  # at the clocks
    expect(engineer_page.get_by_test_id("notification-count")).to_have_text("1")  # read: one left
    expect(engineer_page.get_by_test_id("sla-clock")).to_have_attribute("data-risk", "warning")
