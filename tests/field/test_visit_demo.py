"""The demo's visits (R12, R15-R17, R19): signed visits with supervision cards for completed work
orders, a refused sign-off keeping a work order open, today's visits for the demo engineer;
deterministic for a given seed."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from aftersales.field.choices import SignOffOutcome, VisitState
from aftersales.field.demo import seed
from aftersales.field.models import SignOff, SupervisionCard, Visit
from aftersales.workorders.choices import State

from .. import factories as f


@pytest.mark.django_db
def test_demo_seed_makes_signed_refused_and_todays_visits():
    now = timezone.now()
    demo_engineer = f.EngineerFactory(user__username="engineer")
    other = f.EngineerFactory(user__username="eng_other")
    f.UserFactory(username="clerk", role="clerk")
    for days, state in ((3, State.COMPLETED), (5, State.CLOSED)):
        f.WorkOrderFactory(
            engineer=other,
            service_point=other.service_point,
            state=state,
            completed_at=now - timedelta(days=days),
        )
    open_order = f.WorkOrderFactory(engineer=other, service_point=other.service_point, state=State.IN_SERVICE)
    for _ in range(2):
        f.WorkOrderFactory(
            engineer=demo_engineer, service_point=demo_engineer.service_point, state=State.ASSIGNED
        )

    seed(rng=random.Random(7), now=now)

    signed = SignOff.objects.filter(outcome=SignOffOutcome.SIGNED)
    assert signed.count() == 2 and all(s.document_id and s.allows_completion for s in signed)
    assert SupervisionCard.objects.count() == 3
    refusal = SignOff.objects.get(outcome=SignOffOutcome.REFUSED)
    assert refusal.visit.work_order == open_order
    open_order.refresh_from_db()
    assert open_order.state == State.IN_SERVICE
    today = Visit.objects.filter(engineer=demo_engineer, planned_date=timezone.localdate(now))
    assert today.count() == 2 and set(today.values_list("state", flat=True)) == {VisitState.BOOKED}
    for visit in Visit.objects.filter(state=VisitState.DONE):
        assert visit.left_at <= now and visit.arrived_at < visit.left_at
