"""Row locks under concurrency (PostgreSQL): two people answering the same plan, or two follow-up
jobs running at once, change it once (R8, R14, R41)."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from aftersales.servicing.choices import FollowUpKind, PlanState
from aftersales.servicing.models import ExternalRepairFollowUp
from aftersales.servicing.services import (
    depot_repair_inspect,
    depot_repair_receive,
    external_repair_remind,
    external_repair_send,
    plan_confirm,
    plan_create,
    plan_reject,
    plan_send,
)

from ..workorders.test_services import _race

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks (SELECT ... FOR UPDATE) need PostgreSQL; SQLite locks the whole database",
    ),
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def test_r8_confirm_and_reject_at_once_one_wins(order, eng, agent):
    plan = plan_send(
        plan_id=plan_create(work_order=order, actor=eng, measures="清洁", estimated_hours=1).pk, actor=eng
    )

    def answer(actor):
        if actor == agent:
            plan_confirm(plan_id=plan.pk, actor=actor, confirmed_by_name="李娜", confirmation_method="phone")
        else:
            plan_reject(plan_id=plan.pk, actor=actor, reason="不同意")

    assert _race(answer, [agent, eng]) == ["TransitionNotAllowed", "ok"]
    plan.refresh_from_db()
    assert plan.state in (PlanState.CONFIRMED, PlanState.REJECTED)
    assert order.events.filter(action__in=["plan_confirm", "plan_reject"]).count() == 1


def test_r14_two_reminder_jobs_at_once_write_one_reminder(order, eng, vendor):
    repair = depot_repair_receive(work_order=order, actor=eng)
    depot_repair_inspect(repair_id=repair.pk, actor=eng, appearance="完好", configuration="标准")
    external = external_repair_send(
        repair_id=repair.pk,
        actor=eng,
        vendor=vendor,
        reason="in_warranty",
        vendor_contact="陈工",
        voucher_number="V",
    )
    later = timezone.now() + timedelta(days=2, hours=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        results = _race(lambda _: external_repair_remind(external_repair_id=external.pk, now=later), [1, 2])
    assert results == ["ok", "ok"]
    assert (
        ExternalRepairFollowUp.objects.filter(external_repair=external, kind=FollowUpKind.REMINDER).count()
        == 1
    )
