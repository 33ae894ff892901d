"""The service-level configuration through the API (R34, issue 13): working calendars with their
hours, dated exceptions and the SLA policies with their milestones. Read by staff (scoped, R37),
written by HQ admins only, every change in the history (R41), and the SLA arithmetic counting on
what was saved from the next due time it computes.

The test database holds the company standard calendar 公司标准日历 (Monday-Friday 09:00-12:00,
13:00-18:00, Chinese public holidays) and the policies 标准服务时效 (default: first response 24
business hours) and 加急服务时效 (urgent) of the data migrations. Monday 8 June 2026 is an ordinary
working week.
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.accounts.choices import Role
from aftersales.core.models import ChangeRecord
from aftersales.sla.models import CalendarException, SlaClock, SlaPolicy, WorkingCalendar
from aftersales.workorders.choices import WorkOrderType
from tests import factories as f
from tests.sla.helpers import create
from tests.timeutil import at

from .helpers import assert_problem

pytestmark = pytest.mark.django_db

WEEKDAYS = [(day, start, end) for day in range(5) for start, end in (("09:00", "12:00"), ("13:00", "18:00"))]
MONDAY_10 = at(2026, 6, 8, 10)


def hours(periods=WEEKDAYS):
    return [{"weekday": day, "start": start, "end": end} for day, start, end in periods]


def history(obj, field):
    rows = ChangeRecord.objects.filter(
        content_type__model=obj._meta.model_name, object_id=obj.pk, field=field
    )
    return [(row.old_value, row.new_value, row.actor.username) for row in rows]


@pytest.fixture
def hq(make_user):
    return make_user(Role.HQ_ADMIN, username="hq")


@pytest.fixture
def default_calendar():
    return WorkingCalendar.objects.get(is_default=True)


@pytest.fixture
def default_policy():
    return SlaPolicy.objects.get(is_default=True)


def first_response_due(agent, point, moment=MONDAY_10):
    """A work order taken at `moment` at `point`: its first-response clock."""
    work_order = create(SimpleNamespace(agent=agent, point=point), moment)
    return SlaClock.objects.get(work_order=work_order, kind="first_response")


# --- working calendars ---------------------------------------------------------------------------


def test_r34_hq_admin_gives_a_service_point_its_own_calendar(hq, api_client):
    point = f.ServicePointFactory()
    response = api_client(hq).post(
        "/api/working-calendars/",
        {
            "name": "上海网点日历",
            "service_point": point.pk,
            "use_public_holidays": True,
            "hours": hours([(5, "09:00", "12:00"), (0, "13:00", "00:00"), (0, "08:00", "12:00")]),
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["service_point"] == point.pk and body["service_point_name"] == point.name
    assert body["is_default"] is False
    assert [(row["weekday"], row["start"], row["end"]) for row in body["hours"]] == [
        (0, "08:00:00", "12:00:00"),
        (0, "13:00:00", "00:00:00"),  # midnight at the end of the day
        (5, "09:00:00", "12:00:00"),
    ]
    assert WorkingCalendar.objects.get(pk=body["id"]).service_point == point


@pytest.mark.parametrize(
    ("periods", "field", "code"),
    [
        ([(0, "09:00", "12:00"), (0, "14:00", "13:00")], "hours[1].end", "period_reversed"),
        (
            [(0, "09:00", "12:00"), (1, "09:00", "12:00"), (0, "11:00", "13:00")],
            "hours[2].start",
            "period_overlap",
        ),
        ([(0, "13:00", "00:00"), (0, "23:00", "23:30")], "hours[1].start", "period_overlap"),
        ([], "hours", "hours_required"),
        ([(7, "09:00", "12:00")], "hours[0].weekday", "invalid_choice"),
        ([(0, "9 am", "12:00")], "hours[0].start", "invalid"),
    ],
)
def test_r34_bad_working_hours_are_400_naming_the_period(hq, api_client, periods, field, code):
    response = api_client(hq).post(
        "/api/working-calendars/", {"name": "错误日历", "hours": hours(periods)}, format="json"
    )
    assert_problem(response, 400, field=field, code=code)
    assert not WorkingCalendar.objects.filter(name="错误日历").exists()


def test_r34_one_calendar_per_service_point_and_the_default_belongs_to_none(hq, api_client):
    point = f.ServicePointFactory()
    client = api_client(hq)
    first = client.post(
        "/api/working-calendars/", {"name": "A", "service_point": point.pk, "hours": hours()}, format="json"
    )
    assert first.status_code == 201, first.content

    again = client.post(
        "/api/working-calendars/", {"name": "B", "service_point": point.pk, "hours": hours()}, format="json"
    )
    assert_problem(again, 400, field="service_point", code="unique")
    default_here = client.post(
        "/api/working-calendars/",
        {"name": "C", "service_point": f.ServicePointFactory().pk, "is_default": True, "hours": hours()},
        format="json",
    )
    assert_problem(default_here, 400, field="service_point")
    assert WorkingCalendar.objects.filter(is_default=True).count() == 1


def test_r34_a_new_default_takes_the_flag_and_the_default_stays_it_until_then(
    hq, api_client, default_calendar
):
    client = api_client(hq)
    response = client.post(
        "/api/working-calendars/", {"name": "新标准日历", "is_default": True, "hours": hours()}, format="json"
    )
    assert response.status_code == 201, response.content

    new = WorkingCalendar.objects.get(pk=response.json()["id"])
    default_calendar.refresh_from_db()
    assert new.is_default and not default_calendar.is_default
    assert history(default_calendar, "is_default") == [("True", "False", "hq")]
    refused = client.patch(f"/api/working-calendars/{new.pk}/", {"is_default": False}, format="json")
    assert_problem(refused, 400, field="is_default", code="default_required")
    assert_problem(client.delete(f"/api/working-calendars/{new.pk}/"), 409, code="protected")
    assert client.delete(f"/api/working-calendars/{default_calendar.pk}/").status_code == 204


def test_r41_calendar_edits_are_in_the_history(hq, api_client, default_calendar):
    response = api_client(hq).patch(
        f"/api/working-calendars/{default_calendar.pk}/",
        {"name": "总部日历", "hours": hours([(day, "08:30", "17:30") for day in range(5)])},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert [row["start"] for row in response.json()["hours"]] == ["08:30:00"] * 5
    assert history(default_calendar, "name") == [("公司标准日历", "总部日历", "hq")]
    [(old, new, actor)] = history(default_calendar, "hours")
    assert old.startswith("Monday 09:00-12:00, 13:00-18:00; Tuesday")
    assert new.startswith("Monday 08:30-17:30; Tuesday 08:30-17:30") and actor == "hq"


def test_r34_patch_without_hours_keeps_them(hq, api_client, default_calendar):
    response = api_client(hq).patch(
        f"/api/working-calendars/{default_calendar.pk}/", {"use_public_holidays": False}, format="json"
    )
    assert response.status_code == 200, response.content
    assert len(response.json()["hours"]) == 10
    assert not history(default_calendar, "hours")


def test_r34_r37_staff_read_the_default_and_their_own_points_calendars(api_client, world, agent):
    own = WorkingCalendar.objects.create(name="A 网点", service_point=world.point_a)
    other = WorkingCalendar.objects.create(name="B 网点", service_point=world.point_b)

    names = [
        row["name"] for row in api_client(world.staff_a).get("/api/working-calendars/").json()["results"]
    ]
    assert names == ["公司标准日历", "A 网点"]
    assert api_client(world.staff_a).get(f"/api/working-calendars/{other.pk}/").status_code == 404
    assert api_client(world.engineer_a.user).get(f"/api/working-calendars/{own.pk}/").status_code == 200
    everything = api_client(agent).get("/api/working-calendars/", {"has_service_point": True}).json()
    assert {row["name"] for row in everything["results"]} == {"A 网点", "B 网点"}


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.AGENT, Role.DISPATCHER, Role.DEALER_STAFF])
def test_r34_only_hq_admins_change_calendars_and_policies(make_user, api_client, role, default_calendar):
    client = api_client(make_user(role))
    attempts = [
        client.post("/api/working-calendars/", {"name": "X", "hours": hours()}, format="json"),
        client.patch(f"/api/working-calendars/{default_calendar.pk}/", {"name": "X"}, format="json"),
        client.post(
            "/api/calendar-exceptions/",
            {"calendar": default_calendar.pk, "date": "2026-06-09", "kind": "holiday"},
            format="json",
        ),
        client.post("/api/sla-policies/", {"name": "X", "milestones": []}, format="json"),
        client.delete(f"/api/sla-policies/{SlaPolicy.objects.get(is_default=False).pk}/"),
    ]
    for response in attempts:
        assert_problem(response, 403, code="permission_denied")
    assert default_calendar.name == WorkingCalendar.objects.get(pk=default_calendar.pk).name
    assert not CalendarException.objects.exists() and SlaPolicy.objects.count() == 2


# --- exceptions ---------------------------------------------------------------------------------


def test_r34_an_exception_added_through_the_api_moves_the_next_due_time(
    hq, agent, api_client, default_calendar
):
    point = f.ServicePointFactory()
    # Monday 10:00 + 24 business hours: 7 h Monday, 8 h Tuesday, 8 h Wednesday, 1 h Thursday.
    assert first_response_due(agent, point).due_at == at(2026, 6, 11, 10)

    response = api_client(hq).post(
        "/api/calendar-exceptions/",
        {"calendar": default_calendar.pk, "date": "2026-06-09", "kind": "holiday", "note": "公司活动"},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["kind_display"] == "Extra holiday"
    later = first_response_due(agent, point)
    assert later.due_at == at(2026, 6, 12, 10)  # Tuesday is off now: one working day later
    earlier = SlaClock.objects.exclude(pk=later.pk).get()
    assert earlier.due_at == at(2026, 6, 11, 10)  # due times already computed stay
    exception_id = response.json()["id"]
    assert api_client(hq).delete(f"/api/calendar-exceptions/{exception_id}/").status_code == 204
    assert first_response_due(agent, point).due_at == at(2026, 6, 11, 10)


def test_r34_exceptions_one_a_day_edited_with_history_and_filtered(hq, api_client, default_calendar):
    client = api_client(hq)
    created = client.post(
        "/api/calendar-exceptions/",
        {"calendar": default_calendar.pk, "date": "2026-06-13", "kind": "workday"},
        format="json",
    )
    assert created.status_code == 201, created.content
    again = client.post(
        "/api/calendar-exceptions/",
        {"calendar": default_calendar.pk, "date": "2026-06-13", "kind": "holiday"},
        format="json",
    )
    assert_problem(again, 400, field="date", code="unique")

    exception = CalendarException.objects.get()
    changed = client.patch(f"/api/calendar-exceptions/{exception.pk}/", {"kind": "holiday"}, format="json")
    assert changed.status_code == 200, changed.content
    assert history(exception, "kind") == [("Extra working day", "Extra holiday", "hq")]
    assert client.get("/api/calendar-exceptions/", {"year": 2026, "kind": "holiday"}).json()["count"] == 1
    assert client.get("/api/calendar-exceptions/", {"date_from": "2026-06-14"}).json()["count"] == 0


def test_r37_exceptions_of_calendars_out_of_scope_are_hidden(api_client, world):
    other = WorkingCalendar.objects.create(name="B 网点", service_point=world.point_b)
    exception = CalendarException.objects.create(calendar=other, date="2026-06-09", kind="holiday")

    assert api_client(world.staff_a).get("/api/calendar-exceptions/").json()["count"] == 0
    assert api_client(world.staff_a).get(f"/api/calendar-exceptions/{exception.pk}/").status_code == 404
    assert api_client(world.staff_b).get("/api/calendar-exceptions/").json()["count"] == 1


# --- SLA policies --------------------------------------------------------------------------------

MILESTONES = [
    {"kind": "first_response", "target_hours": "4", "start_on": "created", "stop_on": ["accept", "resolve"]},
    {
        "kind": "repair",
        "target_hours": "16",
        "business_time": False,
        "start_on": "start",
        "stop_on": ["complete"],
    },
]


def test_r34_hq_admin_creates_a_policy_with_milestones(hq, api_client):
    line = f.ProductLineFactory()
    response = api_client(hq).post(
        "/api/sla-policies/",
        {
            "name": "复印机 VIP",
            "precedence": 10,
            "match_priority": "high",
            "match_product_line": line.pk,
            "milestones": list(reversed(MILESTONES)),
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["specificity"] == 2 and body["is_active"] is True and body["is_default"] is False
    assert [(row["kind"], row["target_hours"], row["business_time"]) for row in body["milestones"]] == [
        ("first_response", "4.00", True),
        ("repair", "16.00", False),
    ]
    listed = api_client(hq).get("/api/sla-policies/", {"match_product_line": line.pk}).json()
    assert [row["name"] for row in listed["results"]] == ["复印机 VIP"]


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({1: {"kind": "first_response"}}, "milestones[1].kind", "unique"),
        ({0: {"stop_on": ["accept", "created"]}}, "milestones[0].stop_on[1]", "invalid_choice"),
        ({0: {"start_on": "accept"}}, "milestones[0].stop_on", "stop_on_start"),
        ({1: {"target_hours": "0"}}, "milestones[1].target_hours", "min_value"),
        ({1: {"stop_on": []}}, "milestones[1].stop_on", "empty"),
        ({0: {"start_on": "fly"}}, "milestones[0].start_on", "invalid_choice"),
    ],
)
def test_r34_bad_milestones_are_400_naming_the_row(hq, api_client, change, field, code):
    milestones = [{**row, **change.get(index, {})} for index, row in enumerate(MILESTONES)]
    response = api_client(hq).post(
        "/api/sla-policies/", {"name": "坏", "milestones": milestones}, format="json"
    )
    assert_problem(response, 400, field=field, code=code)
    assert not SlaPolicy.objects.filter(name="坏").exists()


def test_r34_a_policy_change_applies_to_clocks_started_after_it_not_to_running_ones(
    hq, agent, api_client, default_policy
):
    point = f.ServicePointFactory()
    running = first_response_due(agent, point)
    assert running.due_at == at(2026, 6, 11, 10)
    milestones = [
        {
            "kind": row.kind,
            "target_hours": str(row.target_hours),
            "start_on": row.start_on,
            "stop_on": row.stop_on,
        }
        for row in default_policy.milestones.all()
    ]
    for row in milestones:
        if row["kind"] == "first_response":
            row["target_hours"] = "8"

    response = api_client(hq).patch(
        f"/api/sla-policies/{default_policy.pk}/", {"milestones": milestones}, format="json"
    )

    assert response.status_code == 200, response.content
    running.refresh_from_db()
    assert running.due_at == at(2026, 6, 11, 10) and running.target == timedelta(hours=24)
    later = first_response_due(agent, point)
    assert later.target == timedelta(hours=8) and later.due_at == at(2026, 6, 9, 10)
    [(old, new, actor)] = history(default_policy, "milestones")
    assert old.startswith("First response 24.00 h: created → accept, resolve")
    assert new.startswith("First response 8.00 h: created → accept, resolve") and actor == "hq"


def test_r34_one_default_policy_active_and_kept(hq, api_client, default_policy):
    client = api_client(hq)
    assert_problem(
        client.patch(f"/api/sla-policies/{default_policy.pk}/", {"is_active": False}, format="json"),
        400,
        field="is_active",
        code="default_inactive",
    )
    assert_problem(
        client.patch(f"/api/sla-policies/{default_policy.pk}/", {"is_default": False}, format="json"),
        400,
        field="is_default",
        code="default_required",
    )
    assert_problem(client.delete(f"/api/sla-policies/{default_policy.pk}/"), 409, code="protected")

    response = client.post(
        "/api/sla-policies/", {"name": "新默认", "is_default": True, "milestones": MILESTONES}, format="json"
    )
    assert response.status_code == 201, response.content
    default_policy.refresh_from_db()
    assert not default_policy.is_default
    assert SlaPolicy.objects.get(is_default=True).name == "新默认"
    assert history(default_policy, "is_default") == [("True", "False", "hq")]


def test_r34_a_policy_clocks_follow_is_deactivated_not_deleted(hq, agent, api_client):
    urgent = SlaPolicy.objects.get(match_priority="urgent")
    unused = SlaPolicy.objects.create(name="未使用", match_type=WorkOrderType.INSTALLATION)
    SlaClock.objects.create(
        work_order=f.WorkOrderFactory(),
        policy=urgent,
        kind="first_response",
        target=timedelta(hours=12),
        started_at=MONDAY_10,
        due_at=MONDAY_10 + timedelta(days=1),
    )
    client = api_client(hq)

    assert_problem(client.delete(f"/api/sla-policies/{urgent.pk}/"), 409, code="protected")
    assert (
        client.patch(f"/api/sla-policies/{urgent.pk}/", {"is_active": False}, format="json").status_code
        == 200
    )
    assert client.delete(f"/api/sla-policies/{unused.pk}/").status_code == 204
    assert (
        client.get("/api/sla-policies/", {"is_active": False}).json()["results"][0]["name"] == "加急服务时效"
    )


def test_r37_a_customers_own_agreement_is_read_only_by_who_sees_the_customer(api_client, world, agent):
    customer_b = f.CustomerFactory(dealer=world.dealer_b)
    SlaPolicy.objects.create(name="B 客户协议", match_customer=customer_b)

    names = {row["name"] for row in api_client(world.staff_a).get("/api/sla-policies/").json()["results"]}
    assert names == {"标准服务时效", "加急服务时效"}
    names = {row["name"] for row in api_client(agent).get("/api/sla-policies/").json()["results"]}
    assert "B 客户协议" in names


def test_r34_config_endpoints_are_in_the_schema_with_their_problems(api_client, agent):
    paths = api_client(agent).get("/api/schema/", {"format": "json"}).json()["paths"]
    for resource in ("working-calendars", "calendar-exceptions", "sla-policies"):
        assert set(paths[f"/api/{resource}/"]) == {"get", "post"}
        assert {"400", "401", "403"} <= set(paths[f"/api/{resource}/"]["post"]["responses"])
        detail = paths[f"/api/{resource}/{{id}}/"]
        assert set(detail) == {"get", "put", "patch", "delete"}
        assert "409" in detail["delete"]["responses"] and "400" in detail["patch"]["responses"]
        assert "HQ admins only" in detail["patch"]["description"]
    assert "running clock keeps the target" in paths["/api/sla-policies/{id}/"]["put"]["description"]


def test_r34_calendar_and_policy_lists_read_a_fixed_number_of_queries(api_client, agent):
    client = api_client(agent)

    def counted(path):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    few = counted("/api/working-calendars/"), counted("/api/sla-policies/")
    for index in range(5):
        calendar = WorkingCalendar.objects.create(name=f"网点 {index}", service_point=f.ServicePointFactory())
        calendar.hours.create(weekday=0, start="09:00", end="12:00")
        policy = SlaPolicy.objects.create(name=f"策略 {index}", match_province=f"省 {index}")
        policy.milestones.create(kind="repair", target_hours=4, start_on="start", stop_on=["complete"])

    assert (counted("/api/working-calendars/"), counted("/api/sla-policies/")) == few
