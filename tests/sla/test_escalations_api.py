"""R34: the home page's escalations panel through the API, `GET /api/sla/escalations/`: the same
selector (open clocks escalated to the supervisors, latest first), paginated like every list; for
the roles breaches escalate to (others 403); only the work orders the user may see (R37)."""

from __future__ import annotations

import pytest

from aftersales.accounts.choices import Role
from aftersales.sla.services import sla_clocks_check
from tests.api.helpers import assert_problem
from tests.timeutil import at, frozen

from .helpers import create, move

pytestmark = pytest.mark.django_db

URL = "/api/sla/escalations/"
MONDAY = at(2026, 11, 2, 9)
THURSDAY = at(2026, 11, 5, 10)  # Monday's first response breached and escalated


@pytest.fixture
def escalated(people):
    """Two requests of Monday left without a first response, escalated on Thursday; a third
    accepted at once."""
    late = [create(people, MONDAY), create(people, at(2026, 11, 2, 9, 30))]
    on_time = create(people, MONDAY)
    move(people, on_time, "accept", at(2026, 11, 2, 9, 15))
    with frozen(THURSDAY):
        sla_clocks_check()
    return late


def test_r34_supervisors_list_the_open_escalations_latest_first_in_pages(api_client, people, escalated):
    api = api_client(people.supervisor)
    with frozen(THURSDAY):
        body = api.get(URL).json()
        first_page = api.get(URL, {"page_size": 1}).json()

    assert body["count"] == 2
    numbers = {row["work_order"]["number"] for row in body["results"]}
    assert numbers == {order.number for order in escalated}
    row = body["results"][0]
    assert row["milestone"] == "first_response" and row["escalated_at"] and row["due_at"]
    assert row["work_order"]["customer"]["id"] in {order.customer_id for order in escalated}
    escalated_at = [r["escalated_at"] for r in body["results"]]
    assert escalated_at == sorted(escalated_at, reverse=True)
    assert len(first_page["results"]) == 1 and first_page["next"]


def test_r34_an_answered_escalation_leaves_the_list(api_client, people, escalated):
    move(people, escalated[0], "accept", at(2026, 11, 5, 11))

    with frozen(at(2026, 11, 5, 12)):
        body = api_client(people.supervisor).get(URL).json()

    assert [row["work_order"]["number"] for row in body["results"]] == [escalated[1].number]


def test_r34_other_roles_are_refused(api_client, people, world, escalated):
    assert_problem(api_client(people.agent).get(URL), 403, code="permission_denied")
    assert_problem(api_client(world.staff_a).get(URL), 403, code="permission_denied")


def test_r34_hq_admins_see_them_too(api_client, make_user, people, escalated):
    admin = make_user(Role.HQ_ADMIN, username="admin")
    with frozen(THURSDAY):
        assert api_client(admin).get(URL).json()["count"] == 2


def test_bad_page_parameters_are_problems(api_client, people, escalated):
    api = api_client(people.supervisor)
    assert_problem(api.get(URL, {"page_size": "x"}), 400, field="page_size")
    assert_problem(api.get(URL, {"page": 99}), 404)
