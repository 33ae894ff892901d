"""What the service tab of the work-order page, the calendar, Today's jobs, the visit page and the
dispatch board do, over the API (R12, R15, R16, R5, R38), through the same services: booking a visit
with the customer, rescheduling it, opening its visit, planning one, recording on site, the
internal fields, and assigning from the board; refusals as JSON problems; R37 scoping (404)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from aftersales.accounts.choices import Role
from aftersales.field.models import Appointment, AppointmentState, EngineerLeave, Visit
from aftersales.notifications.models import Message
from aftersales.workorders.choices import State
from aftersales.workorders.models import WorkOrder
from tests import factories as f
from tests.field.visit_factories import png_bytes, visit_at

from .helpers import PDF_BYTES, assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def tomorrow():
    return timezone.localdate() + timedelta(days=1)


def window(day, start: int, end: int, **extra) -> dict:
    return {
        "date": f"{day:%Y-%m-%d}",
        "window_start": f"{start:02d}:00",
        "window_end": f"{end:02d}:00",
        **extra,
    }


def appointments_url(work_order) -> str:
    return f"/api/workorders/{work_order.pk}/appointments/"


# --- book → reschedule → open the visit (R12) ----------------------------------------------------


def test_r12_book_reschedule_and_open_the_visit_as_the_pages_do(api_client, dispatcher, field_wo, tomorrow):
    desk = api_client(dispatcher)
    booked = desk.post(appointments_url(field_wo), window(tomorrow, 9, 11), format="json")
    assert booked.status_code == 201, booked.content
    appointment = booked.json()
    assert appointment["state"] == "booked" and appointment["version"] == 1
    assert appointment["engineer"]["id"] == field_wo.engineer_id
    assert appointment["work_order"] == {"id": field_wo.pk, "name": field_wo.number}
    assert appointment["available_actions"] == ["reschedule", "cancel", "visit"]
    assert booked["Location"].endswith(f"/api/appointments/{appointment['id']}/")
    assert Message.objects.filter(channel="sms").count() == 1  # the customer is told (R12)
    listed = desk.get(appointments_url(field_wo)).json()
    assert [row["id"] for row in listed] == [appointment["id"]]

    url = f"/api/appointments/{appointment['id']}/"
    assert_problem(
        desk.post(f"{url}reschedule/", window(tomorrow, 14, 16), format="json"), 400, field="reason"
    )
    stale = desk.post(
        f"{url}reschedule/", window(tomorrow, 14, 16, reason="客户有会", version=5), format="json"
    )
    assert_problem(stale, 409, code="stale_version")
    moved = desk.post(
        f"{url}reschedule/", window(tomorrow, 14, 16, reason="客户有会", version=1), format="json"
    )
    assert moved.status_code == 200, moved.content
    assert (moved.json()["window_start"], moved.json()["window_end"]) == ("14:00:00", "16:00:00")
    assert moved.json()["reason"] == "客户有会" and moved.json()["version"] == 2

    engineer = api_client(field_wo.engineer.user)
    opened = engineer.post(f"{url}visit/", format="json")
    assert opened.status_code == 201, opened.content
    visit = opened.json()
    assert visit["state"] == "booked" and visit["planned_date"] == f"{tomorrow:%Y-%m-%d}"
    assert (visit["window_start"], visit["window_end"]) == ("14:00:00", "16:00:00")
    again = engineer.post(f"{url}visit/", format="json")  # already open: the same visit
    assert again.status_code == 200 and again.json()["id"] == visit["id"]
    detail = engineer.get(url).json()
    assert detail["visit"] == {"id": visit["id"], "name": visit["number"]}
    assert "visit" not in detail["available_actions"]
    assert Visit.objects.filter(appointment_id=appointment["id"]).count() == 1


def test_r12_the_same_availability_checks_as_the_page(api_client, dispatcher, field_wo, tomorrow):
    desk = api_client(dispatcher)
    first = desk.post(appointments_url(field_wo), window(tomorrow, 9, 11), format="json").json()
    other = f.WorkOrderFactory(
        engineer=field_wo.engineer, service_point=field_wo.service_point, state=State.ASSIGNED
    )
    clash = desk.post(appointments_url(other), window(tomorrow, 10, 12), format="json")
    body = assert_problem(clash, 400, field="window_start", code="double_booking")
    assert field_wo.number in body["errors"][0]["message"]
    assert desk.post(appointments_url(other), window(tomorrow, 11, 12), format="json").status_code == 201
    # a reschedule onto the other booking clashes too; onto itself it does not
    url = f"/api/appointments/{first['id']}/reschedule/"
    moved = desk.post(url, window(tomorrow, 11, 13, reason="改期"), format="json")
    assert_problem(moved, 400, field="window_start", code="double_booking")
    assert desk.post(url, window(tomorrow, 8, 10, reason="提前"), format="json").status_code == 200

    assert_problem(
        desk.post(appointments_url(field_wo), window(tomorrow, 15, 14), format="json"),
        400,
        code="invalid_window",
    )
    yesterday = timezone.localdate() - timedelta(days=1)
    assert_problem(
        desk.post(appointments_url(field_wo), window(yesterday, 9, 10), format="json"),
        400,
        code="past_window",
    )
    EngineerLeave.objects.create(
        engineer=field_wo.engineer, start=tomorrow + timedelta(days=1), end=tomorrow + timedelta(days=1)
    )
    on_leave = desk.post(
        appointments_url(field_wo), window(tomorrow + timedelta(days=1), 9, 10), format="json"
    )
    assert_problem(on_leave, 400, field="date", code="on_leave")
    unassigned = f.WorkOrderFactory(service_point=field_wo.service_point, state=State.ACCEPTED)
    assert_problem(
        desk.post(appointments_url(unassigned), window(tomorrow, 9, 10), format="json"),
        400,
        code="not_assigned",
    )
    assert_problem(
        desk.post(appointments_url(field_wo), window(tomorrow, 16, 17, state="done"), format="json"),
        400,
        field="state",
        code="unknown_field",
    )
    assert Appointment.objects.count() == 2


def test_r12_cancelled_appointments_cannot_move_or_become_visits(api_client, dispatcher, field_wo, tomorrow):
    desk = api_client(dispatcher)
    appointment = desk.post(appointments_url(field_wo), window(tomorrow, 9, 11), format="json").json()
    url = f"/api/appointments/{appointment['id']}/"
    assert_problem(desk.post(f"{url}cancel/", {}, format="json"), 400, field="reason")
    cancelled = desk.post(f"{url}cancel/", {"reason": "客户取消"}, format="json")
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert cancelled.json()["available_actions"] == []
    assert_problem(desk.post(f"{url}cancel/", {"reason": "again"}, format="json"), 409, code="not_booked")
    assert_problem(
        desk.post(f"{url}reschedule/", window(tomorrow, 14, 15, reason="x"), format="json"),
        409,
        code="not_booked",
    )
    assert_problem(desk.post(f"{url}visit/", format="json"), 409, code="not_booked")
    assert not Visit.objects.exists()
    # the freed window can be booked again
    assert desk.post(appointments_url(field_wo), window(tomorrow, 9, 11), format="json").status_code == 201


def test_r12_roles_and_other_engineers(api_client, field_wo, other_engineer, finance, tomorrow):
    refused = api_client(finance).post(appointments_url(field_wo), window(tomorrow, 9, 11), format="json")
    # finance sees every work order, but may not book (403, as the page)
    assert_problem(refused, 403)
    own = api_client(field_wo.engineer.user).post(
        appointments_url(field_wo), window(tomorrow, 9, 11), format="json"
    )
    assert own.status_code == 201  # the assigned engineer books their own visit
    colleague = api_client(other_engineer.user)  # same service point: sees it, may not change it
    url = f"/api/appointments/{own.json()['id']}/"
    assert colleague.get(url).json()["available_actions"] == []
    assert_problem(
        colleague.post(f"{url}reschedule/", window(tomorrow, 14, 15, reason="x"), format="json"), 403
    )
    assert_problem(colleague.post(f"{url}cancel/", {"reason": "x"}, format="json"), 403)
    assert_problem(colleague.post(f"{url}visit/", format="json"), 403)


def test_r12_booking_is_idempotent(api_client, dispatcher, field_wo, tomorrow):
    desk = api_client(dispatcher)
    headers = {"HTTP_IDEMPOTENCY_KEY": "book-1"}
    first = desk.post(appointments_url(field_wo), window(tomorrow, 9, 11), format="json", **headers)
    again = desk.post(appointments_url(field_wo), window(tomorrow, 9, 11), format="json", **headers)
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json()["id"] == first.json()["id"]
    assert Appointment.objects.count() == 1


def test_r12_the_calendar_list_filters_and_is_scoped(api_client, dispatcher, field_wo, tomorrow, world):
    desk = api_client(dispatcher)
    mine = desk.post(appointments_url(field_wo), window(tomorrow, 9, 11), format="json").json()
    later = tomorrow + timedelta(days=7)
    desk.post(appointments_url(field_wo), window(later, 9, 11), format="json")
    rows = desk.get(
        "/api/appointments/", {"date_from": f"{tomorrow:%Y-%m-%d}", "date_until": f"{tomorrow:%Y-%m-%d}"}
    )
    assert [row["id"] for row in rows.json()["results"]] == [mine["id"]]
    assert desk.get("/api/appointments/", {"engineer": field_wo.engineer_id}).json()["count"] == 2
    assert desk.get("/api/appointments/", {"state": "cancelled"}).json()["count"] == 0
    assert api_client(world.staff_b).get("/api/appointments/").json()["count"] == 0


# --- plan a visit, open one (Today's jobs) -------------------------------------------------------


def test_r12_plan_a_visit_of_the_assigned_engineer(api_client, dispatcher, field_wo, tomorrow):
    desk = api_client(dispatcher)
    url = f"/api/workorders/{field_wo.pk}/visits/"
    planned = desk.post(url, {"planned_date": f"{tomorrow:%Y-%m-%d}"}, format="json")
    assert planned.status_code == 201, planned.content
    assert planned.json()["planned_date"] == f"{tomorrow:%Y-%m-%d}" and planned.json()["state"] == "booked"
    today = desk.post(url, {}, format="json").json()
    assert today["planned_date"] == f"{timezone.localdate():%Y-%m-%d}"
    assert [v["id"] for v in desk.get(url).json()] == [planned.json()["id"], today["id"]]
    # an engineer's day (Today's jobs) from the visits list
    day = {"engineer": field_wo.engineer_id, "planned_from": f"{tomorrow:%Y-%m-%d}"}
    assert [
        v["id"]
        for v in desk.get("/api/visits/", {**day, "planned_until": f"{tomorrow:%Y-%m-%d}"}).json()["results"]
    ] == [planned.json()["id"]]
    assert desk.get("/api/visits/", {"work_order": field_wo.pk, "state": "booked"}).json()["count"] == 2
    unassigned = f.WorkOrderFactory(service_point=field_wo.service_point, state=State.ACCEPTED)
    refused = desk.post(f"/api/workorders/{unassigned.pk}/visits/", {}, format="json")
    assert_problem(refused, 409, code="not_assigned")


# --- on site: the record, photos, the internal fields (R12, R15, R16) ----------------------------


def test_r12_r15_the_visit_record_and_photos_through_the_api(api_client, field_wo):
    visit = visit_at(field_wo, "on_site")
    api = api_client(field_wo.engineer.user)
    url = f"/api/visits/{visit.pk}/"
    assert len(visit.checklist) >= 2
    changed = {"findings": "定影器老化", "checked": [0], "plan_change": "需更换定影组件"}
    assert_problem(api.post(f"{url}record/", changed, format="json"), 400, field="plan_change_agreed")
    assert_problem(
        api.post(f"{url}record/", {"findings": "x", "checked": [99]}, format="json"), 400, field="checked"
    )
    saved = api.post(
        f"{url}record/", {**changed, "plan_change_agreed": True, "version": visit.version}, format="json"
    )
    assert saved.status_code == 200, saved.content
    body = saved.json()
    assert body["findings"] == "定影器老化" and body["plan_change_agreed"] is True
    assert [item["ok"] for item in body["checklist"]][:2] == [True, False]

    photo = SimpleUploadedFile("fuser.png", png_bytes(), content_type="image/png")
    added = api.post(f"{url}photos/", {"file": photo, "description": "定影器"}, format="multipart")
    assert added.status_code == 201, added.content
    assert added.json()["description"] == f"{visit.number} · 定影器"
    pdf = SimpleUploadedFile("scan.pdf", PDF_BYTES, content_type="application/pdf")
    assert_problem(api.post(f"{url}photos/", {"file": pdf}, format="multipart"), 400, field="file")
    stale = api.post(f"{url}record/", {**changed, "plan_change_agreed": True, "version": 1}, format="json")
    assert_problem(stale, 409, code="stale_version")


def test_r16_the_internal_fields_are_apart_and_for_the_engineer_clerks_and_supervisors(
    api_client, field_wo, clerk
):
    visit = visit_at(field_wo, "done")
    url = f"/api/visits/{visit.pk}/internal/"
    office = api_client(clerk)
    saved = office.post(url, {"fault_cause": "定影膜老化", "repair_measures": "更换定影组件"}, format="json")
    assert saved.status_code == 200, saved.content
    assert saved.json()["fault_cause"] == "定影膜老化"
    assert api_client(field_wo.engineer.user).get(url).json()["repair_measures"] == "更换定影组件"
    assert "fault_cause" not in office.get(f"/api/visits/{visit.pk}/").json()  # not what the customer sees
    # the dealer's staff see the work order and the visit, not its internal fields
    dealer = f.UserFactory(role=Role.DEALER_STAFF, dealer=field_wo.service_point.dealer, username="dealer_x")
    assert api_client(dealer).get(f"/api/visits/{visit.pk}/").status_code == 200
    assert_problem(api_client(dealer).get(url), 403)
    assert_problem(
        api_client(dealer).post(url, {"fault_cause": "x", "repair_measures": "y"}, format="json"), 403
    )
    WorkOrder.objects.filter(pk=field_wo.pk).update(state=State.CLOSED)
    closed = office.post(url, {"fault_cause": "x", "repair_measures": "y"}, format="json")
    assert_problem(closed, 409)


# --- the dispatch board's assignment (R5, R38) --------------------------------------------------


def test_r5_r38_assign_from_the_dispatch_board(api_client, dispatcher, supervisor):
    point = f.ServicePointFactory()
    line = f.ProductLineFactory(code="PRN-A")
    work_order = f.WorkOrderFactory(
        service_point=point, state=State.ACCEPTED, product_model=f.ProductModelFactory(product_line=line)
    )
    today = timezone.localdate()
    suggested = f.EngineerFactory(service_point=point)
    other = f.EngineerFactory(service_point=point)
    for engineer in (suggested, other):
        f.QualificationFactory(
            engineer=engineer,
            product_line=line,
            certified_on=today - timedelta(days=365),
            expires_on=today + timedelta(days=365),
        )
    unqualified = f.EngineerFactory(service_point=point)
    desk = api_client(dispatcher)
    url = f"/api/dispatch/{work_order.pk}/assign/"
    choice = desk.get(f"/api/dispatch/{work_order.pk}/").json()["engineer"]["id"]
    chosen = suggested if suggested.pk == choice else other
    not_chosen = other if chosen is suggested else suggested
    assert_problem(
        desk.post(url, {"engineer": not_chosen.pk}, format="json"), 400, field="reason", code="required"
    )
    assert_problem(
        desk.post(url, {"engineer": unqualified.pk, "reason": "就近"}, format="json"),
        400,
        code="not_qualified",
    )
    assigned = desk.post(url, {"engineer": chosen.pk, "version": work_order.version}, format="json")
    assert assigned.status_code == 200, assigned.content
    assert assigned.json()["state"] == "assigned" and assigned.json()["engineer"]["id"] == chosen.pk
    assert work_order.events.filter(kind="dispatch", action="dispatch_suggested").exists()
    assert_problem(
        api_client(f.UserFactory(role=Role.AGENT)).post(url, {"engineer": chosen.pk}, format="json"), 403
    )


# --- R37 ----------------------------------------------------------------------------------------


def test_r37_another_dealers_staff_get_404_for_every_field_endpoint(api_client, world, tomorrow):
    engineer = world.engineer_a
    WorkOrder.objects.filter(pk=world.order_a.pk).update(engineer=engineer, state=State.ASSIGNED)
    ours = api_client(world.staff_a)
    appointment = ours.post(appointments_url(world.order_a), window(tomorrow, 9, 11), format="json")
    assert appointment.status_code == 201, appointment.content  # dealer staff book their dealer's visits
    appointment_id = appointment.json()["id"]
    visit = visit_at(WorkOrder.objects.get(pk=world.order_a.pk), "booked", actor=engineer.user)

    theirs = api_client(world.staff_b)
    for method, url, data in [
        ("get", appointments_url(world.order_a), None),
        ("post", appointments_url(world.order_a), window(tomorrow, 14, 15)),
        ("get", f"/api/workorders/{world.order_a.pk}/visits/", None),
        ("post", f"/api/workorders/{world.order_a.pk}/visits/", {}),
        ("get", f"/api/appointments/{appointment_id}/", None),
        ("post", f"/api/appointments/{appointment_id}/reschedule/", window(tomorrow, 14, 15, reason="x")),
        ("post", f"/api/appointments/{appointment_id}/cancel/", {"reason": "x"}),
        ("post", f"/api/appointments/{appointment_id}/visit/", {}),
        ("post", f"/api/visits/{visit.pk}/record/", {"findings": "x"}),
        ("get", f"/api/visits/{visit.pk}/internal/", None),
        ("post", f"/api/dispatch/{world.order_a.pk}/assign/", {"engineer": world.engineer_b.pk}),
    ]:
        response = getattr(theirs, method)(url, data, format="json") if data is not None else theirs.get(url)
        assert_problem(response, 404)
    assert Appointment.objects.get(pk=appointment_id).state == AppointmentState.BOOKED
    assert Appointment.objects.count() == 1 and Visit.objects.count() == 1


def test_the_field_endpoints_are_documented(api_client, dispatcher):
    schema = api_client(dispatcher).get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    book = paths["/api/workorders/{id}/appointments/"]["post"]
    assert {"201", "400", "403", "404"} <= set(book["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in book["parameters"])
    for path, codes in [
        ("/api/appointments/{id}/reschedule/", {"200", "400", "403", "404", "409"}),
        ("/api/appointments/{id}/cancel/", {"200", "400", "403", "404", "409"}),
        ("/api/appointments/{id}/visit/", {"200", "201", "403", "404", "409"}),
        ("/api/workorders/{id}/visits/", {"201", "400", "403", "404", "409"}),
        ("/api/visits/{id}/record/", {"200", "400", "403", "404", "409"}),
        ("/api/visits/{id}/photos/", {"201", "400", "403", "404", "409"}),
        ("/api/visits/{id}/internal/", {"200", "400", "403", "404", "409"}),
        ("/api/dispatch/{id}/assign/", {"200", "400", "403", "404", "409"}),
    ]:
        assert codes <= set(paths[path]["post"]["responses"]), path
    assert "double_booking" in book["description"]
    assert {"200", "400", "404"} <= set(paths["/api/devices/{id}/warranty/"]["get"]["responses"])
