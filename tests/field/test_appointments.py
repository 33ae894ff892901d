"""R12 appointments: a visit booked for a day and a time window agreed with the customer, never
double-booking the engineer, rescheduled with a reason, cancelled; the customer told by SMS; the
work-order panel and the week calendar (scoped, R37)."""

from __future__ import annotations

import threading
from datetime import time, timedelta

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aftersales.core.errors import ConcurrentUpdate, DomainError
from aftersales.field.models import Appointment, AppointmentState, EngineerLeave
from aftersales.field.services import appointment_book, appointment_cancel, appointment_reschedule
from aftersales.notifications.models import Message
from aftersales.workorders.choices import State
from aftersales.workorders.events import event_text
from aftersales.workorders.models import WorkOrderEvent

from .. import factories as f
from ..conftest import uses_postgres


def t(hour: int, minute: int = 0) -> time:
    return time(hour, minute)


@pytest.fixture
def tomorrow():
    return timezone.localdate() + timedelta(days=1)


@pytest.fixture
def engineer(db):
    return f.EngineerFactory(user__last_name="赵", user__first_name="工")


@pytest.fixture
def assigned(engineer):
    def make(**kwargs):
        kwargs.setdefault("state", State.ASSIGNED)
        return f.WorkOrderFactory(engineer=engineer, service_point=engineer.service_point, **kwargs)

    return make


@pytest.fixture
def wo(assigned):
    return assigned(contact_phone="+8613812341234")


def book(work_order, day, start, end, actor=None):
    return appointment_book(
        work_order=work_order,
        engineer=work_order.engineer,
        day=day,
        window_start=start,
        window_end=end,
        actor=actor,
    )


# Services ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_r12_book_records_event_and_queues_one_sms_on_commit(
    wo, tomorrow, dispatcher, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        appointment = book(wo, tomorrow, t(9), t(11), dispatcher)
    assert appointment.state == AppointmentState.BOOKED and appointment.version == 1
    assert appointment.created_by == dispatcher
    event = WorkOrderEvent.objects.get(work_order=wo, kind="appointment")
    assert event.action == "appointment_book" and event.note == ""  # the system's words are a template
    assert "09:00" in event_text(event) and "11:00" in event_text(event)
    assert len(callbacks) == 1
    message = Message.objects.get()
    assert message.channel == "sms" and message.recipient == "13812341234"
    assert message.idempotency_key == f"appt:{appointment.pk}:1"
    assert tomorrow.strftime("%Y-%m-%d") in message.body and "09:00" in message.body
    assert "11:00" in message.body and wo.number in message.body


@pytest.mark.django_db
@pytest.mark.parametrize(
    "start,end",
    [(t(9, 30), t(10, 30)), (t(8), t(9, 30)), (t(10, 30), t(12)), (t(8), t(12)), (t(9), t(11))],
    ids=["contained", "straddling-start", "straddling-end", "containing", "same"],
)
def test_r12_double_booking_refused_naming_the_clashing_work_order(assigned, tomorrow, start, end):
    first = assigned()
    book(first, tomorrow, t(9), t(11))
    second = assigned()
    with pytest.raises(DomainError) as error:
        book(second, tomorrow, start, end)
    assert error.value.code == "double_booking" and error.value.field == "window_start"
    assert first.number in error.value.message
    assert Appointment.objects.count() == 1


@pytest.mark.django_db
def test_r12_back_to_back_windows_and_other_days_allowed(assigned, tomorrow):
    book(assigned(), tomorrow, t(9), t(11))
    book(assigned(), tomorrow, t(11), t(13))
    book(assigned(), tomorrow, t(7), t(9))
    book(assigned(), tomorrow + timedelta(days=1), t(9), t(11))
    assert Appointment.objects.count() == 4


@pytest.mark.django_db
def test_r12_cancelled_appointment_frees_the_window(wo, assigned, tomorrow):
    appointment = book(wo, tomorrow, t(9), t(11))
    other = assigned()
    with pytest.raises(DomainError):  # the window is taken while the first visit is booked
        book(other, tomorrow, t(9), t(11))
    appointment_cancel(appointment_id=appointment.pk, reason="客户改期", actor=None)
    second = book(other, tomorrow, t(9), t(11))
    appointment.refresh_from_db()
    assert appointment.state == AppointmentState.CANCELLED and appointment.reason == "客户改期"
    assert second.state == AppointmentState.BOOKED and second.engineer == appointment.engineer
    assert (second.date, second.window_start, second.window_end) == (tomorrow, t(9), t(11))
    assert list(Appointment.objects.filter(state=AppointmentState.BOOKED)) == [second]


@pytest.mark.django_db
def test_r12_refused_when_engineer_is_not_the_assigned_one(wo, tomorrow):
    other = f.EngineerFactory(service_point=wo.service_point)
    with pytest.raises(DomainError) as error:
        appointment_book(
            work_order=wo, engineer=other, day=tomorrow, window_start=t(9), window_end=t(11), actor=None
        )
    assert error.value.field == "engineer"
    unassigned = f.WorkOrderFactory(state=State.ACCEPTED, engineer=None)
    with pytest.raises(DomainError) as error:
        appointment_book(
            work_order=unassigned,
            engineer=other,
            day=tomorrow,
            window_start=t(9),
            window_end=t(11),
            actor=None,
        )
    assert error.value.field == "engineer"


@pytest.mark.django_db
def test_r12_refused_when_engineer_on_leave(wo, engineer, tomorrow):
    EngineerLeave.objects.create(engineer=engineer, start=tomorrow, end=tomorrow + timedelta(days=2))
    with pytest.raises(DomainError) as error:
        book(wo, tomorrow, t(9), t(11))
    assert error.value.code == "on_leave"


@pytest.mark.django_db
def test_r12_refused_when_window_invalid_or_past(wo, tomorrow):
    with pytest.raises(DomainError) as error:
        book(wo, tomorrow, t(11), t(9))
    assert error.value.code == "invalid_window"
    with pytest.raises(DomainError) as error:
        book(wo, tomorrow, t(9), t(9))
    assert error.value.code == "invalid_window"
    with pytest.raises(DomainError) as error:
        book(wo, timezone.localdate() - timedelta(days=1), t(9), t(11))
    assert error.value.code == "past_window"
    assert not Appointment.objects.exists() and not Message.objects.exists()


@pytest.mark.django_db
def test_r12_reschedule_needs_a_reason_and_excludes_itself(wo, assigned, tomorrow, dispatcher):
    appointment = book(wo, tomorrow, t(9), t(11))
    with pytest.raises(DomainError) as error:
        appointment_reschedule(
            appointment_id=appointment.pk,
            day=tomorrow,
            window_start=t(10),
            window_end=t(12),
            reason="  ",
            actor=dispatcher,
            expected_version=1,
        )
    assert error.value.field == "reason"
    moved = appointment_reschedule(
        appointment_id=appointment.pk,
        day=tomorrow,
        window_start=t(10),
        window_end=t(12),
        reason="客户上午开会",
        actor=dispatcher,
        expected_version=1,
    )
    assert (moved.window_start, moved.window_end, moved.version, moved.reason) == (
        t(10),
        t(12),
        2,
        "客户上午开会",
    )
    assert Message.objects.filter(idempotency_key=f"appt:{appointment.pk}:2").exists()
    assert WorkOrderEvent.objects.filter(work_order=wo, kind="appointment").count() == 2
    moved = WorkOrderEvent.objects.get(work_order=wo, action="appointment_reschedule")
    assert moved.note == "客户上午开会" and "10:00" in event_text(moved)  # the reason is the user's words
    book(assigned(), tomorrow, t(13), t(14))
    with pytest.raises(DomainError) as error:
        appointment_reschedule(
            appointment_id=appointment.pk,
            day=tomorrow,
            window_start=t(11),
            window_end=t(13, 30),
            reason="再改",
            actor=dispatcher,
            expected_version=2,
        )
    assert error.value.code == "double_booking"


@pytest.mark.django_db
def test_r12_stale_version_is_a_concurrent_update(wo, tomorrow):
    appointment = book(wo, tomorrow, t(9), t(11))
    appointment_reschedule(
        appointment_id=appointment.pk,
        day=tomorrow,
        window_start=t(14),
        window_end=t(16),
        reason="a",
        actor=None,
        expected_version=1,
    )
    with pytest.raises(ConcurrentUpdate):
        appointment_reschedule(
            appointment_id=appointment.pk,
            day=tomorrow,
            window_start=t(15),
            window_end=t(17),
            reason="b",
            actor=None,
            expected_version=1,
        )
    with pytest.raises(ConcurrentUpdate):
        appointment_cancel(appointment_id=appointment.pk, reason="c", actor=None, expected_version=1)


@pytest.mark.django_db
def test_r12_cancel_with_reason_tells_the_customer(wo, tomorrow):
    appointment = book(wo, tomorrow, t(9), t(11))
    with pytest.raises(DomainError):
        appointment_cancel(appointment_id=appointment.pk, reason="", actor=None)
    cancelled = appointment_cancel(appointment_id=appointment.pk, reason="客户已自行解决", actor=None)
    assert cancelled.state == AppointmentState.CANCELLED and cancelled.version == 2
    assert Message.objects.filter(idempotency_key=f"appt:{appointment.pk}:2").exists()
    with pytest.raises(DomainError) as error:
        appointment_cancel(appointment_id=appointment.pk, reason="again", actor=None)
    assert error.value.code == "not_booked"


# Pages ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_r12_book_via_post_and_see_it_on_the_detail_panel(client, dispatcher, wo, tomorrow):
    client.force_login(dispatcher)
    detail = reverse("workorders:detail", args=[wo.pk]) + "?tab=service"
    html = client.get(detail).content.decode()
    assert 'data-testid="appointment-book-form"' in html and 'data-testid="appointments-empty"' in html
    url = reverse("field:appointment_book", args=[wo.pk])
    assert url == f"/field/workorders/{wo.pk}/appointments/"
    response = client.post(
        url, {"date": tomorrow.isoformat(), "window_start": "09:00", "window_end": "11:00"}
    )
    assert response.status_code == 302 and response["Location"] == detail + "#appointments-panel"
    html = client.get(detail).content.decode()
    assert 'data-testid="appointment"' in html and "09:00–11:00" in html
    assert 'data-testid="appointment-reschedule-form"' in html
    # a refusal comes back as a message, never a 500
    response = client.post(
        url, {"date": tomorrow.isoformat(), "window_start": "10:00", "window_end": "12:00"}, follow=True
    )
    assert wo.number in response.content.decode() and "already booked" in response.content.decode()
    assert Appointment.objects.count() == 1


@pytest.mark.django_db
def test_r12_reschedule_and_cancel_via_post(client, dispatcher, wo, tomorrow):
    appointment = book(wo, tomorrow, t(9), t(11))
    client.force_login(dispatcher)
    response = client.post(
        reverse("field:appointment_reschedule", args=[appointment.pk]),
        {
            "date": tomorrow.isoformat(),
            "window_start": "14:00",
            "window_end": "15:00",
            "reason": "x",
            "version": 1,
        },
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.window_start == t(14) and appointment.version == 2
    client.post(reverse("field:appointment_cancel", args=[appointment.pk]), {"reason": "y", "version": 1})
    appointment.refresh_from_db()
    assert appointment.state == AppointmentState.BOOKED  # stale version refused
    client.post(reverse("field:appointment_cancel", args=[appointment.pk]), {"reason": "y", "version": 2})
    appointment.refresh_from_db()
    assert appointment.state == AppointmentState.CANCELLED


@pytest.mark.django_db
def test_r12_assigned_engineer_may_book_other_roles_may_not(client, agent, wo, tomorrow):
    data = {"date": tomorrow.isoformat(), "window_start": "09:00", "window_end": "11:00"}
    url = reverse("field:appointment_book", args=[wo.pk])
    client.force_login(agent)
    assert client.post(url, data).status_code == 403
    client.force_login(wo.engineer.user)
    assert client.post(url, data).status_code == 302
    assert Appointment.objects.filter(work_order=wo).count() == 1


@pytest.mark.django_db
def test_r12_r37_out_of_scope_is_404(client, world, tomorrow):
    order_b = world.order_b
    order_b.engineer = world.engineer_b
    order_b.state = State.ASSIGNED
    order_b.save()
    appointment = book(order_b, tomorrow, t(9), t(11))
    client.force_login(world.staff_a)
    data = {"date": tomorrow.isoformat(), "window_start": "13:00", "window_end": "14:00", "reason": "r"}
    assert client.post(reverse("field:appointment_book", args=[order_b.pk]), data).status_code == 404
    assert (
        client.post(reverse("field:appointment_reschedule", args=[appointment.pk]), data).status_code == 404
    )
    assert client.post(reverse("field:appointment_cancel", args=[appointment.pk]), data).status_code == 404


@pytest.mark.django_db
def test_r12_calendar_shows_the_week_scoped(client, world, tomorrow):
    assert reverse("field:calendar") == "/field/calendar/"
    orders = {}
    for key, engineer, point in (
        ("a", world.engineer_a, world.point_a),
        ("b", world.engineer_b, world.point_b),
    ):
        orders[key] = f.WorkOrderFactory(state=State.ASSIGNED, engineer=engineer, service_point=point)
        book(orders[key], tomorrow, t(9), t(11))
    next_week = f.WorkOrderFactory(
        state=State.ASSIGNED, engineer=world.engineer_a, service_point=world.point_a
    )
    book(next_week, tomorrow + timedelta(days=7), t(9), t(11))
    client.force_login(world.staff_a)
    response = client.get("/field/calendar/", {"week": tomorrow.isoformat()})
    html = response.content.decode()
    assert response.status_code == 200
    assert orders["a"].number in html and orders["b"].number not in html and next_week.number not in html
    assert [e.pk for e in response.context["week"].engineers] == [world.engineer_a.pk]
    assert response.context["week"].start.weekday() == 0
    # another dealer's engineer asked for explicitly: nothing shown
    response = client.get("/field/calendar/", {"engineer": world.engineer_b.pk, "week": tomorrow.isoformat()})
    assert orders["b"].number not in response.content.decode() and response.context["week"].engineers == []
    response = client.get(
        "/field/calendar/", {"service_point": world.point_a.pk, "week": tomorrow.isoformat()}
    )
    assert orders["a"].number in response.content.decode()


@pytest.mark.django_db
def test_r12_calendar_day_view_of_a_service_point(client, world, tomorrow):
    booked = f.WorkOrderFactory(state=State.ASSIGNED, engineer=world.engineer_a, service_point=world.point_a)
    book(booked, tomorrow, t(9), t(11))
    later = f.WorkOrderFactory(state=State.ASSIGNED, engineer=world.engineer_a, service_point=world.point_a)
    book(later, tomorrow + timedelta(days=1), t(9), t(11))
    client.force_login(world.staff_a)
    params = {"span": "day", "week": tomorrow.isoformat(), "service_point": world.point_a.pk}
    response = client.get("/field/calendar/", params)
    html = response.content.decode()
    assert response.status_code == 200 and response.context["week"].days == [tomorrow]
    assert booked.number in html and later.number not in html
    assert response.context["week"].next == tomorrow + timedelta(days=1)
    assert f"week={(tomorrow + timedelta(days=1)).isoformat()}&amp;span=day" in html  # "Next day"


@pytest.mark.django_db
def test_r12_calendar_query_count_bounded(client, supervisor, tomorrow):
    def seed(n):
        for _ in range(n):
            engineer = f.EngineerFactory()
            for hour in (9, 13):
                order = f.WorkOrderFactory(
                    state=State.ASSIGNED, engineer=engineer, service_point=engineer.service_point
                )
                book(order, tomorrow, t(hour), t(hour + 2))

    client.force_login(supervisor)
    seed(1)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/field/calendar/", {"week": tomorrow.isoformat()}).status_code == 200
    seed(5)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/field/calendar/", {"week": tomorrow.isoformat()})
    assert response.content.decode().count('data-testid="calendar-appointment"') == 12
    assert len(many) == len(few)


@pytest.mark.django_db
def test_r12_calendar_shows_engineers_a_page_at_a_time(client, supervisor, tomorrow, monkeypatch):
    """Issue 9: a company's 2,000 engineers are not one page; the next page keeps the week and
    the filters, and shows the engineers after those of the first, none twice."""
    from aftersales.field import selectors

    monkeypatch.setattr(selectors, "CALENDAR_ENGINEERS_PER_PAGE", 3)
    point = f.ServicePointFactory()
    engineers = [f.EngineerFactory(service_point=point) for _ in range(5)]
    client.force_login(supervisor)
    params = {"week": tomorrow.isoformat(), "service_point": point.pk}
    first = client.get("/field/calendar/", params)
    rows = [row.pk for row, _cells in first.context["week"].rows]
    assert len(rows) == 3 and first.context["previous_page_url"] == ""
    next_url = first.context["next_page_url"]
    assert f"service_point={point.pk}" in next_url and f"week={tomorrow.isoformat()}" in next_url
    second = client.get(f"/field/calendar/{next_url}")
    more = [row.pk for row, _cells in second.context["week"].rows]
    assert sorted(rows + more) == sorted(engineer.pk for engineer in engineers)
    assert second.context["next_page_url"] == "" and "page=1" in second.context["previous_page_url"]
    assert 'data-testid="calendar-pager"' in second.content.decode()


# Concurrency (PostgreSQL row lock) -----------------------------------------------------------


@pytest.mark.skipif(not uses_postgres(), reason="row locks need PostgreSQL; SQLite serialises writers itself")
@pytest.mark.django_db(transaction=True)
def test_r12_two_concurrent_bookings_of_one_window_exactly_one_succeeds(assigned, tomorrow):
    orders = [assigned(), assigned()]
    barrier = threading.Barrier(2)
    results: list[str] = []

    def run(order):
        try:
            barrier.wait(timeout=10)
            book(order, tomorrow, t(9), t(11))
            results.append("ok")
        except DomainError as error:
            results.append(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(order,)) for order in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == ["double_booking", "ok"]
    assert Appointment.objects.filter(state=AppointmentState.BOOKED).count() == 1


@pytest.mark.django_db
def test_r12_calendar_shows_every_visit_not_only_appointments(client, supervisor, field_engineer):
    """Issue 12: the calendar shows each visit whatever its state (booked, en route, on site,
    done) beside the appointments booked with no visit yet; a cancelled visit is not shown, and a
    booked appointment that became a visit is shown once, as the visit."""
    from aftersales.field.services import visit_create, visit_transition

    from ..timeutil import at, frozen
    from .visit_factories import visit_at

    def assigned_wo():
        return f.WorkOrderFactory(
            state=State.ASSIGNED, engineer=field_engineer, service_point=field_engineer.service_point
        )

    with frozen(at(2026, 11, 24, 8, 0)):  # a Tuesday
        day = timezone.localdate()
        orders = {state: assigned_wo() for state in ("booked", "en_route", "on_site", "done")}
        visits = {state: visit_at(wo, state) for state, wo in orders.items()}
        only_booked = assigned_wo()
        appointment = book(only_booked, day, t(14), t(16))
        from_appointment = assigned_wo()
        planned = book(from_appointment, day, t(16), t(17))
        planned_visit = visit_create(work_order=from_appointment, actor=supervisor, appointment=planned)
        cancelled_wo = assigned_wo()
        cancelled = visit_create(work_order=cancelled_wo, actor=supervisor)
        visit_transition(visit_id=cancelled.pk, action="cancel", actor=supervisor, reason="客户改期")
        client.force_login(supervisor)
        response = client.get("/field/calendar/", {"span": "day", "week": day.isoformat()})
    assert response.status_code == 200
    (engineer, cells), *_ = [row for row in response.context["week"].rows if row[0] == field_engineer]
    entries = cells[0]
    shown = {(e.kind, e.pk): e.state for e in entries}
    assert shown == {
        **{("visit", v.pk): state for state, v in visits.items()},
        ("visit", planned_visit.pk): "booked",
        ("appointment", appointment.pk): "booked",
    }
    html = response.content.decode()
    for state in ("booked", "en_route", "on_site", "done"):
        assert f'data-state="{state}"' in html
    assert html.count('data-testid="calendar-appointment"') == 1
    assert html.count('data-testid="calendar-visit"') == 5
    assert cancelled.number not in html and cancelled_wo.number not in html
    # timed blocks in time order, the visits with no window after them
    timed = [e for e in entries if e.window_start is not None]
    assert [e.window_start for e in timed] == sorted(e.window_start for e in timed)
