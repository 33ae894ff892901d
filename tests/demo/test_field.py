"""The demo's visits (R12, R15-R17, R19): signed visits with supervision cards for completed work
orders, a refused sign-off keeping a work order open, today's visits for the demo engineer."""

from __future__ import annotations

import pytest
from django.utils import timezone

from aftersales.accounts.models import Engineer
from aftersales.field.choices import SignOffOutcome, VisitState
from aftersales.field.demo import DONE_VISITS
from aftersales.field.models import SignOff, SupervisionCard, Visit
from aftersales.workorders.choices import State

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]


def test_r12_r15_r17_r19_demo_seed_makes_signed_refused_and_todays_visits(demo):
    now = demo.now
    demo_engineer = Engineer.objects.get(user__username="engineer")

    signed = SignOff.objects.filter(outcome=SignOffOutcome.SIGNED)
    assert signed.count() == DONE_VISITS and all(
        s.signed_form.is_ready and s.allows_completion for s in signed
    )
    assert SupervisionCard.objects.count() == DONE_VISITS + 1  # the refused visit's card too
    refusal = SignOff.objects.get(outcome=SignOffOutcome.REFUSED)
    open_order = refusal.visit.work_order  # another engineer's work in service
    assert open_order.engineer != demo_engineer
    # Still open (R17): in service, or on hold since (the servicing seeder, run after the visits,
    # may send its device to a vendor); never completed.
    assert open_order.state in {State.IN_SERVICE, State.WAITING}
    assert not open_order.events.filter(kind="transition", action="complete").exists()
    today = Visit.objects.filter(engineer=demo_engineer, planned_date=timezone.localdate(now))
    assert today.exists() and set(today.values_list("state", flat=True)) == {VisitState.BOOKED}
    assert all(visit.appointment_id and visit.window_start for visit in today)  # booked windows
    for visit in Visit.objects.filter(state=VisitState.DONE):
        assert visit.left_at <= now and visit.arrived_at < visit.left_at
