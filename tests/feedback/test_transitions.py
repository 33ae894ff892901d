"""The return-visit lifecycle (R22-R24) as it behaves: a visit is answered, called again or given up
only while pending and only by the return-visit roles; the policy decides between calling again and
giving up; nobody but the system cancels a visit, and it does when the work order reopens. (Every
transition's sources, roles and event are also proven by tests/test_machines.py.)"""

from __future__ import annotations

import pytest

from aftersales.accounts.choices import Role
from aftersales.core.errors import NotPermitted, TransitionNotAllowed
from aftersales.core.transitions import transition_run
from aftersales.feedback.choices import RETURN_VISIT_ROLES, AttemptResult, ReturnVisitState
from aftersales.feedback.models import ReturnVisit, ReturnVisitPolicy
from aftersales.feedback.services import return_visit_call_failed, return_visit_record
from aftersales.feedback.transitions import (
    RETURN_VISIT,
    callback_permitted,
    makes_return_visits,
    visit_actions_available,
)
from aftersales.workorders.events import event_text
from tests.api.helpers import assert_problem

from .. import factories as f

pytestmark = pytest.mark.django_db

GOOD = dict(score_timeliness=5, score_skill=5, score_attitude=5, score_effectiveness=4, score_overall=5)


def pending(work_order) -> ReturnVisit:
    return ReturnVisit.objects.get(work_order=work_order, state=ReturnVisitState.PENDING)


@pytest.mark.parametrize("end", ["record", "give_up"])
def test_r22_a_finished_visit_is_final(completed, quality, end):
    """Given a visit answered or given up, when anyone calls again or records an answer, then
    it is refused (409) and the visit stays as it ended."""
    visit = pending(completed())
    if end == "record":
        return_visit_record(visit_id=visit.pk, actor=quality, **GOOD)
    else:
        return_visit_call_failed(visit_id=visit.pk, actor=quality, result=AttemptResult.WRONG_NUMBER)
    visit.refresh_from_db()
    ended = (visit.state, visit.attempts)

    with pytest.raises(TransitionNotAllowed):
        return_visit_record(visit_id=visit.pk, actor=quality, **GOOD)
    with pytest.raises(TransitionNotAllowed):
        return_visit_call_failed(visit_id=visit.pk, actor=quality, result=AttemptResult.BUSY)

    visit.refresh_from_db()
    assert (visit.state, visit.attempts) == ended
    assert not visit_actions_available(visit, quality)


@pytest.mark.parametrize("role", list(Role.values))
def test_r22_only_return_visit_roles_call_customers_and_nobody_cancels_by_hand(role):
    user = f.UserFactory(role=role)
    pending_visit = ReturnVisit(state=ReturnVisitState.PENDING)
    done = ReturnVisit(state=ReturnVisitState.DONE)
    assert visit_actions_available(pending_visit, user) == (role in RETURN_VISIT_ROLES)
    assert makes_return_visits(user) == (role in RETURN_VISIT_ROLES)
    assert not visit_actions_available(done, user)
    cancel = RETURN_VISIT["cancel"]
    assert not RETURN_VISIT.permits(cancel, user, pending_visit)
    assert not RETURN_VISIT.permits(
        cancel, f.UserFactory(role=Role.HQ_ADMIN, is_superuser=True), pending_visit
    )


def test_r22_a_user_cannot_cancel_a_visit_the_system_does_when_the_work_order_reopens(
    completed, run, quality, agent
):
    work_order = completed()
    visit = pending(work_order)

    with pytest.raises(NotPermitted):
        transition_run(RETURN_VISIT, pk=visit.pk, action="cancel", actor=quality, inputs={"reason": "不需要"})
    visit.refresh_from_db()
    assert visit.state == ReturnVisitState.PENDING

    run(work_order, "reopen", note="客户来电：故障再次出现")

    visit.refresh_from_db()
    assert visit.state == ReturnVisitState.CANCELLED and visit.finished_by is None
    assert visit.cancel_reason == "Work order: Reopen"
    event = work_order.events.get(kind="return_visit", action=ReturnVisitState.CANCELLED)
    assert event.actor is None  # the system's doing, right after the agent's reopen
    assert event_text(event) == f"Return visit {visit.number} cancelled (work order: Reopen)."


def test_r23_engineers_ask_for_a_call_back_on_their_own_work_only(world):
    order = f.WorkOrderFactory(service_point=world.point_a, engineer=world.engineer_a)
    assert callback_permitted(world.engineer_a.user, order)
    assert not callback_permitted(world.engineer_b.user, order)
    assert callback_permitted(world.staff_a, order)
    assert not callback_permitted(f.UserFactory(role=Role.FINANCE), order)


def test_r22_calls_are_retried_while_the_policy_allows_then_given_up(completed, quality, api_client):
    """The API offers `retry` and `give-up` as transitions; each refuses the other's case, so the
    policy's number of calls holds whichever a client posts."""
    ReturnVisitPolicy.objects.create(max_attempts=2)
    visit = pending(completed())
    client = api_client(quality)

    assert_problem(
        client.post(f"/api/return-visits/{visit.pk}/give-up/", {"result": "busy"}, format="json"),
        409,
        code="transition_not_allowed",
    )
    response = client.post(f"/api/return-visits/{visit.pk}/retry/", {"result": "busy"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "pending"
    assert_problem(
        client.post(f"/api/return-visits/{visit.pk}/retry/", {"result": "no_answer"}, format="json"),
        409,
        code="transition_not_allowed",
    )
    response = client.post(f"/api/return-visits/{visit.pk}/give-up/", {"result": "no_answer"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "unreachable"
    assert response.json()["attempts"] == 2


def test_r22_a_wrong_number_is_given_up_at_once_and_never_retried(completed, quality, api_client):
    visit = pending(completed())

    assert_problem(
        api_client(quality).post(
            f"/api/return-visits/{visit.pk}/retry/", {"result": "wrong_number"}, format="json"
        ),
        409,
    )
    visit = return_visit_call_failed(visit_id=visit.pk, actor=quality, result=AttemptResult.WRONG_NUMBER)
    assert visit.state == ReturnVisitState.UNREACHABLE


def test_r22_nobody_cancels_through_the_api(completed, quality, api_client):
    visit = pending(completed())

    # The system's own transition has no endpoint at all.
    assert (
        api_client(quality).post(f"/api/return-visits/{visit.pk}/cancel/", {}, format="json").status_code
        == 404
    )
    visit.refresh_from_db()
    assert visit.state == ReturnVisitState.PENDING
