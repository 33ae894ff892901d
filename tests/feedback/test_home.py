"""R37, R22: a quality clerk's home page shows what quality acts on: the return visits due (every
pending one in scope to call by the end of today, whoever it is assigned to), never an empty
"opened by me" panel nor the overdue work orders of the front office."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aftersales.accounts.choices import Role
from aftersales.feedback.choices import ReturnVisitKind, ReturnVisitState
from aftersales.feedback.models import ReturnVisit
from tests.timeutil import at, frozen

pytestmark = pytest.mark.django_db


def pending(work_order) -> ReturnVisit:
    return ReturnVisit.objects.get(
        work_order=work_order, kind=ReturnVisitKind.ROUTINE, state=ReturnVisitState.PENDING
    )


def test_r37_quality_home_lists_the_return_visits_due_whoever_calls(client, completed, quality, make_user):
    other = make_user(Role.QUALITY, username="quality2")
    late = pending(completed(at(2026, 11, 2, 10, 0)))  # due 5 November: overdue on the 20th
    others = pending(completed(at(2026, 11, 18, 10, 0)))  # assigned to the other quality user
    later = pending(completed(at(2026, 11, 19, 10, 0)))
    ReturnVisit.objects.filter(pk=others.pk).update(next_call_at=at(2026, 11, 20, 15))  # today
    ReturnVisit.objects.filter(pk=later.pk).update(next_call_at=at(2026, 11, 25, 9))  # not yet due
    assert others.assignee == other
    with frozen(at(2026, 11, 20, 9, 0)):
        client.force_login(quality)
        response = client.get(reverse("home"))
    html = response.content.decode()
    assert 'data-testid="rv-home" data-list="due"' in html
    assert late.number in html and others.number in html and later.number not in html
    assert "Return visits due" in html and "?due=today" in html
    assert 'data-testid="queue-mine"' not in html and 'data-testid="queue-overdue"' not in html
    assert 'data-testid="state-counts"' in html
    assert 'data-testid="home-intake"' not in html  # quality does not take requests
    panel = response.context["panels"][0][1]
    assert panel["mine"] is None and panel["overdue"] is None


def test_r22_an_agent_still_sees_only_their_own_return_visits(client, completed, agent):
    visit = pending(completed(at(2026, 11, 2, 10, 0)))
    with frozen(at(2026, 11, 20, 9, 0)):
        client.force_login(agent)
        html = client.get(reverse("home")).content.decode()
    assert visit.number not in html  # assigned to quality
    assert 'data-testid="home-intake"' in html
