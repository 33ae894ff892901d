"""Service-level clocks driven by the work-order lifecycle (R34, R18), with a frozen clock.

The default policy 标准服务时效 (data migration) and the company standard calendar (Monday-Friday
09:00-12:00, 13:00-18:00, Chinese public holidays and make-up days) are in the test database.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from aftersales.accounts.choices import Role
from aftersales.sla.choices import RiskLevel
from aftersales.sla.models import SlaClock
from aftersales.sla.selectors import clocks_for, working_time_for
from aftersales.workorders.choices import Priority, WaitingReason
from tests import factories as f
from tests.timeutil import at, frozen

from .helpers import DIAGNOSIS, FIRST, RECORD, REPAIR, clock, create, move

pytestmark = pytest.mark.django_db


def test_r34_intake_starts_first_response_due_24_business_hours_later_across_national_day(people):
    # Wednesday 30 September 2026, 16:00: two hours left that day, then 1-7 October are the
    # National Day holidays; Saturday 10 October is a make-up working day (调休).
    work_order = create(people, at(2026, 9, 30, 16))

    first = clock(work_order, FIRST)
    assert list(work_order.sla_clocks.values_list("kind", flat=True)) == [FIRST]
    assert first.started_at == at(2026, 9, 30, 16)
    assert first.target == timedelta(hours=24)
    # 2 h (30 Sep) + 8 h (Thu 8 Oct) + 8 h (Fri 9 Oct) + 6 h (make-up Saturday 10 Oct) = 24 h.
    assert first.due_at == at(2026, 10, 10, 16)
    assert first.policy.name == "标准服务时效"


def test_r34_accept_before_due_stops_first_response_met_and_starts_diagnosis(people):
    work_order = create(people, at(2026, 9, 30, 16))

    move(people, work_order, "accept", at(2026, 10, 8, 10))

    first = clock(work_order, FIRST)
    assert first.stopped_at == at(2026, 10, 8, 10) and first.met is True and first.breached_at is None
    diagnosis = clock(work_order, DIAGNOSIS)
    assert diagnosis.started_at == at(2026, 10, 8, 10)
    # 48 business hours from Thursday 8 Oct 10:00: 7 + 8 + 8 (make-up Sat) + 8 + 8 + 8 + 1.
    assert diagnosis.due_at == at(2026, 10, 15, 10)


def test_r34_first_response_after_due_is_breached(people):
    work_order = create(people, at(2026, 9, 30, 16))

    move(people, work_order, "accept", at(2026, 10, 12, 9, 30))

    first = clock(work_order, FIRST)
    assert first.met is False
    assert first.breached_at == at(2026, 10, 10, 16)


def test_r34_wait_pauses_with_reason_and_resume_pushes_due_out_by_the_paused_business_time(people):
    work_order = create(people, at(2026, 11, 2, 9))  # Monday
    move(people, work_order, "accept", at(2026, 11, 2, 9, 30))
    move(people, work_order, "assign", at(2026, 11, 2, 9, 45))
    move(people, work_order, "start", at(2026, 11, 2, 10))
    assert clock(work_order, DIAGNOSIS).met is True
    repair = clock(work_order, REPAIR)
    assert repair.due_at == at(2026, 11, 10, 10)  # 48 business hours: Tuesday next week 10:00
    original_due = repair.due_at

    move(people, work_order, "wait", at(2026, 11, 2, 11), waiting_reason=WaitingReason.PARTS)
    repair = clock(work_order, REPAIR)
    assert repair.paused_at == at(2026, 11, 2, 11)
    assert repair.paused_reason == WaitingReason.PARTS
    with frozen(at(2026, 11, 3, 12)):
        (view,) = [v for v in clocks_for(work_order) if v.clock.kind == REPAIR]
    assert view.state == "paused" and view.used == timedelta(hours=1)  # the pause does not count

    move(people, work_order, "resume", at(2026, 11, 4, 15))

    repair = clock(work_order, REPAIR)
    # Paused Mon 11:00 - Wed 15:00: 6 h + 8 h + 5 h = 19 business hours.
    assert repair.paused_at is None and repair.paused_reason == ""
    assert repair.paused_total == timedelta(hours=19)
    assert repair.due_at == at(2026, 11, 12, 14)
    calendar = working_time_for(people.point)
    assert calendar.business_time_between(original_due, repair.due_at) == timedelta(hours=19)


def test_r34_resume_of_a_clock_already_past_due_keeps_its_due_time(people):
    work_order = create(people, at(2026, 11, 2, 9))
    move(people, work_order, "accept", at(2026, 11, 2, 9, 30))
    move(people, work_order, "assign", at(2026, 11, 2, 9, 45))
    move(people, work_order, "start", at(2026, 11, 2, 10))
    move(people, work_order, "wait", at(2026, 11, 11, 9), waiting_reason=WaitingReason.CUSTOMER)
    move(people, work_order, "resume", at(2026, 11, 13, 9))

    repair = clock(work_order, REPAIR)
    assert repair.due_at == at(2026, 11, 10, 10)
    with frozen(at(2026, 11, 13, 10)):
        (view,) = [v for v in clocks_for(work_order) if v.clock.kind == REPAIR]
    assert view.risk == RiskLevel.BREACHED and view.remaining == timedelta(0)


def test_r18_complete_starts_record_complete_and_close_stops_it(people):
    work_order = create(people, at(2026, 11, 2, 9))
    for action, moment in [
        ("accept", at(2026, 11, 2, 9, 30)),
        ("assign", at(2026, 11, 2, 9, 45)),
        ("start", at(2026, 11, 2, 10)),
        ("complete", at(2026, 11, 3, 16)),
    ]:
        move(people, work_order, action, moment)
    assert clock(work_order, REPAIR).met is True
    record = clock(work_order, RECORD)
    assert record.due_at == at(2026, 11, 6, 16)  # 24 business hours after completion (R18)

    move(people, work_order, "close", at(2026, 11, 6, 17))

    record = clock(work_order, RECORD)
    assert record.met is False and record.breached_at == at(2026, 11, 6, 16)


def test_r34_reopen_restarts_the_repair_clock(people):
    work_order = create(people, at(2026, 11, 2, 9))
    for action, moment in [
        ("accept", at(2026, 11, 2, 9, 30)),
        ("assign", at(2026, 11, 2, 9, 45)),
        ("start", at(2026, 11, 2, 10)),
        ("complete", at(2026, 11, 3, 16)),
    ]:
        move(people, work_order, action, moment)

    move(people, work_order, "reopen", at(2026, 11, 4, 9))

    repair = clock(work_order, REPAIR)
    assert repair.started_at == at(2026, 11, 4, 9) and repair.stopped_at is None and repair.met is None
    assert repair.due_at == at(2026, 11, 11, 18)  # six working days of 8 h from Wednesday 09:00
    record = clock(work_order, RECORD)
    assert record.stopped_at == at(2026, 11, 4, 9) and record.met is None


def test_r34_cancel_stops_every_clock_without_a_verdict(people):
    work_order = create(people, at(2026, 11, 2, 9))
    move(people, work_order, "accept", at(2026, 11, 2, 9, 30))
    move(people, work_order, "assign", at(2026, 11, 2, 9, 45))
    move(people, work_order, "start", at(2026, 11, 2, 10))
    move(people, work_order, "wait", at(2026, 11, 2, 11), waiting_reason=WaitingReason.VENDOR)

    move(people, work_order, "cancel", at(2026, 11, 5, 9))

    assert not SlaClock.objects.filter(work_order=work_order, stopped_at__isnull=True).exists()
    repair = clock(work_order, REPAIR)
    assert repair.stopped_at == at(2026, 11, 5, 9) and repair.met is None
    assert clock(work_order, FIRST).met is True  # verdicts given earlier stay


def test_r34_urgent_priority_halves_the_targets(people):
    work_order = create(people, at(2026, 11, 2, 9), priority=Priority.URGENT)

    first = clock(work_order, FIRST)
    assert first.policy.name == "加急服务时效"
    assert first.target == timedelta(hours=12)
    assert first.due_at == at(2026, 11, 3, 14)  # 8 h Monday + 4 h Tuesday (lunch skipped)
    move(people, work_order, "accept", at(2026, 11, 2, 10))
    assert clock(work_order, DIAGNOSIS).target == timedelta(hours=24)


def test_r34_risk_levels_follow_the_share_of_budget_used(people):
    work_order = create(people, at(2026, 11, 2, 9))  # first response due Wednesday 4 Nov 18:00

    def risk(moment):
        with frozen(moment):
            (view,) = clocks_for(work_order)
        return view.risk, view.percent, view.state

    assert risk(at(2026, 11, 3, 9)) == (RiskLevel.OK, 33, "running")
    assert risk(at(2026, 11, 4, 12)) == (RiskLevel.WARNING, 79, "running")  # 19 of 24 h
    assert risk(at(2026, 11, 4, 18)) == (RiskLevel.WARNING, 100, "running")  # due, not yet late
    assert risk(at(2026, 11, 5, 9, 30))[0] == RiskLevel.BREACHED


def test_r34_clock_panel_on_the_work_order_page(people, client):
    work_order = create(people, at(2026, 11, 2, 9))
    move(people, work_order, "accept", at(2026, 11, 2, 9, 30))
    client.force_login(people.agent)

    with frozen(at(2026, 11, 2, 10)):
        response = client.get(reverse("workorders:detail", args=[work_order.pk]) + "?tab=service")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="sla-panel"' in html
    assert 'data-kind="first_response" data-state="met"' in html
    assert 'data-kind="diagnosis" data-state="running" data-risk="ok"' in html
    assert "2026-11-10 09:30" in html  # diagnosis due after 48 business hours


def test_r34_clock_panel_is_not_shown_to_someone_who_cannot_see_the_work_order(people, client):
    work_order = create(people, at(2026, 11, 2, 9))
    outsider = f.UserFactory(role=Role.DEALER_STAFF, dealer=f.DealerFactory(code="DX"), username="outsider")
    client.force_login(outsider)

    response = client.get(reverse("workorders:detail", args=[work_order.pk]))

    assert response.status_code == 404


def test_r34_clock_panel_queries_do_not_grow_with_clocks(people, client, django_assert_max_num_queries):
    one = create(people, at(2026, 11, 2, 9))
    many = create(people, at(2026, 11, 2, 9))
    for action, moment in [
        ("accept", at(2026, 11, 2, 9, 30)),
        ("assign", at(2026, 11, 2, 9, 45)),
        ("start", at(2026, 11, 2, 10)),
        ("complete", at(2026, 11, 3, 16)),
    ]:
        move(people, many, action, moment)
    client.force_login(people.agent)

    with django_assert_max_num_queries(60) as baseline:
        client.get(reverse("workorders:detail", args=[one.pk]) + "?tab=service")
    with django_assert_max_num_queries(len(baseline.captured_queries) + 3):
        # the longer timeline of `many` may cost a little; the four clocks may not
        client.get(reverse("workorders:detail", args=[many.pk]) + "?tab=service")


def test_r34_transition_hook_costs_a_bounded_number_of_queries(people, django_assert_max_num_queries):
    work_order = create(people, at(2026, 11, 2, 9))
    move(people, work_order, "accept", at(2026, 11, 2, 9, 30))
    move(people, work_order, "assign", at(2026, 11, 2, 9, 45))
    with django_assert_max_num_queries(40) as without_sla:
        move(people, work_order, "start", at(2026, 11, 2, 10))
    # start stops diagnosis and starts repair: clocks + policy + milestones + calendar + 2 writes
    sla = [q for q in without_sla.captured_queries if "sla_" in q["sql"]]
    assert len(sla) <= 9, [q["sql"][:80] for q in sla]
