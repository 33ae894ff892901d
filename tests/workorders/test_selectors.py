"""Work-order reads are scoped in SQL to what the user may see (R37), history and timeline (R41)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from aftersales.accounts.choices import COMPANY_WIDE_ROLES, Role
from aftersales.core.models import ChangeRecord
from aftersales.workorders.choices import State
from aftersales.workorders.selectors import (
    workorder_get,
    workorder_get_by_number,
    workorder_history,
    workorder_list,
    workorder_scope,
    workorder_timeline,
)
from aftersales.workorders.services import workorder_transition, workorder_update
from tests import factories as f

pytestmark = pytest.mark.django_db


def visible(user) -> set[str]:
    return set(workorder_scope(user).values_list("number", flat=True))


def test_r37_dealer_staff_see_only_their_dealers_service_points(world):
    second_point_a = f.ServicePointFactory(dealer=world.dealer_a)
    order_a2 = f.WorkOrderFactory(service_point=second_point_a)
    unplaced = f.WorkOrderFactory(service_point=None)

    assert visible(world.staff_a) == {world.order_a.number, order_a2.number}
    assert visible(world.staff_b) == {world.order_b.number}
    assert unplaced.number not in visible(world.staff_a)


def test_r37_engineer_sees_work_assigned_to_them_or_at_their_service_point(world):
    elsewhere_but_mine = f.WorkOrderFactory(service_point=world.point_b, engineer=world.engineer_a)
    mine_moved_unassigned = f.WorkOrderFactory(service_point=None, engineer=world.engineer_a)

    assert visible(world.engineer_a.user) == {
        world.order_a.number,
        elsewhere_but_mine.number,
        mine_moved_unassigned.number,
    }
    assert visible(world.engineer_b.user) == {world.order_b.number, elsewhere_but_mine.number}


@pytest.mark.parametrize("role", sorted(COMPANY_WIDE_ROLES))
def test_r37_company_wide_roles_see_every_work_order(role, world, make_user):
    unplaced = f.WorkOrderFactory(service_point=None)

    assert visible(make_user(role)) == {world.order_a.number, world.order_b.number, unplaced.number}


def test_r37_superuser_sees_everything(world, make_user):
    admin = make_user(Role.DEALER_STAFF, username="root", is_superuser=True)

    assert visible(admin) == {world.order_a.number, world.order_b.number}


@pytest.mark.parametrize(
    "who",
    ["anonymous", "dealer staff without a dealer", "engineer role without an engineer record"],
)
def test_r37_a_user_without_scope_sees_nothing(who, world, make_user):
    user = {
        "anonymous": lambda: AnonymousUser(),
        "dealer staff without a dealer": lambda: make_user(Role.DEALER_STAFF, username="lost"),
        "engineer role without an engineer record": lambda: make_user(Role.ENGINEER, username="newbie"),
    }[who]()

    assert visible(user) == set()


def test_r37_scope_narrows_a_given_queryset(world):
    from aftersales.workorders.models import WorkOrder

    world.order_a.state = State.CLOSED
    world.order_a.save()
    closed = WorkOrder.objects.filter(state=State.CLOSED)

    assert list(workorder_scope(world.staff_a, closed)) == [world.order_a]
    assert list(workorder_scope(world.staff_b, closed)) == []


def test_r37_other_dealers_work_order_is_not_found_rather_than_forbidden(world):
    assert workorder_get(world.staff_a, world.order_a.pk) == world.order_a
    with pytest.raises(Http404):
        workorder_get(world.staff_a, world.order_b.pk)
    with pytest.raises(Http404):
        workorder_get_by_number(world.staff_a, world.order_b.number)
    assert workorder_get_by_number(world.staff_b, world.order_b.number) == world.order_b


def test_r37_scoping_is_done_in_sql(world):
    """One query, whatever the role: the filter is in the WHERE clause, not a Python loop."""
    for user in (world.staff_a, world.engineer_a.user):
        with CaptureQueriesContext(connection) as queries:
            list(workorder_scope(user))
        assert len(queries) == 1


def test_list_query_count_does_not_grow_with_rows(world, agent):
    """The list selector joins what the list shows; rendering rows makes no extra query."""

    def render(user) -> int:
        with CaptureQueriesContext(connection) as queries:
            for row in workorder_list(user):
                _ = (row.customer.name, row.service_point and row.service_point.name, row.product_model)
                _ = row.engineer and row.engineer.user.display_name
        return len(queries)

    few = render(agent)
    for _ in range(5):
        f.WorkOrderFactory(engineer=f.EngineerFactory(), product_model=f.ProductModelFactory())
    assert render(agent) == few == 1


def test_r41_history_and_timeline_show_every_change_in_order(agent, dispatcher):
    work_order = f.WorkOrderFactory(state=State.ACCEPTED)
    engineer = f.EngineerFactory(service_point=work_order.service_point)
    workorder_update(work_order_id=work_order.pk, actor=agent, expected_version=1, priority="urgent")
    workorder_transition(work_order_id=work_order.pk, action="assign", actor=dispatcher, engineer=engineer)

    fields = list(workorder_history(work_order).values_list("field", flat=True))
    assert sorted(fields) == ["engineer", "priority", "state"]

    timeline = workorder_timeline(work_order)
    assert [row.created_at for row in timeline] == sorted(row.created_at for row in timeline)
    changes = [row for row in timeline if isinstance(row, ChangeRecord)]
    assert {row.field for row in changes} == {"engineer", "priority"}  # state shows as the event
    assert [row.action for row in timeline if not isinstance(row, ChangeRecord)] == ["assign"]
