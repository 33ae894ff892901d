"""The demo's return visits (`manage.py demo_seed`): most due visits answered through the
services, mostly satisfied, some praise, a few unsatisfied or unreachable; deterministic."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from django.db import transaction

from aftersales.feedback.choices import ReturnVisitState
from aftersales.feedback.demo import return_visits_answer
from aftersales.feedback.models import ReturnVisit
from tests.timeutil import at

pytestmark = pytest.mark.django_db

NOW = at(2026, 11, 20, 12, 0)


def outcomes() -> list[tuple[str, bool | None, bool]]:
    return list(ReturnVisit.objects.order_by("pk").values_list("state", "satisfied", "praise"))


def test_r22_r24_demo_answers_most_visits_with_realistic_outcomes(completed):
    for day in range(1, 31):
        completed(at(2026, 10, day, 10, 0))
    return_visits_answer(rng=random.Random(2026), now=NOW)
    states = Counter(state for state, _satisfied, _praise in outcomes())
    assert states[ReturnVisitState.DONE] >= 15 and states[ReturnVisitState.PENDING] >= 1
    answered = ReturnVisit.objects.filter(state=ReturnVisitState.DONE)
    assert answered.filter(satisfied=True).count() > answered.filter(satisfied=False).count()
    assert answered.exclude(praise="").exists()
    for visit in answered:
        assert visit.finished_at < NOW and visit.finished_at > visit.work_completed_at


def test_r22_demo_answers_are_deterministic(completed):
    """The same seed gives the same answers (each run rolled back before the next)."""

    def seeded_run() -> list[tuple]:
        with transaction.atomic():
            for day in range(1, 11):
                completed(at(2026, 10, day, 10, 0))
            return_visits_answer(rng=random.Random(7), now=NOW)
            result = list(
                ReturnVisit.objects.order_by("pk").values_list("state", "satisfied", "attempts", "praise")
            )
            transaction.set_rollback(True)
        return result

    first = seeded_run()
    assert not ReturnVisit.objects.exists()
    assert seeded_run() == first
    assert len({state for state, *_ in first}) > 1
