"""R5/R12 dispatch refinements: the suggestion counts the engineers' availability (booked visits
that day, the requested window, the service point's working calendar) with the reasons, and a
reassigned work order takes its booked visits to the new engineer or cancels them (customer told,
dispatcher sees it on the timeline)."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.urls import reverse

from aftersales.core.errors import DomainError
from aftersales.field import scoring
from aftersales.field.models import Appointment, AppointmentState, EngineerLeave
from aftersales.field.selectors import dispatch_suggest
from aftersales.field.services import appointments_follow_engineer, dispatch_assign
from aftersales.notifications.models import Message
from aftersales.sla.models import CalendarException, WorkingCalendar
from aftersales.workorders.choices import State
from aftersales.workorders.events import event_text
from aftersales.workorders.models import WorkOrderEvent
from aftersales.workorders.services import workorder_transition

from .. import factories as f
from ..timeutil import at, frozen

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 23)  # a working day
SUNDAY = date(2026, 11, 22)
NATIONAL_DAY = date(2026, 10, 1)  # holidays until 10-07; Thursday 10-08 is worked


def t(hour: int, minute: int = 0) -> time:
    return time(hour, minute)


def booked(engineer, day: date, start: time, end: time, work_order=None) -> Appointment:
    work_order = work_order or f.WorkOrderFactory(
        engineer=engineer, service_point=engineer.service_point, state=State.ASSIGNED
    )
    return Appointment.objects.create(
        work_order=work_order, engineer=engineer, date=day, window_start=start, window_end=end
    )


@pytest.fixture
def pair(point, qualify):
    """Two qualified engineers at one covering point: E1 and E2, no load."""
    sp = point(code="SP1")
    first = f.EngineerFactory(service_point=sp, employee_no="E1")
    second = f.EngineerFactory(service_point=sp, employee_no="E2")
    qualify(first)
    qualify(second)
    return first, second


def reasons_of(suggestion, engineer) -> str:
    return " ".join(next(e for e in suggestion.chosen.engineers if e.engineer == engineer).reasons)


# Pure scoring ---------------------------------------------------------------------------------


def test_r12_score_adds_booked_hours_and_unavailable_engineers_are_never_best():
    facts = [
        scoring.EngineerFacts(
            key=0, employee_no="A", load=0, on_leave=False, qualified=True, booked_minutes=240
        ),
        scoring.EngineerFacts(
            key=1, employee_no="B", load=1, on_leave=False, qualified=True, booked_minutes=60
        ),
        scoring.EngineerFacts(
            key=2,
            employee_no="C",
            load=0,
            on_leave=False,
            qualified=True,
            booked_minutes=480,
            working_minutes=480,
        ),
        scoring.EngineerFacts(
            key=3, employee_no="D", load=0, on_leave=False, qualified=True, window_clash=True
        ),
        scoring.EngineerFacts(
            key=4, employee_no="E", load=0, on_leave=False, qualified=True, working_minutes=0
        ),
    ]
    assert [fact.score for fact in facts[:2]] == [4.0, 2.0]
    assert scoring.best_engineer(facts).key == 1
    assert facts[2].fully_booked and facts[3].window_clash and facts[4].day_off
    assert not any(fact.eligible for fact in facts[2:])
    assert scoring.best_engineer(facts[2:]) is None


def test_r12_window_helpers():
    assert scoring.window_minutes((t(9), t(12))) == 180
    assert scoring.window_minutes((t(18), t(0))) == 360  # 00:00 ends the day
    assert scoring.overlaps((t(9), t(11)), (t(10), t(12)))
    assert not scoring.overlaps((t(9), t(11)), (t(11), t(12)))  # back to back
    assert scoring.next_working_day(SUNDAY, lambda d: d.weekday() < 5) == MONDAY


# The suggestion ---------------------------------------------------------------------------------


def test_r12_booked_hours_that_day_lower_the_engineers_rank(order, pair):
    first, second = pair
    booked(first, MONDAY, t(9), t(12))
    suggestion = dispatch_suggest(order, day=MONDAY)
    assert suggestion.engineer == second
    assert "3.0 h of visits booked on 2026-11-23: score 4.0" in reasons_of(suggestion, first)  # + 1 open
    # a booking on another day does not count
    tuesday = dispatch_suggest(order, day=MONDAY + timedelta(days=1))
    assert "booked" not in reasons_of(tuesday, first)
    assert next(e for e in tuesday.chosen.engineers if e.engineer == first).score == 1


def test_r12_fully_booked_engineer_is_excluded_with_the_reason(order, pair, customer):
    first, second = pair
    for _ in range(3):  # the free engineer has more open work
        f.WorkOrderFactory(customer=customer, engineer=second, state=State.ASSIGNED)
    booked(first, MONDAY, t(9), t(12))
    booked(first, MONDAY, t(13), t(18))  # the whole standard working day
    suggestion = dispatch_suggest(order, day=MONDAY)
    assert suggestion.engineer == second
    assert "fully booked on 2026-11-23" in reasons_of(suggestion, first)
    assert first not in [e.engineer for e in suggestion.eligible_engineers]


def test_r12_engineer_booked_in_the_requested_window_is_excluded(order, pair, customer):
    first, second = pair
    for _ in range(4):
        f.WorkOrderFactory(customer=customer, engineer=second, state=State.ASSIGNED)
    clash = booked(first, MONDAY, t(9), t(11))
    assert dispatch_suggest(order, day=MONDAY).engineer == first  # score 1 open + 2 h beats 4 open
    suggestion = dispatch_suggest(order, day=MONDAY, window=(t(10), t(12)))
    assert suggestion.engineer == second
    assert f"already booked 09:00–11:00 on 2026-11-23 ({clash.work_order.number})" in reasons_of(
        suggestion, first
    )
    assert "Requested visit: 2026-11-23 10:00–12:00" in suggestion.explanation
    assert dispatch_suggest(order, day=MONDAY, window=(t(11), t(12))).engineer == first  # back to back


def test_r12_day_off_counts_availability_on_the_next_working_day(order, pair):
    first, second = pair
    booked(first, date(2026, 10, 8), t(9), t(12))
    suggestion = dispatch_suggest(order, day=NATIONAL_DAY)
    assert suggestion.engineer == second
    assert "2026-10-01 is not a working day here: availability on 2026-10-08" in suggestion.explanation
    assert suggestion.chosen.plan.day == date(2026, 10, 8)


def test_r12_requested_window_on_a_day_off_finds_nobody_and_says_why(order, pair):
    suggestion = dispatch_suggest(order, day=SUNDAY, window=(t(9), t(11)))
    assert suggestion.engineer is None
    assert "2026-11-22 is not a working day here" in suggestion.explanation
    assert "not working on 2026-11-22" in reasons_of_any(suggestion)


def reasons_of_any(suggestion) -> str:
    return " ".join(r for e in suggestion.chosen.engineers for r in e.reasons)


def test_r12_a_points_own_calendar_applies_and_queries_stay_bounded(
    order, point, qualify, django_assert_max_num_queries
):
    closed = point(code="A-CLOSED", district="徐汇区")
    engineer = f.EngineerFactory(service_point=closed)
    qualify(engineer)
    calendar = WorkingCalendar.objects.create(name="网点日历", service_point=closed)
    calendar.hours.create(weekday=0, start=t(9), end=t(17))
    calendar.hours.create(weekday=1, start=t(9), end=t(17))
    CalendarException.objects.create(calendar=calendar, date=MONDAY, kind="holiday")
    for i in range(6):
        other = point(code=f"B{i}")
        qualify(f.EngineerFactory(service_point=other))
        WorkingCalendar.objects.create(name=f"日历{i}", service_point=other)
    with django_assert_max_num_queries(10):  # points, calendars, official days into memory
        dispatch_suggest(order, day=MONDAY)
    with django_assert_max_num_queries(3):  # engineers, qualifications, booked visits
        suggestion = dispatch_suggest(order, day=MONDAY)
    assert suggestion.point == closed and suggestion.engineer == engineer
    assert suggestion.chosen.plan.day == MONDAY + timedelta(days=1)
    assert suggestion.chosen.plan.working_minutes == 8 * 60


def test_r12_dispatch_assign_uses_the_requested_visit(dispatcher, order, pair):
    first, second = pair
    booked(first, MONDAY, t(9), t(11))
    with pytest.raises(DomainError) as refused:
        dispatch_assign(
            work_order_id=order.pk, engineer=first, actor=dispatcher, day=MONDAY, window=(t(9), t(10))
        )
    assert refused.value.field == "reason"  # the suggestion for that window is the other engineer
    EngineerLeave.objects.create(engineer=second, start=MONDAY, end=MONDAY)
    with pytest.raises(DomainError) as refused:
        dispatch_assign(work_order_id=order.pk, engineer=second, actor=dispatcher, reason="x", day=MONDAY)
    assert refused.value.code == "on_leave"
    work_order = dispatch_assign(
        work_order_id=order.pk,
        engineer=first,
        actor=dispatcher,
        reason="客户指定",
        day=MONDAY,
        window=(t(9), t(10)),
    )
    assert work_order.engineer == first


def test_r5_r12_board_checks_availability_for_the_requested_visit(client, dispatcher, order, pair):
    first, second = pair
    booked(first, MONDAY, t(9), t(11))
    client.force_login(dispatcher)
    board = reverse("field:dispatch_board")
    html = client.get(board).content.decode()
    assert 'data-testid="visit-filter"' in html
    html = client.get(
        board, {"visit_date": "2026-11-23", "visit_from": "10:00", "visit_until": "12:00"}
    ).content
    html = html.decode()
    assert 'name="visit_date" value="2026-11-23"' in html and 'name="visit_from" value="10:00"' in html
    # the row's "why", read when opened, is for the same requested visit
    why = reverse("field:dispatch_why", args=[order.pk]) + "?visit_date=2026-11-23&amp;visit_from=10%3A00"
    assert why in html
    why = client.get(
        reverse("field:dispatch_why", args=[order.pk]),
        {"visit_date": "2026-11-23", "visit_from": "10:00", "visit_until": "12:00"},
        HTTP_HX_REQUEST="true",
    )
    assert "already booked 09:00–11:00" in why.content.decode()
    response = client.post(
        reverse("field:dispatch_assign", args=[order.pk]),
        {"engineer": second.pk, "visit_date": "2026-11-23", "visit_from": "10:00", "visit_until": "12:00"},
        HTTP_HX_REQUEST="true",
    )
    assert 'data-testid="board-assigned"' in response.content.decode()  # the suggestion: no reason needed
    order.refresh_from_db()
    assert order.engineer == second


# Reassignment ---------------------------------------------------------------------------------


@pytest.fixture
def monday_10am():
    moment = at(2026, 11, 23, 10, 0)
    with frozen(moment):
        yield moment


@pytest.fixture
def assigned(pair):
    first, _second = pair
    return f.WorkOrderFactory(
        engineer=first,
        service_point=first.service_point,
        state=State.ASSIGNED,
        contact_phone="+8613812341234",
    )


def reassign(work_order, engineer, actor):
    return workorder_transition(work_order_id=work_order.pk, action="assign", actor=actor, engineer=engineer)


def test_r12_reassignment_moves_future_visits_to_the_free_new_engineer(
    monday_10am, dispatcher, assigned, pair, django_capture_on_commit_callbacks
):
    first, second = pair
    tomorrow = booked(first, MONDAY + timedelta(days=1), t(9), t(11), assigned)
    with django_capture_on_commit_callbacks(execute=True):
        reassign(assigned, second, dispatcher)
    tomorrow.refresh_from_db()
    assert (tomorrow.engineer, tomorrow.state, tomorrow.version) == (second, AppointmentState.BOOKED, 2)
    assert str(first) in tomorrow.reason and str(second) in tomorrow.reason
    event = WorkOrderEvent.objects.get(work_order=assigned, kind="appointment")
    assert "moved from" in event_text(event) and str(second) in event_text(event)
    sms = Message.objects.get(idempotency_key=f"appt:{tomorrow.pk}:2")
    assert sms.recipient == "13812341234" and str(second) in sms.body


def test_r12_reassignment_cancels_visits_the_new_engineer_cannot_make(
    monday_10am, dispatcher, assigned, pair, django_capture_on_commit_callbacks
):
    first, second = pair
    visit = booked(first, MONDAY + timedelta(days=1), t(9), t(11), assigned)
    own = booked(second, MONDAY + timedelta(days=1), t(10), t(12))
    with django_capture_on_commit_callbacks(execute=True):
        reassign(assigned, second, dispatcher)
    visit.refresh_from_db()
    own.refresh_from_db()
    assert visit.state == AppointmentState.CANCELLED and visit.engineer == first
    assert "not free at that time" in visit.reason
    assert own.state == AppointmentState.BOOKED and own.version == 1
    event = WorkOrderEvent.objects.get(work_order=assigned, kind="appointment")
    text = event_text(event)
    assert "cancelled" in text and own.work_order.number in text  # the dispatcher sees why
    assert event.note == "" and event.params["number"] == own.work_order.number
    sms = Message.objects.get(idempotency_key=f"appt:{visit.pk}:2")
    assert own.work_order.number not in sms.body  # another customer's work is not disclosed


def test_r12_reassignment_leaves_started_and_past_visits_and_same_engineer_alone(
    monday_10am, dispatcher, assigned, pair
):
    first, second = pair
    started = booked(first, MONDAY, t(9), t(11), assigned)
    yesterday = booked(first, MONDAY - timedelta(days=1), t(9), t(11), assigned)
    later = booked(first, MONDAY, t(14), t(15), assigned)
    assert appointments_follow_engineer(work_order=assigned, actor=dispatcher) == ([], [])  # same engineer
    reassign(assigned, second, dispatcher)
    for appointment in (started, yesterday, later):
        appointment.refresh_from_db()
    assert started.engineer == first and yesterday.engineer == first
    assert later.engineer == second


# Parts on hand (R32) ----------------------------------------------------------------------------


def test_r32_dispatch_prefers_the_engineer_whose_van_holds_the_parts_the_plan_names(order, pair, customer):
    from decimal import Decimal

    from aftersales.parts.choices import WarehouseKind
    from aftersales.parts.models import Warehouse
    from aftersales.parts.services import stock
    from aftersales.servicing.models import ServicePlan

    first, second = pair
    f.WorkOrderFactory(customer=customer, engineer=second, state=State.ASSIGNED)  # second has more load
    fuser = f.PartFactory(number="FU-3600", name="定影组件")
    van = Warehouse.objects.create(code="V2", name="二号车", kind=WarehouseKind.VAN, engineer=second)
    stock.receive(warehouse=van, part=fuser, quantity=1, unit_cost=Decimal("99"), actor=second.user)
    assert dispatch_suggest(order, day=MONDAY).engineer == first  # no plan: the lower load wins
    ServicePlan.objects.create(
        work_order=order,
        measures="更换定影组件",
        parts="定影组件 FU-3600×1，清洁搓纸轮",
        estimated_hours=Decimal("1.5"),
        created_by=first.user,
    )
    suggestion = dispatch_suggest(order, day=MONDAY)
    assert suggestion.engineer == second
    assert "has in the van: FU-3600" in reasons_of(suggestion, second)
    assert "The service plan needs FU-3600" in suggestion.explanation
