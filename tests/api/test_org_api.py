"""The organisation over the API (R37, R38): dealers, service points, engineers and their
qualifications, read by every staff user within their scope, written by HQ admins and supervisors
through the services (validated, in the history, seen at once by dispatch)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from aftersales.accounts.choices import Role
from aftersales.accounts.models import Dealer, Engineer, Qualification, ServicePoint
from aftersales.core.models import ChangeRecord
from aftersales.workorders.choices import State
from tests import factories as f

from .helpers import assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def hq_admin(make_user):
    return make_user(Role.HQ_ADMIN, username="hq")


def history(instance) -> list[tuple[str, str, str]]:
    rows = ChangeRecord.objects.filter(
        content_type__model=type(instance)._meta.model_name, object_id=instance.pk
    ).order_by("id")
    return [(row.field, row.old_value, row.new_value) for row in rows]


# --- dealers -------------------------------------------------------------------------------------


def test_r37_hq_admin_keeps_dealers_with_their_history(hq_admin, api_client):
    api = api_client(hq_admin)
    response = api.post(
        "/api/dealers/",
        {"code": "D-HZ", "name": "杭州经销商", "contact_name": "陈", "phone": "0571-8765 4321"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["phone"] == "057187654321" and body["is_active"] is True
    dealer = Dealer.objects.get(pk=body["id"])
    assert dealer.phone == "+8657187654321"  # kept in E.164, as the lists search it

    response = api.patch(f"/api/dealers/{dealer.pk}/", {"name": "杭州服务商"}, format="json")
    assert response.status_code == 200 and response.json()["name"] == "杭州服务商"
    assert ("code", "", "D-HZ") in history(dealer)
    assert history(dealer)[-1] == ("name", "杭州经销商", "杭州服务商")
    assert set(ChangeRecord.objects.filter(object_id=dealer.pk).values_list("actor", flat=True)) == {
        hq_admin.pk
    }
    assert api.get("/api/dealers/", {"q": "服务商"}).json()["count"] == 1


@pytest.mark.parametrize(
    "role", [Role.AGENT, Role.DISPATCHER, Role.FINANCE, Role.DEALER_STAFF, Role.ENGINEER]
)
def test_r37_only_hq_admins_and_supervisors_write_the_organisation(make_user, api_client, world, role):
    user = make_user(role, username=f"u-{role}", dealer=world.dealer_a if role == Role.DEALER_STAFF else None)
    api = api_client(user)
    assert_problem(api.post("/api/dealers/", {"code": "X", "name": "X"}, format="json"), 403)
    assert_problem(api.patch(f"/api/dealers/{world.dealer_a.pk}/", {"name": "X"}, format="json"), 403)
    assert_problem(api.patch(f"/api/service-points/{world.point_a.pk}/", {"name": "X"}, format="json"), 403)
    assert_problem(api.delete(f"/api/engineers/{world.engineer_a.pk}/"), 403)
    line = f.ProductLineFactory()
    payload = {"product_line": line.pk, "certified_on": "2025-01-01", "expires_on": "2030-01-01"}
    qualifications = f"/api/engineers/{world.engineer_a.pk}/qualifications/"
    assert_problem(api.post(qualifications, payload, format="json"), 403)
    assert not Qualification.objects.exists()
    assert Dealer.objects.get(pk=world.dealer_a.pk).name != "X"


def test_r37_dealer_staff_see_their_dealer_its_points_and_engineers(world, api_client):
    api = api_client(world.staff_a)
    assert [row["code"] for row in api.get("/api/dealers/").json()["results"]] == ["DA"]
    assert [row["id"] for row in api.get("/api/service-points/").json()["results"]] == [world.point_a.pk]
    engineers = api.get("/api/engineers/").json()["results"]
    assert [row["id"] for row in engineers] == [world.engineer_a.pk]
    assert_problem(api.get(f"/api/dealers/{world.dealer_b.pk}/"), 404)
    assert_problem(api.get(f"/api/service-points/{world.point_b.pk}/"), 404)
    assert_problem(api.get(f"/api/engineers/{world.engineer_b.pk}/"), 404)
    assert_problem(api.get(f"/api/engineers/{world.engineer_b.pk}/qualifications/"), 404)
    # the filters find nothing of the other dealer either
    assert api.get("/api/engineers/", {"dealer": world.dealer_b.pk}).json()["count"] == 0


def test_r37_an_engineer_sees_their_point_and_its_engineers(world, api_client):
    colleague = f.EngineerFactory(service_point=world.point_a)
    api = api_client(world.engineer_a.user)
    ids = {row["id"] for row in api.get("/api/engineers/").json()["results"]}
    assert ids == {world.engineer_a.pk, colleague.pk}
    assert [row["id"] for row in api.get("/api/service-points/").json()["results"]] == [world.point_a.pk]
    assert [row["id"] for row in api.get("/api/dealers/").json()["results"]] == [world.dealer_a.pk]
    assert_problem(api.get(f"/api/engineers/{world.engineer_b.pk}/"), 404)


def test_a_dealer_still_referenced_is_deactivated_not_deleted(hq_admin, world, api_client):
    api = api_client(hq_admin)
    body = assert_problem(api.delete(f"/api/dealers/{world.dealer_a.pk}/"), 409, code="protected")
    assert "deactivate" in body["title"]
    assert Dealer.objects.filter(pk=world.dealer_a.pk).exists()
    response = api.patch(f"/api/dealers/{world.dealer_a.pk}/", {"is_active": False}, format="json")
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert api.get("/api/dealers/", {"is_active": "false"}).json()["count"] == 1

    unused = f.DealerFactory(code="D-NEW", name="新经销商")
    assert api.delete(f"/api/dealers/{unused.pk}/").status_code == 204
    assert not Dealer.objects.filter(pk=unused.pk).exists()
    assert ("name", "新经销商", "") in history(unused)  # who removed what stays in the history


# --- service points ------------------------------------------------------------------------------


def test_r5_supervisor_adds_a_service_point_with_its_product_lines(supervisor, world, api_client):
    printers, copiers = f.ProductLineFactory(name="打印机"), f.ProductLineFactory(name="复印机")
    api = api_client(supervisor)
    payload = {
        "code": "SP-HZ",
        "name": "杭州西湖网点",
        "dealer": world.dealer_a.pk,
        "province": "浙江省",
        "city": "杭州市",
        "district": "西湖区",
        "latitude": "30.259244",
        "longitude": "120.130180",
        "phone": "13812345678",
        "product_lines": [printers.pk, copiers.pk],
    }
    response = api.post("/api/service-points/", payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["region"] == "浙江省 杭州市 西湖区" and body["dealer_name"] == world.dealer_a.name
    assert sorted(body["product_line_names"]) == ["复印机", "打印机"]
    point = ServicePoint.objects.get(pk=body["id"])

    response = api.patch(f"/api/service-points/{point.pk}/", {"product_lines": [printers.pk]}, format="json")
    assert response.json()["product_line_names"] == ["打印机"]
    assert history(point)[-1][0] == "product_lines" and history(point)[-1][2] == "打印机"

    # points serving every line (none named) serve copiers too
    serving = api.get("/api/service-points/", {"product_line": copiers.pk}).json()["results"]
    assert point.pk not in {row["id"] for row in serving}
    assert world.point_a.pk in {row["id"] for row in serving}
    hq_points = api.get("/api/service-points/", {"hq": "true"}).json()
    assert hq_points["count"] == 0


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"latitude": "95.000000", "longitude": "121.0"}, "latitude", "coordinates"),
        ({"latitude": "31.2"}, "longitude", "coordinates"),
        ({"longitude": "-181", "latitude": "31.2"}, "longitude", "coordinates"),
        ({"province": "火星"}, "province", "invalid"),
        ({"city": "杭州市"}, "city", "invalid"),
        ({"district": "西湖区"}, "district", "invalid"),
        ({"dealer": "INACTIVE"}, "dealer", "deactivated"),
        ({"dealer": 999999}, "dealer", "does_not_exist"),
        ({"phone": "12345"}, "phone", "invalid_phone"),
        ({"code": "TAKEN"}, "code", "unique"),
        ({"colour": "red"}, "colour", "unknown_field"),
    ],
)
def test_bad_service_point_input_is_400_naming_the_field(supervisor, api_client, change, field, code):
    f.ServicePointFactory(code="TAKEN")
    if change.get("dealer") == "INACTIVE":
        change = {**change, "dealer": f.DealerFactory(is_active=False).pk}
    payload = {"code": "SP-NEW", "name": "新网点", "province": "上海市", "city": "上海市", **change}
    response = api_client(supervisor).post("/api/service-points/", payload, format="json")
    assert_problem(response, 400, field=field, code=code)
    assert not ServicePoint.objects.filter(code="SP-NEW").exists()


def test_a_point_keeps_its_deactivated_dealer_on_other_edits(supervisor, world, api_client):
    Dealer.objects.filter(pk=world.dealer_a.pk).update(is_active=False)
    response = api_client(supervisor).patch(
        f"/api/service-points/{world.point_a.pk}/", {"name": "改名网点"}, format="json"
    )
    assert response.status_code == 200, response.content


# --- engineers and qualifications (R38) ----------------------------------------------------------


def test_r38_hq_admin_makes_an_engineer_of_an_engineer_account(hq_admin, world, api_client):
    account = f.UserFactory(role=Role.ENGINEER, username="new_eng", last_name="赵", first_name="六")
    api = api_client(hq_admin)
    payload = {"user": account.pk, "service_point": world.point_a.pk, "employee_no": "E-900"}
    response = api.post("/api/engineers/", payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "赵六" and body["dealer"] == world.dealer_a.pk and body["qualifications"] == []
    # PUT with what was read back (the same account) is fine; another account is not
    engineer_id = body["id"]
    response = api.put(
        f"/api/engineers/{engineer_id}/", {**payload, "service_point": world.point_b.pk}, format="json"
    )
    assert response.status_code == 200 and response.json()["dealer"] == world.dealer_b.pk
    other = f.UserFactory(role=Role.ENGINEER)
    assert_problem(
        api.patch(f"/api/engineers/{engineer_id}/", {"user": other.pk}, format="json"), 400, field="user"
    )
    assert history(Engineer.objects.get(pk=engineer_id))[-1][0] == "service_point"


@pytest.mark.parametrize(
    ("case", "field", "code"),
    [
        ("agent account", "user", "not_engineer_role"),
        ("already an engineer", "user", "already_engineer"),
        ("inactive account", "user", "inactive"),
        ("inactive point", "service_point", "deactivated"),
        ("taken number", "employee_no", "unique"),
    ],
)
def test_bad_engineer_input_is_400_naming_the_field(hq_admin, world, api_client, case, field, code):
    account = f.UserFactory(role=Role.ENGINEER, username="candidate")
    point = world.point_a
    employee_no = "E-901"
    if case == "agent account":
        account = f.UserFactory(role=Role.AGENT, username="an_agent")
    elif case == "already an engineer":
        account = world.engineer_b.user
    elif case == "inactive account":
        account.is_active = False
        account.save()
    elif case == "inactive point":
        point = f.ServicePointFactory(is_active=False)
    else:
        employee_no = world.engineer_b.employee_no
    payload = {"user": account.pk, "service_point": point.pk, "employee_no": employee_no}
    response = api_client(hq_admin).post("/api/engineers/", payload, format="json")
    assert_problem(response, 400, field=field, code=code)
    assert Engineer.objects.count() == 2


def test_an_engineer_with_work_is_deactivated_not_deleted(hq_admin, world, api_client):
    api = api_client(hq_admin)
    f.WorkOrderFactory(service_point=world.point_a, engineer=world.engineer_a, state=State.ASSIGNED)
    assert_problem(api.delete(f"/api/engineers/{world.engineer_a.pk}/"), 409, code="protected")
    idle = f.EngineerFactory(service_point=world.point_a)
    f.QualificationFactory(engineer=idle)
    assert api.delete(f"/api/engineers/{idle.pk}/").status_code == 204
    assert not Engineer.objects.filter(pk=idle.pk).exists()


def test_r38_an_engineer_holding_open_work_is_not_deactivated_until_it_is_reassigned(
    hq_admin, world, api_client
):
    api = api_client(hq_admin)
    held = [
        f.WorkOrderFactory(service_point=world.point_a, engineer=world.engineer_a, state=state)
        for state in (State.ASSIGNED, State.IN_SERVICE)
    ]
    f.WorkOrderFactory(service_point=world.point_a, engineer=world.engineer_a, state=State.CLOSED)

    refused = api.patch(f"/api/engineers/{world.engineer_a.pk}/", {"is_active": False}, format="json")

    detail = assert_problem(refused, 409, field="is_active", code="open_work")["errors"][0]["message"]
    assert "2 open work orders" in detail and all(order.number in detail for order in held)
    world.engineer_a.refresh_from_db()
    assert world.engineer_a.is_active and history(world.engineer_a) == []
    # other edits of the engineer are not held up by the work
    renamed = api.patch(f"/api/engineers/{world.engineer_a.pk}/", {"employee_no": "E-77"}, format="json")
    assert renamed.status_code == 200
    # the user account still can be deactivated at once: access never waits for the work
    assert api.post(f"/api/users/{world.engineer_a.user.pk}/deactivate/").status_code == 200

    type(held[0]).objects.filter(pk__in=[order.pk for order in held]).update(state=State.CLOSED)
    done = api.patch(f"/api/engineers/{world.engineer_a.pk}/", {"is_active": False}, format="json")
    assert done.status_code == 200 and done.json()["is_active"] is False


def test_r38_qualifications_are_kept_under_the_engineer_with_their_history(supervisor, world, api_client):
    line, other_line = f.ProductLineFactory(name="打印机"), f.ProductLineFactory(name="复印机")
    today = timezone.localdate()
    api = api_client(supervisor)
    url = f"/api/engineers/{world.engineer_a.pk}/qualifications/"
    payload = {
        "product_line": line.pk,
        "certified_on": f"{today - timedelta(days=30):%Y-%m-%d}",
        "expires_on": f"{today + timedelta(days=335):%Y-%m-%d}",
    }
    response = api.post(url, payload, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["product_line_name"] == "打印机" and created["is_valid"] is True
    assert created["engineer"] == world.engineer_a.pk

    # one per line; dates in order
    assert_problem(api.post(url, payload, format="json"), 400, field="product_line", code="unique")
    backwards = {**payload, "product_line": other_line.pk, "expires_on": "2000-01-01"}
    assert_problem(api.post(url, backwards, format="json"), 400, field="expires_on", code="date_order")
    assert_problem(
        api.post(url, {**payload, "product_line": 99999}, format="json"), 400, field="product_line"
    )

    # read nested in the engineer and on its own
    engineer = api.get(f"/api/engineers/{world.engineer_a.pk}/").json()
    assert [q["id"] for q in engineer["qualifications"]] == [created["id"]]
    assert [q["id"] for q in api.get(url).json()] == [created["id"]]

    # renewed, then withdrawn: each step in the history
    one = f"{url}{created['id']}/"
    response = api.patch(one, {"expires_on": "2099-12-31"}, format="json")
    assert response.status_code == 200 and response.json()["expires_on"] == "2099-12-31"
    qualification = Qualification.objects.get(pk=created["id"])
    assert api.delete(one).status_code == 204
    assert not Qualification.objects.filter(pk=created["id"]).exists()
    rows = history(qualification)
    assert ("product_line", "", "打印机") in rows  # created
    assert ("expires_on", payload["expires_on"], "2099-12-31") in rows  # renewed
    assert rows[-1][2] == "" and {row[0] for row in rows[-4:]} == {
        "engineer",
        "product_line",
        "certified_on",
        "expires_on",
    }  # withdrawn

    # another engineer's qualification is not found under this one
    theirs = f.QualificationFactory(engineer=world.engineer_b)
    assert_problem(api.get(f"{url}{theirs.pk}/"), 404)


def test_r38_engineers_filtered_by_the_line_they_are_qualified_for(agent, world, api_client):
    line = f.ProductLineFactory()
    f.QualificationFactory(
        engineer=world.engineer_a,
        product_line=line,
        certified_on=date(2025, 1, 1),
        expires_on=date(2025, 12, 31),
    )
    f.QualificationFactory(
        engineer=world.engineer_b,
        product_line=line,
        certified_on=date(2026, 1, 1),
        expires_on=date(2026, 12, 31),
    )
    api = api_client(agent)

    def found(**query):
        return {row["id"] for row in api.get("/api/engineers/", query).json()["results"]}

    assert found(product_line=line.pk) == {world.engineer_a.pk, world.engineer_b.pk}
    assert found(product_line=line.pk, qualified_on="2026-06-01") == {world.engineer_b.pk}
    assert found(qualified_on="2025-06-01") == {world.engineer_a.pk}
    assert found(q=world.engineer_b.employee_no) == {world.engineer_b.pk}
    assert found(service_point=world.point_a.pk) == {world.engineer_a.pk}


def test_org_lists_are_paginated_like_the_others(agent, api_client):
    for _ in range(3):
        f.DealerFactory()
    body = api_client(agent).get("/api/dealers/", {"page_size": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    cursor = api_client(agent).get("/api/dealers/", {"page_size": 2, "cursor": ""}).json()
    assert len(cursor["results"]) == 2 and cursor["count"] is None


def test_the_schema_describes_the_organisation_endpoints(agent, api_client):
    paths = api_client(agent).get("/api/schema/", {"format": "json"}).json()["paths"]
    for path in ("/api/dealers/{id}/", "/api/service-points/{id}/", "/api/engineers/{id}/"):
        assert {"400", "403", "404"} <= set(paths[path]["patch"]["responses"])
        assert "409" in paths[path]["delete"]["responses"]
    qualifications = paths["/api/engineers/{id}/qualifications/"]
    assert {"201", "400", "403", "404"} <= set(qualifications["post"]["responses"])
    assert "Idempotency-Key" in {p["name"] for p in qualifications["post"]["parameters"]}
    one = paths["/api/engineers/{id}/qualifications/{qualification_id}/"]
    assert {"get", "put", "patch", "delete"} <= set(one)
    listed = paths["/api/engineers/"]["get"]
    assert {"q", "dealer", "service_point", "product_line", "is_active", "page"} <= {
        p["name"] for p in listed["parameters"]
    }
