"""The demo seeder (R26, R27): complaints in every state and three difficult cases, through the
services, deterministic for the seed's rng."""

from __future__ import annotations

import random

import pytest
from django.db import transaction
from django.utils import timezone

from aftersales.accounts.choices import Role
from aftersales.complaints.choices import CaseState, ComplaintState
from aftersales.complaints.demo import demo_seed
from aftersales.complaints.models import Complaint, DifficultCase
from aftersales.workorders.choices import State

from .. import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_company(make_user):
    for username, role in [("agent", Role.AGENT), ("quality", Role.QUALITY), ("supervisor", Role.SUPERVISOR)]:
        make_user(role, username=username)
    make_user(Role.CLERK, username="clerk")
    engineer = f.EngineerFactory()
    return [
        f.WorkOrderFactory(state=State.COMPLETED, engineer=engineer, service_point=engineer.service_point)
        for _ in range(12)
    ]


def test_r26_r27_demo_has_complaints_in_every_state_and_cases(demo_company):
    demo_seed(rng=random.Random(7), now=timezone.now())

    states = set(Complaint.objects.values_list("state", flat=True))
    assert states == set(ComplaintState.values)
    assert Complaint.objects.filter(work_order__isnull=True).count() == 1
    assert Complaint.objects.filter(outcome="rejected").count() == 1
    cases = dict(DifficultCase.objects.values_list("level", "state").order_by("created_at")[:1])
    assert cases == {1: CaseState.IN_PROGRESS}
    assert sorted(DifficultCase.objects.values_list("state", "level")) == [
        (CaseState.ESCALATED, 2),
        (CaseState.IN_PROGRESS, 1),
        (CaseState.RESOLVED, 2),
    ]


def test_r26_demo_is_deterministic(demo_company):
    def seeded() -> list[tuple]:
        with transaction.atomic():  # rolled back: history rows are never deleted
            demo_seed(rng=random.Random(7), now=timezone.now())
            rows = list(Complaint.objects.order_by("description").values_list("work_order_id", "state"))
            transaction.set_rollback(True)
        return rows

    assert seeded() == seeded()
