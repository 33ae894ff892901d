"""The return-visit lifecycle (R22-R24): pending → done | unreachable | cancelled, each transition
from pending only, for the return-visit roles; cancel is the system's alone."""

from __future__ import annotations

import pytest

from aftersales.accounts.choices import Role
from aftersales.feedback.choices import RETURN_VISIT_ROLES, VisitState
from aftersales.feedback.models import ReturnVisit
from aftersales.feedback.transitions import VISIT_TRANSITIONS, callback_permitted, visit_actions_available

from .. import factories as f

pytestmark = pytest.mark.django_db


def test_r22_every_transition_leaves_pending_only_and_finished_states_are_final():
    targets = {t.target for t in VISIT_TRANSITIONS.values()}
    assert targets == set(VisitState.values)
    for transition in VISIT_TRANSITIONS.values():
        assert transition.sources == {VisitState.PENDING}


@pytest.mark.parametrize("role", list(Role.values))
def test_r22_only_return_visit_roles_call_customers_and_nobody_cancels_by_hand(role):
    user = f.UserFactory(role=role)
    pending, done = ReturnVisit(state=VisitState.PENDING), ReturnVisit(state=VisitState.DONE)
    assert visit_actions_available(pending, user) == (role in RETURN_VISIT_ROLES)
    assert not visit_actions_available(done, user)
    assert not VISIT_TRANSITIONS["cancel"].permits(user)
    assert not VISIT_TRANSITIONS["cancel"].permits(f.UserFactory(role=Role.HQ_ADMIN, is_superuser=True))


def test_r23_engineers_ask_for_a_call_back_on_their_own_work_only(world):
    order = f.WorkOrderFactory(service_point=world.point_a, engineer=world.engineer_a)
    assert callback_permitted(world.engineer_a.user, order)
    assert not callback_permitted(world.engineer_b.user, order)
    assert callback_permitted(world.staff_a, order)
    assert not callback_permitted(f.UserFactory(role=Role.FINANCE), order)
