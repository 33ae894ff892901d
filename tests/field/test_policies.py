"""R12, R15-R17, R19, R37: who may do what in field service, by name (`field.policies`): the same
permission refuses in the service, hides the button on the page and decides the panel's form. An
engineer acts only on their own visits and work orders."""

from __future__ import annotations

import pytest

from aftersales.accounts.choices import Role
from aftersales.core.errors import NotPermitted
from aftersales.field import policies
from aftersales.field.policies import (
    ADD_VISIT_PHOTO,
    BOOK_APPOINTMENT,
    EDIT_VISIT_INTERNAL,
    EDIT_VISIT_RECORD,
    PLAN_VISIT,
    RECORD_SIGNOFF,
    RESCHEDULE_APPOINTMENT,
)
from aftersales.field.services import visit_internal_update, visit_photo_add, visit_record
from aftersales.field.transitions import VISIT
from aftersales.workorders.choices import State
from aftersales.workorders.transitions import WORKORDER

from .. import factories as f
from .visit_factories import png_upload, visit_at

pytestmark = pytest.mark.django_db

ROLES = list(Role.values)
ON_SITE = {Role.ENGINEER, Role.SUPERVISOR, Role.HQ_ADMIN}
BOOKING = {Role.ENGINEER, Role.DISPATCHER, Role.SUPERVISOR, Role.HQ_ADMIN, Role.DEALER_STAFF}

VISIT_PERMISSIONS = [
    ("EDIT_VISIT_RECORD", EDIT_VISIT_RECORD, ON_SITE),
    ("ADD_VISIT_PHOTO", ADD_VISIT_PHOTO, ON_SITE),
    ("RECORD_SIGNOFF", RECORD_SIGNOFF, ON_SITE),
    ("EDIT_VISIT_INTERNAL", EDIT_VISIT_INTERNAL, ON_SITE | {Role.CLERK}),
]
WORK_ORDER_PERMISSIONS = [
    ("PLAN_VISIT", PLAN_VISIT, BOOKING),
    ("BOOK_APPOINTMENT", BOOK_APPOINTMENT, BOOKING),
]


def someone(role, field_wo):
    """A user of the role; the engineer is the one the work is assigned to."""
    return field_wo.engineer.user if role == Role.ENGINEER else f.UserFactory(role=role)


@pytest.mark.parametrize(
    ("name", "permission", "allowed"), VISIT_PERMISSIONS, ids=[p[0] for p in VISIT_PERMISSIONS]
)
def test_r12_r16_visit_permissions_by_name_and_role(field_wo, name, permission, allowed):
    visit = visit_at(field_wo, "booked")
    granted = {role for role in ROLES if VISIT.permits(permission, someone(role, field_wo), visit)}
    assert granted == allowed, name


@pytest.mark.parametrize(
    ("name", "permission", "allowed"), WORK_ORDER_PERMISSIONS, ids=[p[0] for p in WORK_ORDER_PERMISSIONS]
)
def test_r12_work_order_permissions_by_name_and_role(field_wo, name, permission, allowed):
    granted = {role for role in ROLES if WORKORDER.permits(permission, someone(role, field_wo), field_wo)}
    assert granted == allowed, name


@pytest.mark.parametrize(
    ("name", "permission", "_allowed"), VISIT_PERMISSIONS, ids=[p[0] for p in VISIT_PERMISSIONS]
)
def test_r37_an_engineer_acts_only_on_their_own_visits(field_wo, other_engineer, name, permission, _allowed):
    visit = visit_at(field_wo, "booked")
    assert VISIT.permits(permission, field_wo.engineer.user, visit)
    assert not VISIT.permits(permission, other_engineer.user, visit)


def test_r37_an_engineer_plans_and_books_only_their_own_work_orders(field_wo, other_engineer):
    for permission in (PLAN_VISIT, BOOK_APPOINTMENT):
        assert WORKORDER.permits(permission, field_wo.engineer.user, field_wo)
        assert not WORKORDER.permits(permission, other_engineer.user, field_wo)
    assert not policies.may_book_appointment(other_engineer.user, field_wo)


def test_r12_reschedule_permission_follows_the_appointments_engineer(field_wo, other_engineer, agent):
    from datetime import time, timedelta

    from django.utils import timezone

    from aftersales.field.services import appointment_book

    appointment = appointment_book(
        work_order=field_wo,
        engineer=field_wo.engineer,
        day=timezone.localdate() + timedelta(days=1),
        window_start=time(9),
        window_end=time(11),
        actor=None,
    )
    assert policies.may_reschedule_appointment(field_wo.engineer.user, appointment)
    assert policies.may_cancel_appointment(field_wo.engineer.user, appointment)
    assert not policies.may_reschedule_appointment(other_engineer.user, appointment)
    assert not policies.may_reschedule_appointment(agent, appointment)
    assert RESCHEDULE_APPOINTMENT.roles == BOOKING


def test_r15_the_record_is_editable_on_site_until_the_customer_answers(field_wo, supervisor):
    engineer = field_wo.engineer.user
    visit = visit_at(field_wo, "en_route")
    assert not policies.may_edit_visit_record(engineer, visit)  # not on site yet
    visit = visit_at(field_wo, "on_site")
    assert policies.may_edit_visit_record(engineer, visit) and policies.may_edit_visit_record(
        supervisor, visit
    )
    assert policies.may_record_signoff(engineer, visit) and policies.may_add_visit_photo(engineer, visit)
    signed = visit_at(field_wo, "signed")
    assert not policies.may_edit_visit_record(engineer, signed)
    assert not policies.may_record_signoff(engineer, signed)
    assert policies.may_add_visit_photo(engineer, signed)  # photos are not part of what is signed


def test_r16_the_internal_fields_stay_open_until_the_work_order_closes(field_wo, clerk, agent):
    visit = visit_at(field_wo, "done")
    assert policies.may_edit_visit_internal(clerk, visit)
    assert not policies.may_edit_visit_internal(agent, visit)
    field_wo.state = State.CLOSED
    field_wo.save()
    visit.refresh_from_db()
    assert not policies.may_edit_visit_internal(clerk, visit)


def test_r12_visits_are_planned_for_assigned_open_work_only(field_wo, dispatcher):
    assert policies.may_plan_visit(dispatcher, field_wo)
    for state in (State.ACCEPTED, State.COMPLETED, State.CLOSED, State.CANCELLED):
        field_wo.state = state
        assert not policies.may_plan_visit(dispatcher, field_wo), state
    unassigned = f.WorkOrderFactory(state=State.ACCEPTED, engineer=None)
    assert not policies.may_plan_visit(dispatcher, unassigned)
    assert not policies.may_book_appointment(dispatcher, unassigned)


def test_r12_r16_the_services_refuse_with_the_same_permissions(field_wo, other_engineer, clerk, dispatcher):
    visit = visit_at(field_wo, "on_site")
    with pytest.raises(NotPermitted):
        visit_record(visit_id=visit.pk, actor=other_engineer.user, findings="x")
    with pytest.raises(NotPermitted):
        visit_record(visit_id=visit.pk, actor=clerk, findings="x")  # the record is the engineer's
    with pytest.raises(NotPermitted):
        visit_photo_add(visit_id=visit.pk, actor=dispatcher, upload=png_upload())
    updated = visit_internal_update(visit_id=visit.pk, actor=clerk, fault_cause="A", repair_measures="B")
    assert updated.fault_cause == "A"  # but the clerk completes the internal fields (R16)
    with pytest.raises(NotPermitted):
        visit_internal_update(visit_id=visit.pk, actor=dispatcher, fault_cause="C", repair_measures="D")


def test_r15_r17_complete_is_offered_after_a_satisfied_sign_off_only(field_wo, agent):
    engineer = field_wo.engineer.user
    refused = visit_at(field_wo, "done", satisfied=False)
    assert not policies.may_complete_from_visit(engineer, refused, refused.signoff)
    satisfied = visit_at(field_wo, "done")
    assert policies.may_complete_from_visit(engineer, satisfied, satisfied.signoff)
    assert not policies.may_complete_from_visit(agent, satisfied, satisfied.signoff)  # not a field role
    under_way = visit_at(field_wo, "booked")
    under_way.state = "en_route"
    under_way.save()
    assert not policies.may_complete_from_visit(
        engineer, satisfied, satisfied.signoff
    )  # R15: check out first


def test_r19_the_service_centre_verifies_cards(make_user):
    centre = {
        role for role in ROLES if policies.verifies_supervision_cards(make_user(role, username=f"u_{role}"))
    }
    assert centre == {Role.CLERK, Role.SUPERVISOR, Role.HQ_ADMIN, Role.DEALER_STAFF}
