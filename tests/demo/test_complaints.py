"""The demo seeder (R26, R27): complaints in every state and three difficult cases, through the
services, deterministic for the seed's rng."""

from __future__ import annotations

import random

import pytest
from django.db import transaction

from aftersales.complaints.choices import CaseState, ComplaintState
from aftersales.complaints.demo import demo_seed
from aftersales.complaints.models import Complaint, DifficultCase

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]


def test_r26_r27_demo_has_complaints_in_every_state_and_cases(demo):
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


def test_r26_demo_is_deterministic(demo):
    """The seeder run twice on the demo company with one seed, each run rolled back."""

    def seeded() -> list[tuple]:
        with transaction.atomic():  # rolled back: history rows are never deleted
            demo_seed(rng=random.Random(7), now=demo.now)
            rows = list(Complaint.objects.order_by("description", "pk").values_list("work_order_id", "state"))
            transaction.set_rollback(True)
        return rows

    assert seeded() == seeded()
