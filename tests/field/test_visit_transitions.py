"""R12 the visit lifecycle: booked → en route → on site → done, or cancelled; every transition
allowed only from its source states and for the visit's engineer or a supervisor, recorded on the
work order's timeline; check-in and check-out keep the time and the browser's location."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from aftersales.core.errors import ConcurrentUpdate, DomainError, NotPermitted, TransitionNotAllowed
from aftersales.field.choices import SupervisionState, VisitState
from aftersales.field.models import AppointmentState, SupervisionCard, Visit
from aftersales.field.services import appointment_book, visit_create, visit_transition
from aftersales.field.transitions import VISIT
from aftersales.notifications.models import Message
from aftersales.workorders.choices import State
from aftersales.workorders.events import event_text
from aftersales.workorders.models import WorkOrderEvent

from .. import factories as f
from ..timeutil import at, frozen
from .visit_factories import sign, visit_at


@pytest.mark.django_db
def test_r12_each_step_is_on_the_timeline_naming_the_visit(field_wo):
    """The matrix of states, roles and own work is the generic contract (tests/test_machines.py);
    here: each step's event is a visit event that names the visit, the reason is the note."""
    visit = visit_at(field_wo, "signed")
    visit_transition(visit_id=visit.pk, action="leave", actor=field_wo.engineer.user)
    cancelled = visit_at(field_wo, "booked")
    visit_transition(visit_id=cancelled.pk, action="cancel", actor=field_wo.engineer.user, reason="客户外出")
    for action, number in (
        ("visit_depart", visit.number),
        ("visit_arrive", visit.number),
        ("visit_leave", visit.number),
        ("visit_cancel", cancelled.number),
    ):
        event = WorkOrderEvent.objects.get(work_order=field_wo, action=action)
        assert event.kind == "visit" and number in event_text(event), action
        assert event.params["visit"] == number and event.params["machine"] == VISIT.name
    assert WorkOrderEvent.objects.get(action="visit_cancel").note == "客户外出"
    assert WorkOrderEvent.objects.get(action="visit_depart").note == ""


@pytest.mark.django_db
def test_r12_dispatcher_may_cancel_a_visit_but_not_make_it(field_wo, dispatcher):
    visit = visit_at(field_wo, "booked")
    with pytest.raises(NotPermitted):
        visit_transition(visit_id=visit.pk, action="arrive", actor=dispatcher)
    visit = visit_transition(visit_id=visit.pk, action="cancel", actor=dispatcher, reason="改期")
    assert visit.state == VisitState.CANCELLED and visit.cancel_reason == "改期"


@pytest.mark.django_db
def test_r12_trip_starts_the_assigned_work_order_and_check_in_keeps_time_and_location(field_wo):
    wo = field_wo
    visit = visit_at(wo, "booked")
    moment = at(2026, 11, 23, 9, 40)
    with frozen(moment):
        visit = visit_transition(visit_id=visit.pk, action="depart", actor=wo.engineer.user)
    assert visit.departed_at == moment
    wo.refresh_from_db()
    assert wo.state == State.IN_SERVICE  # the first trip starts the service
    assert WorkOrderEvent.objects.filter(work_order=wo, action="start").count() == 1
    later = moment + timedelta(minutes=35)
    with frozen(later):
        visit = visit_transition(
            visit_id=visit.pk,
            action="arrive",
            actor=wo.engineer.user,
            latitude="31.230416789",
            longitude="121.473701",
            accuracy="15.24",
            expected_version=visit.version,
        )
    assert visit.arrived_at == later and visit.state == VisitState.ON_SITE
    assert (visit.checkin_latitude, visit.checkin_longitude) == (Decimal("31.230417"), Decimal("121.473701"))
    assert visit.checkin_accuracy == Decimal("15.2")
    text = event_text(WorkOrderEvent.objects.filter(action="visit_arrive").get())
    assert "10:15" in text and "31.230417" in text
    assert WorkOrderEvent.objects.filter(work_order=wo, action="start").count() == 1  # not twice


@pytest.mark.django_db
def test_r12_check_in_works_without_location_and_refuses_half_or_absurd_ones(field_wo):
    wo = field_wo
    visit = visit_at(wo, "en_route")
    with pytest.raises(DomainError) as error:
        visit_transition(visit_id=visit.pk, action="arrive", actor=wo.engineer.user, latitude="31.2")
    assert error.value.code == "invalid_location"
    with pytest.raises(DomainError):
        visit_transition(
            visit_id=visit.pk, action="arrive", actor=wo.engineer.user, latitude="95", longitude="1"
        )
    with pytest.raises(DomainError):
        visit_transition(
            visit_id=visit.pk, action="arrive", actor=wo.engineer.user, latitude="abc", longitude="1"
        )
    visit = visit_transition(visit_id=visit.pk, action="arrive", actor=wo.engineer.user)
    assert visit.arrived_at is not None and visit.checkin_latitude is None
    assert "no location" in event_text(WorkOrderEvent.objects.get(action="visit_arrive"))


@pytest.mark.django_db
def test_r15_check_out_needs_the_sign_off_or_the_recorded_refusal(field_wo):
    wo = field_wo
    visit = visit_at(wo, "on_site")
    with pytest.raises(DomainError) as error:
        visit_transition(visit_id=visit.pk, action="leave", actor=wo.engineer.user)
    assert error.value.code == "signoff_missing"
    assert Visit.objects.get(pk=visit.pk).state == VisitState.ON_SITE


@pytest.mark.django_db
def test_r19_check_out_opens_the_supervision_card_due_at_the_end_of_the_day(field_wo):
    wo = field_wo
    visit = visit_at(wo, "signed")
    moment = at(2026, 11, 23, 16, 5)
    with frozen(moment):
        visit = visit_transition(
            visit_id=visit.pk, action="leave", actor=wo.engineer.user, latitude="31.1", longitude="121.4"
        )
    assert visit.left_at == moment and visit.checkout_latitude == Decimal("31.100000")
    card = SupervisionCard.objects.get(visit=visit)
    assert card.state == SupervisionState.PENDING
    expected = timezone.make_aware(datetime.combine(timezone.localdate(visit.arrived_at), time.min))
    assert card.due_at == expected + timedelta(days=1)


@pytest.mark.django_db
def test_r12_cancel_needs_a_reason_and_cancels_the_booked_appointment(field_wo):
    wo = field_wo
    tomorrow = timezone.localdate() + timedelta(days=1)
    appointment = appointment_book(
        work_order=wo,
        engineer=wo.engineer,
        day=tomorrow,
        window_start=time(9),
        window_end=time(11),
        actor=None,
    )
    visit = visit_create(work_order=wo, actor=wo.engineer.user, appointment=appointment)
    assert (visit.planned_date, visit.window_start) == (tomorrow, time(9))
    with pytest.raises(DomainError) as error:
        visit_transition(visit_id=visit.pk, action="cancel", actor=wo.engineer.user, reason="  ")
    assert error.value.field == "reason"
    visit = visit_transition(
        visit_id=visit.pk, action="cancel", actor=wo.engineer.user, reason="客户临时出差"
    )
    assert visit.cancel_reason == "客户临时出差"
    appointment.refresh_from_db()
    assert appointment.state == AppointmentState.CANCELLED and appointment.reason == "客户临时出差"
    assert Message.objects.filter(body__contains="客户临时出差").exists()  # the customer is told
    cancelled = WorkOrderEvent.objects.get(work_order=wo, action="appointment_cancel")
    assert cancelled.note == "客户临时出差" and cancelled.actor == wo.engineer.user


@pytest.mark.django_db
def test_r12_done_visit_marks_its_appointment_done(field_wo):
    wo = field_wo
    appointment = appointment_book(
        work_order=wo,
        engineer=wo.engineer,
        day=timezone.localdate() + timedelta(days=1),
        window_start=time(9),
        window_end=time(11),
        actor=None,
    )
    visit = visit_create(work_order=wo, actor=wo.engineer.user, appointment=appointment)
    with pytest.raises(DomainError):
        visit_create(work_order=wo, actor=wo.engineer.user, appointment=appointment)  # one visit each
    for action in ("depart", "arrive"):
        visit_transition(visit_id=visit.pk, action=action, actor=wo.engineer.user)
    sign(Visit.objects.get(pk=visit.pk))
    visit_transition(visit_id=visit.pk, action="leave", actor=wo.engineer.user)
    appointment.refresh_from_db()
    assert appointment.state == AppointmentState.DONE
    # through the appointment's own lifecycle: its version moves and the timeline says so
    assert appointment.version == 2
    done = WorkOrderEvent.objects.get(work_order=wo, action="appointment_complete")
    assert done.kind == "appointment" and visit.number in event_text(done)


@pytest.mark.django_db
def test_r12_stale_version_is_refused(field_wo):
    wo = field_wo
    visit = visit_at(wo, "booked")
    with pytest.raises(ConcurrentUpdate):
        visit_transition(
            visit_id=visit.pk, action="depart", actor=wo.engineer.user, expected_version=visit.version + 1
        )


@pytest.mark.django_db
def test_r12_visits_are_planned_only_for_assigned_open_work_and_by_the_right_people(
    field_wo, other_engineer, agent
):
    wo = field_wo
    new = f.WorkOrderFactory(state=State.ACCEPTED)
    with pytest.raises(TransitionNotAllowed):
        visit_create(work_order=new, actor=wo.engineer.user)
    with pytest.raises(NotPermitted):
        visit_create(work_order=wo, actor=other_engineer.user)
    with pytest.raises(NotPermitted):
        visit_create(work_order=wo, actor=agent)
    visit = visit_create(work_order=wo, actor=wo.engineer.user)
    assert visit.number.startswith("SV") and visit.engineer == wo.engineer
    assert visit.planned_date == timezone.localdate()
    assert len(visit.checklist) == 6 and not any(item["ok"] for item in visit.checklist)  # default self-check


@pytest.mark.django_db
def test_r12_booked_visits_follow_the_work_order_to_its_new_engineer(field_wo, other_engineer, dispatcher):
    from aftersales.workorders.services import workorder_transition

    booked = visit_at(field_wo, "booked")
    workorder_transition(
        work_order_id=field_wo.pk, action="assign", actor=dispatcher, engineer=other_engineer
    )
    booked.refresh_from_db()
    assert booked.engineer == other_engineer and booked.state == VisitState.BOOKED
    event = WorkOrderEvent.objects.get(action="visit_engineer")
    assert str(other_engineer) in event_text(event) and event.note == ""
    with pytest.raises(NotPermitted):  # the former engineer no longer runs it
        visit_transition(visit_id=booked.pk, action="depart", actor=field_wo.engineer.user)


@pytest.mark.django_db
def test_r12_a_visit_whose_appointment_the_new_engineer_cannot_make_is_cancelled_with_it(
    field_wo, other_engineer, dispatcher
):
    from aftersales.field.models import EngineerLeave
    from aftersales.workorders.services import workorder_transition

    tomorrow = timezone.localdate() + timedelta(days=1)
    appointment = appointment_book(
        work_order=field_wo,
        engineer=field_wo.engineer,
        day=tomorrow,
        window_start=time(9),
        window_end=time(11),
        actor=None,
    )
    visit = visit_create(work_order=field_wo, actor=field_wo.engineer.user, appointment=appointment)
    EngineerLeave.objects.create(engineer=other_engineer, start=tomorrow, end=tomorrow)
    workorder_transition(
        work_order_id=field_wo.pk, action="assign", actor=dispatcher, engineer=other_engineer
    )
    appointment.refresh_from_db()
    visit.refresh_from_db()
    assert appointment.state == AppointmentState.CANCELLED and "not free" in appointment.reason
    assert visit.state == VisitState.CANCELLED and visit.cancel_reason == appointment.reason
    released = WorkOrderEvent.objects.get(work_order=field_wo, action="appointment_release_on_leave")
    assert str(other_engineer) in event_text(released) and "on leave" in event_text(released)
    event = WorkOrderEvent.objects.get(work_order=field_wo, action="visit_release")
    assert visit.number in event_text(event) and event.actor is None  # the system's reaction
