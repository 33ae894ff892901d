"""The dispatchers' schedule board (issue 12; R5, R12, R38, R37): engineers of the chosen service
points as rows, the day's working hours as columns, visits and leave as blocks, the unassigned work
orders beside with the suggestion; dropping one on a slot assigns and books in one transaction
through the same services as the assign and booking forms, a refusal saving nothing."""

from __future__ import annotations

import json
import re
from datetime import date, time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.accounts.choices import Role
from aftersales.core.errors import DomainError
from aftersales.field.models import Appointment, AppointmentState, EngineerLeave
from aftersales.field.selectors_schedule import schedule_map
from aftersales.field.services import appointment_book, schedule_assign_book
from aftersales.sla.selectors import working_times_of_points
from aftersales.workorders.choices import State
from aftersales.workorders.models import WorkOrder, WorkOrderEvent

from .. import factories as f
from ..timeutil import at, frozen
from .visit_factories import checked_in

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 24)  # a Tuesday, a working day
NOW = at(2026, 11, 24, 8, 0)


@pytest.fixture
def clock():
    with frozen(NOW):
        yield


@pytest.fixture
def sched(clock, line):
    """A Hangzhou point with a qualified engineer, an unqualified one, one on leave; an accepted
    work order of its region waiting for an engineer; another point elsewhere."""
    point = f.ServicePointFactory(
        code="HZ", name="杭州西湖服务站", province="浙江省", city="杭州市", district="西湖区"
    )
    qualified = f.EngineerFactory(
        service_point=point, employee_no="E1", user__last_name="周", user__first_name="工"
    )
    f.QualificationFactory(engineer=qualified, product_line=line, certified_on=date(2020, 1, 1))
    unqualified = f.EngineerFactory(
        service_point=point, employee_no="E2", user__last_name="吴", user__first_name="新"
    )
    away = f.EngineerFactory(
        service_point=point, employee_no="E3", user__last_name="钱", user__first_name="休"
    )
    f.QualificationFactory(engineer=away, product_line=line, certified_on=date(2020, 1, 1))
    EngineerLeave.objects.create(engineer=away, start=DAY, end=DAY, reason="年假")
    customer = f.CustomerFactory(province="浙江省", city="杭州市", district="西湖区")
    model = f.ProductModelFactory(product_line=line)

    def waiting(**kwargs):
        kwargs.setdefault("service_point", point)
        return f.WorkOrderFactory(customer=customer, product_model=model, state=State.ACCEPTED, **kwargs)

    other = f.ServicePointFactory(code="WH", province="湖北省", city="武汉市")
    return type(
        "Sched",
        (),
        dict(
            point=point,
            qualified=qualified,
            unqualified=unqualified,
            away=away,
            order=waiting(),
            waiting=staticmethod(waiting),
            other=other,
            other_engineer=f.EngineerFactory(service_point=other, employee_no="W1"),
        ),
    )


def post(client, sched, engineer, start="10:00", **extra):
    data = {
        "work_order": sched.order.pk,
        "engineer": engineer.pk,
        "date": DAY.isoformat(),
        "window_start": start,
        "length": 2,
        "service_point": sched.point.pk,
        **extra,
    }
    return client.post("/field/schedule/book/", data, **({"HTTP_HX_REQUEST": "true"}))


def unchanged(order) -> None:
    """Nothing saved: still unassigned, no appointment, no assignment event."""
    order = WorkOrder.objects.get(pk=order.pk)
    assert order.state == State.ACCEPTED and order.engineer_id is None
    assert not Appointment.objects.filter(work_order=order).exists()
    assert not WorkOrderEvent.objects.filter(
        work_order=order, action__in=["assign", "appointment_book"]
    ).exists()


# The board ----------------------------------------------------------------------------------------


def test_r12_board_shows_engineers_hours_visits_leave_and_the_unassigned_with_suggestion(
    client, dispatcher, sched
):
    booked = f.WorkOrderFactory(state=State.ASSIGNED, engineer=sched.qualified, service_point=sched.point)
    appointment_book(
        work_order=booked,
        engineer=sched.qualified,
        day=DAY,
        window_start=time(14),
        window_end=time(16),
        actor=None,
    )
    client.force_login(dispatcher)
    response = client.get("/field/schedule/", {"date": DAY.isoformat(), "service_point": sched.point.pk})
    assert response.status_code == 200
    board = response.context["board"]
    assert [p.pk for p in board.points] == [sched.point.pk]
    assert board.engineers == [sched.qualified, sched.unqualified, sched.away]
    periods = working_times_of_points([sched.point.pk])[sched.point.pk].day_periods(DAY)
    assert board.hours[0].hour == periods[0][0].hour and board.working
    qualified_row = board.rows[0]
    assert [b.entry.work_order for b in qualified_row.blocks] == [booked]
    assert not next(s for s in qualified_row.slots if s.start == time(14)).free
    assert next(s for s in qualified_row.slots if s.start == time(10)).free
    # hours outside the point's working periods (the lunch break, when it has one) are shaded
    worked = {s.start for s in qualified_row.slots if s.working}
    assert worked == {
        s.start for s in qualified_row.slots if any(p[0] < s.end and s.start < p[1] for p in periods)
    }
    assert board.rows[2].leave is not None and not any(s.free for s in board.rows[2].slots)
    assert [(wo, s.engineer) for wo, s in board.unassigned] == [(sched.order, sched.qualified)]
    html = response.content.decode()
    assert 'data-testid="schedule-leave"' in html and f'data-number="{booked.number}"' in html
    assert f'data-book-for="{sched.order.pk}"' in html and 'data-testid="schedule-list"' in html
    assert sched.other_engineer.user.display_name not in html


def test_r12_board_day_navigation_and_a_day_off(client, dispatcher, sched):
    client.force_login(dispatcher)
    response = client.get(
        "/field/schedule/", {"date": "2026-11-28", "service_point": sched.point.pk}
    )  # Saturday
    assert response.context["board"].working is False
    assert 'data-testid="schedule-day-off"' in response.content.decode()
    assert "date=2026-11-27" in response.context["previous_url"]
    assert "date=2026-11-29" in response.context["next_url"]
    assert f"service_point={sched.point.pk}" in response.context["next_url"]
    # no date: today (the frozen clock's)
    assert client.get("/field/schedule/").context["board"].day == DAY


def test_r37_board_scoped_to_the_dealers_points(client, sched):
    dealer = f.DealerFactory(code="DZ")
    sched.other.dealer = dealer
    sched.other.save()
    staff = f.UserFactory(role=Role.DEALER_STAFF, dealer=dealer, username="dz_staff")
    client.force_login(staff)
    # asks for the Hangzhou point, which is not theirs: their own point instead
    response = client.get("/field/schedule/", {"date": DAY.isoformat(), "service_point": sched.point.pk})
    board = response.context["board"]
    assert [p.pk for p in board.points] == [sched.other.pk]
    assert board.engineers == [sched.other_engineer] and board.unassigned == []
    # and cannot book another dealer's work order
    assert post(client, sched, sched.other_engineer).status_code == 404
    unchanged(sched.order)
    # not a dispatch role: no board
    client.force_login(f.UserFactory(role=Role.FINANCE, username="fin"))
    assert client.get("/field/schedule/").status_code == 403


def test_r12_board_queries_do_not_grow_with_work_orders_or_visits(client, dispatcher, sched, monkeypatch):
    from aftersales.field import selectors_schedule

    monkeypatch.setattr(selectors_schedule, "SCHEDULE_UNASSIGNED", 5)
    client.force_login(dispatcher)
    params = {"date": DAY.isoformat(), "service_point": sched.point.pk}
    client.get("/field/schedule/", params)  # warm the reference caches
    with CaptureQueriesContext(connection) as few:
        client.get("/field/schedule/", params)
    for hour in (8, 10, 13, 15):
        wo = f.WorkOrderFactory(state=State.ASSIGNED, engineer=sched.qualified, service_point=sched.point)
        appointment_book(
            work_order=wo,
            engineer=sched.qualified,
            day=DAY,
            window_start=time(hour),
            window_end=time(hour + 1),
            actor=None,
        )
    for _ in range(12):
        sched.waiting()
    with CaptureQueriesContext(connection) as many:
        response = client.get("/field/schedule/", params)
    assert len(response.context["board"].unassigned) == 5 and response.context["board"].truncated
    assert len(many) == len(few)


def test_r5_a_new_work_order_not_routed_yet_is_listed_but_accepted_first(client, dispatcher, sched):
    fresh = f.WorkOrderFactory(customer=sched.order.customer, state=State.NEW, service_point=None)
    client.force_login(dispatcher)
    response = client.get("/field/schedule/", {"date": DAY.isoformat(), "service_point": sched.point.pk})
    rows = {row["wo"].pk: row["may_assign"] for row in response.context["waiting"]}
    assert rows == {sched.order.pk: True, fresh.pk: False}
    html = response.content.decode()
    assert f'data-book-for="{fresh.pk}"' not in html and 'data-testid="schedule-accept-first"' in html


# One step: assign + book ----------------------------------------------------------------------------


def test_r5_r38_r12_drop_assigns_and_books_in_one_step(
    client, dispatcher, sched, django_capture_on_commit_callbacks
):
    client.force_login(dispatcher)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, sched, sched.qualified, "10:00", version=sched.order.version)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="schedule-done"' in html and 'id="schedule-board"' in html and "<html" not in html
    order = WorkOrder.objects.get(pk=sched.order.pk)
    assert order.state == State.ASSIGNED and order.engineer == sched.qualified
    appointment = Appointment.objects.get(work_order=order)
    assert (appointment.date, appointment.window_start, appointment.window_end) == (DAY, time(10), time(12))
    assert appointment.state == AppointmentState.BOOKED and appointment.created_by == dispatcher
    actions = set(WorkOrderEvent.objects.filter(work_order=order).values_list("action", flat=True))
    assert {"assign", "dispatch_suggested", "appointment_book"} <= actions
    # the block is on the board now, the work order no longer waits
    board = response.context["board"]
    assert board.unassigned == [] and [b.entry.work_order.pk for b in board.rows[0].blocks] == [order.pk]


def test_r38_unqualified_engineer_refused_nothing_saved(client, dispatcher, sched):
    client.force_login(dispatcher)
    response = post(client, sched, sched.unqualified, reason="客户指定")
    assert 'data-testid="schedule-error"' in response.content.decode()
    assert "qualif" in response.context["error"]
    unchanged(sched.order)


def test_r12_engineer_on_leave_refused_nothing_saved(client, dispatcher, sched):
    client.force_login(dispatcher)
    response = post(client, sched, sched.away, reason="客户指定")
    assert "on leave" in response.context["error"]
    unchanged(sched.order)


def test_r12_double_booking_refused_after_the_assignment_and_rolled_back(client, dispatcher, sched):
    """The assignment passes its checks, the booking refuses the overlapping window: the
    assignment is rolled back too."""
    other = f.WorkOrderFactory(state=State.ASSIGNED, engineer=sched.qualified, service_point=sched.point)
    appointment_book(
        work_order=other,
        engineer=sched.qualified,
        day=DAY,
        window_start=time(10),
        window_end=time(12),
        actor=None,
    )
    client.force_login(dispatcher)
    response = post(client, sched, sched.qualified, "11:00", reason="客户只有这个时间")
    assert other.number in response.context["error"] and "already booked" in response.context["error"]
    unchanged(sched.order)
    assert Appointment.objects.count() == 1


def test_r5_another_engineer_than_the_suggested_needs_a_reason(client, dispatcher, sched, line):
    second = f.EngineerFactory(service_point=sched.point, employee_no="E4")
    f.QualificationFactory(engineer=second, product_line=line, certified_on=date(2020, 1, 1))
    f.WorkOrderFactory(state=State.ASSIGNED, engineer=second, service_point=sched.point)  # busier
    client.force_login(dispatcher)
    response = post(client, sched, second)
    assert "reason" in response.context["error"]
    unchanged(sched.order)
    post(client, sched, second, reason="熟悉该客户")
    assert WorkOrder.objects.get(pk=sched.order.pk).engineer == second


def test_r12_past_window_refused_before_anything_and_without_htmx_a_message(client, dispatcher, sched):
    client.force_login(dispatcher)
    data = {
        "work_order": sched.order.pk,
        "engineer": sched.qualified.pk,
        "date": "2026-11-23",
        "window_start": "10:00",
        "length": 2,
        "service_point": sched.point.pk,
    }
    response = client.post("/field/schedule/book/", data, follow=True)
    assert response.redirect_chain[-1][0].startswith("/field/schedule/?date=2026-11-23")
    assert "The window is in the past." in response.content.decode()
    unchanged(sched.order)


def test_r12_service_refusal_codes(sched, dispatcher):
    with pytest.raises(DomainError) as refused:
        schedule_assign_book(
            work_order_id=sched.order.pk,
            engineer=sched.qualified,
            day=DAY,
            window_start=time(12),
            window_end=time(11),
            actor=dispatcher,
        )
    assert refused.value.code == "invalid_window"
    with pytest.raises(DomainError) as refused:
        schedule_assign_book(
            work_order_id=sched.order.pk,
            engineer=sched.unqualified,
            day=DAY,
            window_start=time(9),
            window_end=time(11),
            actor=dispatcher,
            reason="x",
        )
    assert refused.value.code == "not_qualified"
    unchanged(sched.order)


# The API ------------------------------------------------------------------------------------------


def book_body(sched, engineer, start="10:00", end="12:00", **extra):
    return {
        "work_order": sched.order.pk,
        "engineer": engineer.pk,
        "date": DAY.isoformat(),
        "window_start": start,
        "window_end": end,
        **extra,
    }


def codes(response) -> list[str]:
    return [error["code"] for error in response.json()["errors"]]


def test_r12_api_board_of_the_day(api_client, dispatcher, sched):
    booked = f.WorkOrderFactory(state=State.ASSIGNED, engineer=sched.qualified, service_point=sched.point)
    appointment_book(
        work_order=booked,
        engineer=sched.qualified,
        day=DAY,
        window_start=time(9),
        window_end=time(11),
        actor=None,
    )
    response = api_client(dispatcher).get(
        "/api/schedule/board/", {"date": DAY.isoformat(), "service_point": sched.point.pk}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["date"] == DAY.isoformat() and body["working"] is True
    assert [p["id"] for p in body["service_points"]] == [sched.point.pk]
    first, _second, away = body["engineers"]
    assert first["engineer_id"] == sched.qualified.pk and "09:00" not in first["free_hours"]
    assert (
        first["entries"][0]["work_order"]["number"] == booked.number
        and first["entries"][0]["kind"] == "appointment"
    )
    assert away["on_leave"] is True and away["free_hours"] == []
    (waiting,) = body["unassigned"]
    assert waiting["work_order"]["id"] == sched.order.pk
    assert waiting["suggested_engineer"]["id"] == sched.qualified.pk
    bad = api_client(dispatcher).get("/api/schedule/board/", {"date": "24/11/2026"})
    assert bad.status_code == 400 and codes(bad) == ["invalid"]


def test_r5_r38_r12_api_assigns_and_books_in_one_step(api_client, dispatcher, sched):
    response = api_client(dispatcher).post(
        "/api/schedule/book/", book_body(sched, sched.qualified), format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["work_order"]["state"] == State.ASSIGNED and body["state"] == AppointmentState.BOOKED
    assert (body["date"], body["window_start"], body["window_end"]) == (
        DAY.isoformat(),
        "10:00:00",
        "12:00:00",
    )
    assert WorkOrder.objects.get(pk=sched.order.pk).engineer == sched.qualified
    assert body["engineer_id"] == sched.qualified.pk and body["engineer"]["id"] == sched.qualified.user_id


@pytest.mark.parametrize(
    "who,start,end,status,code",
    [
        ("unqualified", "10:00", "12:00", 400, "not_qualified"),
        ("away", "10:00", "12:00", 400, "on_leave"),
        ("qualified", "11:00", "13:00", 400, "double_booking"),
        ("qualified", "12:00", "11:00", 400, "invalid_window"),
    ],
    ids=["R38-not-qualified", "R12-on-leave", "R12-double-booking", "R12-window"],
)
def test_r38_r12_api_refusals_save_nothing(api_client, dispatcher, sched, who, start, end, status, code):
    other = f.WorkOrderFactory(state=State.ASSIGNED, engineer=sched.qualified, service_point=sched.point)
    appointment_book(
        work_order=other,
        engineer=sched.qualified,
        day=DAY,
        window_start=time(10),
        window_end=time(12),
        actor=None,
    )
    engineer = getattr(sched, who)
    body = book_body(sched, engineer, start, end, reason="客户指定")
    response = api_client(dispatcher).post("/api/schedule/book/", body, format="json")
    assert response.status_code == status and codes(response) == [code]
    unchanged(sched.order)


def test_r37_api_scoped_and_for_dispatchers_only(api_client, sched):
    dealer = f.DealerFactory(code="DZ")
    sched.other.dealer = dealer
    sched.other.save()
    staff = f.UserFactory(role=Role.DEALER_STAFF, dealer=dealer, username="dz_staff")
    response = api_client(staff).post(
        "/api/schedule/book/", book_body(sched, sched.other_engineer), format="json"
    )
    assert response.status_code == 404
    board = api_client(staff).get("/api/schedule/board/", {"service_point": sched.point.pk}).json()
    assert [p["id"] for p in board["service_points"]] == [sched.other.pk]
    finance = f.UserFactory(role=Role.FINANCE, username="fin")
    assert api_client(finance).get("/api/schedule/board/").status_code == 403
    assert api_client(finance).post("/api/schedule/book/", {}, format="json").status_code == 403
    unchanged(sched.order)


def test_api_book_rejects_unknown_fields(api_client, dispatcher, sched):
    body = {**book_body(sched, sched.qualified), "state": "assigned"}
    response = api_client(dispatcher).post("/api/schedule/book/", body, format="json")
    assert response.status_code == 400
    unchanged(sched.order)


def test_the_schema_documents_the_schedule_endpoints(api_client, dispatcher):
    schema = api_client(dispatcher).get("/api/schema/", {"format": "json"}).json()
    board = schema["paths"]["/api/schedule/board/"]["get"]
    assert board["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ScheduleBoard"
    )
    book = schema["paths"]["/api/schedule/book/"]["post"]
    assert set(book["responses"]) >= {"201", "400", "403", "404", "409"}
    assert "double_booking" in book["description"] and "not_qualified" in book["description"]
    assert book["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ScheduleBookInputRequest"
    )


# The map of the day -------------------------------------------------------------------------------


def test_r12_map_of_the_day_places_visits_at_their_check_in_beside_the_point(client, dispatcher, sched):
    """The visits with a position (the phone's check-in) are drawn beside the service point, with
    the engineer's route from the point; those with none yet are listed; another point's are not."""
    from .visit_factories import visit_at

    sched.point.latitude, sched.point.longitude = "31.203900", "121.590100"
    sched.point.save()

    def assigned(engineer):
        return f.WorkOrderFactory(
            state=State.ASSIGNED, engineer=engineer, service_point=engineer.service_point
        )

    on_site = visit_at(assigned(sched.qualified), "on_site")  # checked in at 31.2304, 121.4737
    booked = visit_at(assigned(sched.qualified), "booked")
    elsewhere = visit_at(assigned(sched.other_engineer), "on_site")
    client.force_login(dispatcher)
    response = client.get("/field/schedule/map/", {"date": DAY.isoformat(), "service_point": sched.point.pk})
    assert response.status_code == 200
    day_map = response.context["map"]
    kinds = [(m.kind, m.url) for m in day_map.markers]
    url = f"/field/visits/{on_site.pk}/"
    assert kinds == [("point", ""), ("checkin", url), ("visit", url)]  # also the engineer's last check-in
    point, _checkin, visit = day_map.markers
    assert 0 <= point.x <= day_map.width and 0 <= visit.y <= day_map.height
    assert visit.x < point.x  # the customer is west of the office
    assert [route.engineer for route in day_map.routes] == [sched.qualified]
    assert day_map.unlocated == [booked]
    html = response.content.decode()
    assert html.count('data-testid="map-visit"') == 1 and booked.number in html
    assert elsewhere.number not in html
    finance = f.UserFactory(role=Role.FINANCE, username="fin")
    client.force_login(finance)
    assert client.get("/field/schedule/map/").status_code == 403


@pytest.fixture
def seen(sched):
    """Check-ins around DAY: the qualified engineer the day before and on DAY (the latest), the
    unqualified one only two days before, the one on leave only the day after; another point's
    engineer on DAY."""
    sched.point.latitude, sched.point.longitude = "30.274100", "120.155100"
    sched.point.save()
    return type(
        "Seen",
        (),
        dict(
            yesterday=checked_in(sched.qualified, at(2026, 11, 23, 15, 0), "30.250000", "120.100000"),
            today=checked_in(sched.qualified, at(2026, 11, 24, 10, 30), "30.260000", "120.120000"),
            earlier=checked_in(sched.unqualified, at(2026, 11, 22, 9, 0), "30.300000", "120.200000"),
            tomorrow=checked_in(sched.away, at(2026, 11, 25, 9, 0), "30.310000", "120.210000"),
            elsewhere=checked_in(sched.other_engineer, at(2026, 11, 24, 11, 0), "30.590000", "114.300000"),
        ),
    )


def test_r12_map_shows_each_engineers_last_check_in_up_to_the_end_of_the_day(dispatcher, sched, seen):
    day_map = schedule_map(dispatcher, day=DAY, point_ids=[sched.point.pk])

    assert sorted(v.pk for v in day_map.checkins) == sorted([seen.today.pk, seen.earlier.pk])
    assert [v.pk for v in day_map.visits] == [seen.today.pk]
    kinds = [(m.kind, m.engineer_id) for m in day_map.markers]
    assert kinds == [  # the check-ins beneath the visits
        ("point", None),
        ("checkin", sched.qualified.pk),
        ("checkin", sched.unqualified.pk),
        ("visit", sched.qualified.pk),
    ]
    (route,) = day_map.routes
    assert [stop.position for stop in route.stops] == [(30.2741, 120.1551), (30.26, 120.12)]
    # the day before, the latest check-in then was the one of that day
    before = schedule_map(dispatcher, day=date(2026, 11, 23), point_ids=[sched.point.pk])
    assert sorted(v.pk for v in before.checkins) == sorted([seen.yesterday.pk, seen.earlier.pk])


def test_r12_map_queries_do_not_grow_with_engineers_visits_or_history(dispatcher, sched, seen):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            schedule_map(dispatcher, day=DAY, point_ids=[sched.point.pk])
        return len(queries)

    before = count()
    for hour in (12, 14):
        checked_in(sched.unqualified, at(2026, 11, 24, hour, 0), "30.2", "120.2")
        checked_in(sched.qualified, at(2026, 11, 20, hour, 0), "30.2", "120.2")
    f.EngineerFactory(service_point=sched.point, employee_no="E9")
    assert count() == before <= 5


def test_r12_map_page_draws_with_leaflet_from_json_and_keeps_the_drawing(
    client, dispatcher, sched, seen, settings
):
    """The data goes to the page as JSON for the script (no inline script: every script is a file or
    data), the tile settings as attributes, and the server's drawing stays for when script fails."""
    settings.MAP_TILE_URL = "https://webrd0{s}.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}&style=8"
    settings.MAP_TILE_SUBDOMAINS = "1234"
    settings.MAP_COORDINATES = "gcj02"
    client.force_login(dispatcher)
    response = client.get("/field/schedule/map/", {"date": DAY.isoformat(), "service_point": sched.point.pk})
    html = response.content.decode()
    data = json.loads(
        re.search(r'<script id="schedule-map-data" type="application/json">(.*?)</script>', html)[1]
    )
    assert [v["number"] for v in data["visits"]] == [seen.today.number]
    assert {v["engineer_id"] for v in data["last_checkins"]} == {sched.qualified.pk, sched.unqualified.pk}
    assert (
        'data-tile-url="https://webrd0{s}.is.autonavi.com/appmaptile?x={x}&amp;y={y}&amp;z={z}&amp;style=8"'
        in html
    )
    assert 'data-tile-subdomains="1234"' in html and 'data-coordinates="gcj02"' in html
    assert "/static/vendor/leaflet/leaflet.js" in html and "/static/field/schedule_map.js" in html
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all("src=" in attrs or 'type="application/json"' in attrs for attrs in scripts)
    assert html.count('data-testid="map-visit"') == 1 and html.count('data-testid="map-checkin"') == 2
    assert seen.elsewhere.number not in html


def test_r12_api_map_of_the_day(api_client, dispatcher, sched, seen):
    response = api_client(dispatcher).get(
        "/api/schedule/map/", {"date": DAY.isoformat(), "service_point": sched.point.pk}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["date"] == DAY.isoformat()
    assert body["service_points"] == [
        {"id": sched.point.pk, "name": sched.point.name, "position": [30.2741, 120.1551]}
    ]
    (visit,) = body["visits"]
    assert visit["number"] == seen.today.number and visit["position"] == [30.26, 120.12]
    assert visit["work_order"]["url"] == f"/workorders/{seen.today.work_order_id}/"
    assert visit["customer"] == seen.today.work_order.customer.name
    assert visit["engineer"]["name"] == "周工" and visit["state_label"] == "On site"
    assert visit["arrived_at"].startswith("2026-11-24T10:30:00+08:00")
    checkins = {c["engineer_id"]: c for c in body["last_checkins"]}
    assert checkins[sched.unqualified.pk]["number"] == seen.earlier.number
    assert checkins[sched.unqualified.pk]["position"] == [30.3, 120.2]
    assert body["routes"] == [
        {
            "engineer": {"id": sched.qualified.user_id, "name": "周工"},
            "engineer_id": sched.qualified.pk,
            "path": [[30.2741, 120.1551], [30.26, 120.12]],
        }
    ]
    bad = api_client(dispatcher).get("/api/schedule/map/", {"date": "24/11/2026"})
    assert bad.status_code == 400 and codes(bad) == ["invalid"]


def test_r37_api_map_scoped_and_for_dispatchers_only(api_client, sched, seen):
    dealer = f.DealerFactory(code="DZ")
    sched.other.dealer = dealer
    sched.other.save()
    staff = f.UserFactory(role=Role.DEALER_STAFF, dealer=dealer, username="dz_staff")
    body = api_client(staff).get("/api/schedule/map/", {"service_point": sched.point.pk, "date": DAY}).json()
    assert [p["id"] for p in body["service_points"]] == [sched.other.pk]
    assert [v["number"] for v in body["visits"]] == [seen.elsewhere.number]
    assert [c["number"] for c in body["last_checkins"]] == [seen.elsewhere.number]
    finance = f.UserFactory(role=Role.FINANCE, username="fin")
    assert api_client(finance).get("/api/schedule/map/").status_code == 403


def test_the_schema_documents_the_map_endpoint(api_client, dispatcher):
    schema = api_client(dispatcher).get("/api/schema/", {"format": "json"}).json()
    day_map = schema["paths"]["/api/schedule/map/"]["get"]
    assert set(day_map["responses"]) >= {"200", "400", "403"}
    assert day_map["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ScheduleMap"
    )
    assert {p["name"] for p in day_map["parameters"]} >= {"date", "service_point"}
    visit = schema["components"]["schemas"]["MapVisit"]["properties"]
    assert {"position", "work_order", "customer", "engineer", "arrived_at", "state_label"} <= set(visit)
