"""What dispatch reads about the organisation, over the API (R5, R37, R38): engineers' leave and
the areas service points cover; and every write of the organisation's API seen at once by the
dispatch suggestion (its routing caches reload)."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aftersales.core.models import ChangeRecord
from aftersales.field.models import Appointment, AppointmentState, EngineerLeave, ServiceArea
from aftersales.workorders.choices import State
from tests import factories as f

from .helpers import assert_problem

pytestmark = pytest.mark.django_db


# --- engineers' leave ----------------------------------------------------------------------------


def leave(api, engineer, start: str, end: str, **extra):
    payload = {"engineer": engineer.pk, "start": start, "end": end, **extra}
    return api.post("/api/engineer-leave/", payload, format="json")


def test_r5_dispatcher_records_leave_with_the_visits_it_hits(dispatcher, world, api_client):
    booked_for = f.WorkOrderFactory(service_point=world.point_a, engineer=world.engineer_a)
    Appointment.objects.create(
        work_order=booked_for,
        engineer=world.engineer_a,
        date=date(2030, 5, 3),
        window_start=time(9),
        window_end=time(11),
        state=AppointmentState.BOOKED,
    )
    api = api_client(dispatcher)
    response = leave(api, world.engineer_a, "2030-05-01", "2030-05-05", reason="年假")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["days"] == 5 and body["booked_appointments"] == 1
    assert body["engineer_name"] == str(world.engineer_a) and body["service_point"] == world.point_a.pk

    # shorter: the visit is no longer on a day off
    response = api.patch(f"/api/engineer-leave/{body['id']}/", {"end": "2030-05-02"}, format="json")
    assert response.status_code == 200 and response.json()["booked_appointments"] == 0
    rows = ChangeRecord.objects.filter(content_type__model="engineerleave", object_id=body["id"])
    assert ("end", "2030-05-05", "2030-05-02") in {(r.field, r.old_value, r.new_value) for r in rows}
    assert api.delete(f"/api/engineer-leave/{body['id']}/").status_code == 204
    assert not EngineerLeave.objects.exists()


@pytest.mark.parametrize(
    ("start", "end", "field", "code"),
    [
        ("2030-05-05", "2030-05-01", "end", "date_order"),
        ("2030-04-28", "2030-05-01", "start", "leave_overlap"),  # shares 1 May
        ("2030-05-03", "2030-05-03", "start", "leave_overlap"),
        ("2030-05-03", "", "end", "invalid"),
    ],
)
def test_bad_leave_is_400_naming_the_field(dispatcher, world, api_client, start, end, field, code):
    EngineerLeave.objects.create(engineer=world.engineer_a, start=date(2030, 5, 1), end=date(2030, 5, 5))
    response = leave(api_client(dispatcher), world.engineer_a, start, end)
    assert_problem(response, 400, field=field, code=code)
    assert EngineerLeave.objects.count() == 1


def test_leave_of_another_engineer_may_share_days(dispatcher, world, api_client):
    EngineerLeave.objects.create(engineer=world.engineer_a, start=date(2030, 5, 1), end=date(2030, 5, 5))
    assert leave(api_client(dispatcher), world.engineer_b, "2030-05-01", "2030-05-05").status_code == 201
    # back to back with one's own is fine too
    assert leave(api_client(dispatcher), world.engineer_a, "2030-05-06", "2030-05-06").status_code == 201


def test_r37_dealer_staff_record_leave_of_their_own_engineers_only(world, api_client):
    api = api_client(world.staff_a)
    assert leave(api, world.engineer_a, "2030-05-01", "2030-05-02").status_code == 201
    response = leave(api, world.engineer_b, "2030-05-01", "2030-05-02")
    assert_problem(response, 400, field="engineer", code="does_not_exist")
    theirs = EngineerLeave.objects.create(
        engineer=world.engineer_b, start=date(2030, 6, 1), end=date(2030, 6, 2)
    )
    assert_problem(api.get(f"/api/engineer-leave/{theirs.pk}/"), 404)
    assert_problem(api.patch(f"/api/engineer-leave/{theirs.pk}/", {"reason": "x"}, format="json"), 404)
    assert_problem(api.delete(f"/api/engineer-leave/{theirs.pk}/"), 404)
    assert [row["engineer"] for row in api.get("/api/engineer-leave/").json()["results"]] == [
        world.engineer_a.pk
    ]
    # moving one's own engineer's leave to the other dealer's engineer: refused
    own = EngineerLeave.objects.get(engineer=world.engineer_a)
    response = api.patch(f"/api/engineer-leave/{own.pk}/", {"engineer": world.engineer_b.pk}, format="json")
    assert_problem(response, 400, field="engineer")


def test_r37_who_reads_and_who_records_leave(agent, world, api_client):
    EngineerLeave.objects.create(engineer=world.engineer_a, start=date(2030, 5, 1), end=date(2030, 5, 2))
    EngineerLeave.objects.create(engineer=world.engineer_b, start=date(2030, 5, 1), end=date(2030, 5, 2))
    # agents neither read nor record it
    assert_problem(api_client(agent).get("/api/engineer-leave/"), 403)
    assert_problem(leave(api_client(agent), world.engineer_a, "2030-06-01", "2030-06-01"), 403)
    # an engineer reads their point's, and records none
    engineer = api_client(world.engineer_a.user)
    rows = engineer.get("/api/engineer-leave/").json()["results"]
    assert [row["engineer"] for row in rows] == [world.engineer_a.pk]
    assert_problem(leave(engineer, world.engineer_a, "2030-06-01", "2030-06-01"), 403)


def test_leave_filters_by_day_and_period(dispatcher, world, api_client):
    may = EngineerLeave.objects.create(
        engineer=world.engineer_a, start=date(2030, 5, 1), end=date(2030, 5, 5)
    )
    june = EngineerLeave.objects.create(
        engineer=world.engineer_b, start=date(2030, 6, 1), end=date(2030, 6, 3)
    )
    api = api_client(dispatcher)

    def found(**query):
        return [row["id"] for row in api.get("/api/engineer-leave/", query).json()["results"]]

    assert found() == [june.pk, may.pk]  # latest first
    assert found(on="2030-05-05") == [may.pk]
    assert found(date_from="2030-05-04", date_until="2030-06-01") == [june.pk, may.pk]
    assert found(date_from="2030-05-06", date_until="2030-05-31") == []
    assert found(dealer=world.dealer_b.pk) == [june.pk]
    assert found(q=world.engineer_a.employee_no) == [may.pk]


# --- service areas -------------------------------------------------------------------------------


def test_r5_supervisor_keeps_the_areas_a_point_covers(supervisor, world, api_client):
    api = api_client(supervisor)
    payload = {"service_point": world.point_a.pk, "province": "江苏省", "city": "苏州市"}
    response = api.post("/api/service-areas/", payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["region"] == "江苏省 苏州市"
    area_id = response.json()["id"]
    assert_problem(
        api.post("/api/service-areas/", {**payload, "city": "", "district": "姑苏区"}, format="json"),
        400,
        field="city",
    )
    assert_problem(
        api.post("/api/service-areas/", {**payload, "city": "杭州市"}, format="json"), 400, field="city"
    )
    assert_problem(api.post("/api/service-areas/", payload, format="json"), 400, code="unique")
    response = api.patch(f"/api/service-areas/{area_id}/", {"district": "姑苏区"}, format="json")
    assert response.status_code == 200 and response.json()["region"] == "江苏省 苏州市 姑苏区"
    assert api.delete(f"/api/service-areas/{area_id}/").status_code == 204


def test_r37_service_areas_are_scoped_and_written_by_the_catalog_keepers(world, api_client):
    theirs = ServiceArea.objects.create(service_point=world.point_b, province="浙江省")
    ServiceArea.objects.create(service_point=world.point_a, province="江苏省")
    api = api_client(world.staff_a)
    assert [row["province"] for row in api.get("/api/service-areas/").json()["results"]] == ["江苏省"]
    assert_problem(api.get(f"/api/service-areas/{theirs.pk}/"), 404)
    payload = {"service_point": world.point_a.pk, "province": "安徽省"}
    assert_problem(api.post("/api/service-areas/", payload, format="json"), 403)


# --- dispatch sees every write at once (routing caches, R5, R38) ---------------------------------


@pytest.fixture
def dispatch_world(db):
    """A work order for a printer in Shanghai, and one engineer at a Shanghai point, not qualified."""
    line = f.ProductLineFactory(code="PRN", name="Printers")
    customer = f.CustomerFactory(province="上海市", city="上海市", district="徐汇区")
    order = f.WorkOrderFactory(
        customer=customer,
        product_model=f.ProductModelFactory(product_line=line),
        service_point=None,
        state=State.ACCEPTED,
    )
    point = f.ServicePointFactory(code="SP-XH", province="上海市", city="上海市", district="徐汇区")
    engineer = f.EngineerFactory(service_point=point, user__last_name="周", user__first_name="工")
    return type("DispatchWorld", (), {"line": line, "order": order, "point": point, "engineer": engineer})


def suggested(api, order) -> list[str]:
    body = api.get(f"/api/dispatch/{order.pk}/").json()
    return [row["employee_no"] for row in body["eligible_engineers"]]


def test_r38_a_qualification_given_over_the_api_is_seen_by_dispatch(
    dispatcher, supervisor, dispatch_world, api_client
):
    w, today = dispatch_world, timezone.localdate()
    dispatch = api_client(dispatcher)
    assert suggested(dispatch, w.order) == []  # read once: the engineers are in memory now
    payload = {
        "product_line": w.line.pk,
        "certified_on": f"{today - timedelta(days=10):%Y-%m-%d}",
        "expires_on": f"{today + timedelta(days=365):%Y-%m-%d}",
    }
    url = f"/api/engineers/{w.engineer.pk}/qualifications/"
    response = api_client(supervisor).post(url, payload, format="json")
    assert response.status_code == 201, response.content
    assert suggested(dispatch, w.order) == [w.engineer.employee_no]
    assert dispatch.get(f"/api/dispatch/{w.order.pk}/").json()["engineer"]["name"] == "周工"

    # withdrawn again, and the engineer is no longer offered
    response = api_client(supervisor).delete(f"{url}{response.json()['id']}/")
    assert response.status_code == 204
    assert suggested(dispatch, w.order) == []


def test_r5_deactivating_an_engineer_or_their_leave_takes_them_out_of_dispatch(
    dispatcher, supervisor, dispatch_world, api_client
):
    w, today = dispatch_world, timezone.localdate()
    f.QualificationFactory(
        engineer=w.engineer,
        product_line=w.line,
        certified_on=today - timedelta(days=10),
        expires_on=today + timedelta(days=365),
    )
    dispatch = api_client(dispatcher)
    assert suggested(dispatch, w.order) == [w.engineer.employee_no]
    day = f"{today:%Y-%m-%d}"
    response = leave(dispatch, w.engineer, day, day)
    assert response.status_code == 201, response.content
    assert suggested(dispatch, w.order) == []
    assert dispatch.delete(f"/api/engineer-leave/{response.json()['id']}/").status_code == 204
    assert suggested(dispatch, w.order) == [w.engineer.employee_no]
    response = api_client(supervisor).patch(
        f"/api/engineers/{w.engineer.pk}/", {"is_active": False}, format="json"
    )
    assert response.status_code == 200
    assert suggested(dispatch, w.order) == []


def test_r5_a_point_no_longer_serving_the_line_is_not_suggested(
    dispatcher, supervisor, dispatch_world, api_client
):
    w = dispatch_world
    dispatch = api_client(dispatcher)
    assert dispatch.get(f"/api/dispatch/{w.order.pk}/").json()["point"]["id"] == w.point.pk
    copiers = f.ProductLineFactory(code="CPY")
    response = api_client(supervisor).patch(
        f"/api/service-points/{w.point.pk}/", {"product_lines": [copiers.pk]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert dispatch.get(f"/api/dispatch/{w.order.pk}/").json()["point"] is None


def test_the_schema_describes_leave_and_areas(agent, api_client):
    paths = api_client(agent).get("/api/schema/", {"format": "json"}).json()["paths"]
    listed = paths["/api/engineer-leave/"]["get"]
    assert {"200", "400", "401", "403"} <= set(listed["responses"])
    assert {"on", "date_from", "date_until", "engineer", "dealer", "q"} <= {
        p["name"] for p in listed["parameters"]
    }
    assert {"400", "403"} <= set(paths["/api/engineer-leave/"]["post"]["responses"])
    assert "409" not in paths["/api/engineer-leave/{id}/"]["delete"]["responses"]
    assert {"400", "403", "404"} <= set(paths["/api/service-areas/{id}/"]["put"]["responses"])


@pytest.mark.parametrize(
    "path", ["/api/engineers/", "/api/service-points/", "/api/engineer-leave/", "/api/service-areas/"]
)
def test_org_list_queries_do_not_grow_with_rows(dispatcher, api_client, path):
    api = api_client(dispatcher)

    def make(count: int) -> None:
        for index in range(count):
            point = f.ServicePointFactory()
            point.product_lines.set([f.ProductLineFactory(), f.ProductLineFactory()])
            ServiceArea.objects.create(service_point=point, province="江苏省", city=f"城{index}")
            engineer = f.EngineerFactory(service_point=point)
            f.QualificationFactory(engineer=engineer)
            f.QualificationFactory(engineer=engineer)
            EngineerLeave.objects.create(engineer=engineer, start=date(2030, 5, 1), end=date(2030, 5, 2))

    make(2)
    with CaptureQueriesContext(connection) as few:
        assert api.get(path).json()["count"] == 2
    make(6)
    with CaptureQueriesContext(connection) as many:
        assert api.get(path).json()["count"] == 8
    assert len(many) == len(few)
