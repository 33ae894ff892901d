"""R34, R37: "overdue" on the home page and the work-order list means a service-level clock
breached or at risk, never "created more than 24 hours ago"; a supervisor's home shows the overdue
work orders and the escalations, not an empty "opened by me" panel.

Frozen clock: the default policy gives first response 24 business hours (Monday-Friday 09:00-12:00,
13:00-18:00). A request on Monday 2 November 2026 at 09:00 is at risk (75 %) from Wednesday 11:00
and due on Wednesday 18:00; accepting it stops that clock and starts the 48-hour diagnosis one."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aftersales.sla.services import sla_clocks_check
from aftersales.workorders.selectors import workorder_overdue, workorder_queue
from tests.timeutil import at, frozen

from .helpers import create, move

pytestmark = pytest.mark.django_db

MONDAY = at(2026, 11, 2, 9)
WEDNESDAY_NOON = at(2026, 11, 4, 12)  # the Monday request is at risk
THURSDAY = at(2026, 11, 5, 10)  # ... and breached


@pytest.fixture
def orders(people):
    """`risky`: waiting for its first response since Monday; `old_on_time`: older, but accepted at
    once (its diagnosis clock has time left); `fresh`: created on Wednesday morning."""
    risky = create(people, MONDAY)
    old_on_time = create(people, MONDAY)
    move(people, old_on_time, "accept", at(2026, 11, 2, 9, 30))
    fresh = create(people, at(2026, 11, 4, 9))
    return type("Orders", (), dict(risky=risky, old_on_time=old_on_time, fresh=fresh))


def test_r34_overdue_is_a_clock_at_risk_or_breached_not_the_age(people, orders):
    with frozen(at(2026, 11, 4, 10)):  # 49 hours after Monday 9:00, nothing at risk yet
        assert list(workorder_overdue(people.agent)) == []
    with frozen(WEDNESDAY_NOON):
        assert list(workorder_overdue(people.agent)) == [orders.risky]
        queue = workorder_queue(people.agent)
    assert queue["overdue_count"] == 1 and queue["overdue"][0].sla_breached is False
    with frozen(THURSDAY):
        queue = workorder_queue(people.agent)
    assert queue["overdue"] == [orders.risky] and queue["overdue"][0].sla_breached is True


def test_r34_a_clock_paused_after_its_due_time_stays_overdue_closed_ones_do_not(people, orders):
    move(people, orders.risky, "accept", THURSDAY)  # first response stopped late; diagnosis on time
    with frozen(THURSDAY):
        assert orders.risky not in workorder_overdue(people.agent)
    late = create(people, MONDAY)
    move(people, late, "accept", at(2026, 11, 2, 9, 5))
    move(people, late, "assign", at(2026, 11, 2, 9, 10))
    move(people, late, "start", at(2026, 11, 2, 9, 15))  # repair: 48 business hours
    move(people, late, "wait", at(2026, 11, 11, 9), waiting_reason="customer")  # repair past due
    with frozen(at(2026, 11, 12, 9)):
        assert late in workorder_overdue(people.agent)
        move(people, late, "cancel", at(2026, 11, 12, 9))
        assert late not in workorder_overdue(people.agent)


def test_r34_home_page_overdue_panel_and_list_filter(client, people, orders):
    with frozen(THURSDAY):
        client.force_login(people.agent)
        html = client.get(reverse("home")).content.decode()
        assert 'data-testid="queue-overdue"' in html and 'data-risk="breached"' in html
        assert "Overdue: service level breached or at risk" in html
        assert "24 hours" not in html
        listed = client.get(reverse("workorders:list") + "?overdue=true").content.decode()
        assert orders.risky.number in listed
        assert orders.old_on_time.number not in listed and orders.fresh.number not in listed
        on_time = client.get(reverse("workorders:list") + "?overdue=false").content.decode()
        assert orders.risky.number not in on_time and orders.fresh.number in on_time


def test_r34_api_list_filters_overdue(api_client, people, orders):
    with frozen(WEDNESDAY_NOON):
        body = api_client(people.agent).get("/api/workorders/?overdue=true").json()
    rows = body["results"] if isinstance(body, dict) else body
    assert [row["number"] for row in rows] == [orders.risky.number]


def test_r37_supervisor_home_shows_overdue_and_escalations_not_an_empty_mine_panel(client, people, orders):
    with frozen(THURSDAY):
        sla_clocks_check()  # escalates the breached first response to the supervisors
        client.force_login(people.supervisor)
        response = client.get(reverse("home"))
    html = response.content.decode()
    assert 'data-testid="queue-mine"' not in html
    assert 'data-testid="queue-overdue"' in html
    panel = response.context["panels"][0][1]
    assert panel["mine"] is None and panel["overdue"] == [orders.risky]
    assert '<div class="col-12">' in html  # the overdue list takes the whole width
    assert 'data-testid="sla-escalations"' in html
    assert f'data-testid="escalation-row" data-work-order="{orders.risky.number}"' in html


def test_r37_escalations_are_for_supervisors_only(client, people, orders):
    with frozen(THURSDAY):
        sla_clocks_check()
        client.force_login(people.agent)
        html = client.get(reverse("home")).content.decode()
    assert 'data-testid="sla-escalations"' not in html
    assert 'data-testid="queue-mine"' in html and 'data-testid="queue-overdue"' in html


def test_r37_engineer_and_dispatcher_keep_their_own_queue_beside_the_overdue(client, people, orders):
    move(people, orders.old_on_time, "assign", at(2026, 11, 2, 10))
    with frozen(THURSDAY):
        client.force_login(people.engineer.user)
        panel = client.get(reverse("home")).context["panels"][0][1]
    assert panel["mine"] == [orders.old_on_time]
    assert panel["overdue"] == [orders.risky]  # at the engineer's service point
