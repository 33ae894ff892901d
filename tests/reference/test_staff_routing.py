"""Who answers for a piece of work (R34; the SLA job's warnings and escalations): one read of the
organisation, asked per work item without a query."""

from __future__ import annotations

import pytest

from aftersales.accounts.choices import Role
from aftersales.accounts.models import User
from aftersales.accounts.selectors import staff_routing

from .. import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    dealer = f.DealerFactory()
    point = f.ServicePointFactory(dealer=dealer)
    return type(
        "Organisation",
        (),
        dict(
            dealer=dealer,
            point=point,
            engineer=f.EngineerFactory(service_point=point),
            point_dispatcher=f.UserFactory(role=Role.DISPATCHER, service_point=point),
            dealer_staff=f.UserFactory(role=Role.DEALER_STAFF, dealer=dealer),
            company_dispatcher=f.UserFactory(role=Role.DISPATCHER),
            supervisor=f.UserFactory(role=Role.SUPERVISOR),
            retired_supervisor=f.UserFactory(role=Role.SUPERVISOR, is_active=False),
        ),
    )


def test_r34_the_engineer_owns_their_work_else_the_point_staff_else_the_company(
    organisation, django_assert_num_queries
):
    o = organisation
    with django_assert_num_queries(1):
        routing = staff_routing()

    with django_assert_num_queries(0):
        assert routing.owners(engineer=o.engineer, service_point=o.point) == [o.engineer.user]
        assert routing.owners(engineer=None, service_point=o.point) == [o.point_dispatcher, o.dealer_staff]
        assert routing.owners(service_point=f.ServicePointFactory.build(pk=10**6, dealer_id=None)) == [
            o.company_dispatcher
        ]
        assert routing.owners() == [o.company_dispatcher]


def test_r34_an_inactive_engineer_hands_the_work_back_to_the_point(organisation):
    o = organisation
    o.engineer.is_active = False

    assert staff_routing().owners(engineer=o.engineer, service_point=o.point) == [
        o.point_dispatcher,
        o.dealer_staff,
    ]


def test_r34_escalation_reaches_the_active_supervisors_and_the_owner_once(organisation):
    o = organisation
    routing = staff_routing()

    assert routing.escalation(engineer=o.engineer, service_point=o.point) == [o.supervisor, o.engineer.user]
    supervisor_engineer = f.EngineerFactory(service_point=o.point, user=o.supervisor)
    assert staff_routing().escalation(engineer=supervisor_engineer) == [o.supervisor]


def test_r26_the_supervisors_of_people_involved_are_their_points_else_the_company_s(
    organisation, django_assert_num_queries
):
    """A complaint's feedback reaches the supervisors of the people involved (R26): of their own
    service point or their engineer record's, else the company's own supervisors."""
    o = organisation
    local = f.UserFactory(role=Role.SUPERVISOR, service_point=o.point)
    f.UserFactory(role=Role.SUPERVISOR, dealer=o.dealer)  # a dealer's: neither local nor the company's
    agent = f.UserFactory(role=Role.AGENT)
    people = User.objects.select_related("engineer").in_bulk(
        [o.engineer.user.pk, o.point_dispatcher.pk, agent.pk]
    )
    routing = staff_routing()

    with django_assert_num_queries(0):
        assert routing.supervisors_of([people[o.engineer.user.pk]]) == [local]  # their engineer record's
        assert routing.supervisors_of([people[o.point_dispatcher.pk]]) == [local]  # their own point's
        assert routing.supervisors_of([people[agent.pk]]) == [o.supervisor]
        assert routing.supervisors_of([]) == [o.supervisor]


def test_r26_the_quality_department_assesses_complaints(organisation):
    quality = f.UserFactory(role=Role.QUALITY)
    f.UserFactory(role=Role.QUALITY, is_active=False)

    assert staff_routing().quality == [quality]
