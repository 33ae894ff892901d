"""Configuration kept in the admin until issue 13, now also through the API: the return-visit
policy (R22, R23), the complaint response times (R26), the difficult-case criteria and escalation
levels (R27) and the repair vendors (R14). Read by every staff user; written by the roles that keep
them (HQ admins; supervisors too for the criteria, as on the settings page, and for vendors, like
the rest of the reference data); every change in the history (R41); the next computation follows
what was saved."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps

from aftersales.accounts.choices import Role
from aftersales.complaints.choices import ComplaintCategory, ComplaintSource, Severity
from aftersales.complaints.models import CaseCriteria, CaseLevel, ComplaintResponsePolicy, DifficultCase
from aftersales.complaints.services import complaint_register
from aftersales.core.models import ChangeRecord
from aftersales.feedback.models import ReturnVisitPolicy
from aftersales.feedback.services import return_visit_schedule
from aftersales.servicing.models import DepotRepair, ExternalRepair, Vendor
from aftersales.servicing.selectors import vendors_for
from tests import factories as f
from tests.servicing.factories import VendorFactory
from tests.timeutil import at, frozen

from .helpers import assert_problem

pytestmark = pytest.mark.django_db

FRIDAY_10 = at(2026, 6, 5, 10)  # an ordinary week follows (no holiday until 19 June)


@pytest.fixture
def hq(make_user):
    return make_user(Role.HQ_ADMIN, username="hq")


@pytest.fixture(autouse=True)
def _complaint_defaults(db):
    """The response times and levels of the data migration (a transactional test may have flushed
    them in this worker)."""
    import_module("aftersales.complaints.migrations.0003_default_configuration").create(apps, None)


def history(obj, field):
    rows = ChangeRecord.objects.filter(
        content_type__model=obj._meta.model_name, object_id=obj.pk, field=field
    )
    return [(row.old_value, row.new_value, row.actor.username) for row in rows]


# --- return visits (R22, R23) -------------------------------------------------------------------


def visit_due(completed_at):
    work_order = f.WorkOrderFactory(state="completed", completed_at=completed_at)
    with frozen(completed_at):
        return return_visit_schedule(work_order=work_order, actor=None).due_at


def test_r22_hq_admin_changes_the_return_visit_policy_and_the_next_visit_follows_it(hq, agent, api_client):
    assert api_client(agent).get("/api/return-visits/policy/").json() == {
        "due_working_days": 3,
        "callback_hours": 3,
        "unsatisfied_below": 3,
        "max_attempts": 3,
        "retry_hours": 4,
        "updated_at": None,
    }
    assert visit_due(FRIDAY_10) == at(2026, 6, 10, 10)  # three working days: Mon, Tue, Wed

    response = api_client(hq).patch("/api/return-visits/policy/", {"due_working_days": 5}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["due_working_days"] == 5 and response.json()["max_attempts"] == 3
    assert visit_due(FRIDAY_10) == at(2026, 6, 12, 10)  # five: Monday to Friday
    assert history(ReturnVisitPolicy.objects.get(), "due_working_days") == [("3", "5", "hq")]


@pytest.mark.parametrize(
    ("payload", "field", "code"),
    [
        ({"due_working_days": 8}, "due_working_days", "max_value"),
        ({"unsatisfied_below": 1}, "unsatisfied_below", "min_value"),
        ({"retry_hours": "soon"}, "retry_hours", "invalid"),
        ({"due_days": 5}, "due_days", "unknown_field"),
    ],
)
def test_r22_bad_return_visit_policy_is_400(hq, api_client, payload, field, code):
    assert_problem(
        api_client(hq).patch("/api/return-visits/policy/", payload, format="json"),
        400,
        field=field,
        code=code,
    )
    assert not ReturnVisitPolicy.objects.exists()


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.QUALITY, Role.AGENT])
def test_r22_only_hq_admins_change_the_return_visit_policy(make_user, api_client, role):
    response = api_client(make_user(role)).patch(
        "/api/return-visits/policy/", {"max_attempts": 5}, format="json"
    )
    assert_problem(response, 403, code="permission_denied")
    assert not ReturnVisitPolicy.objects.exists()


# --- complaint response times (R26) --------------------------------------------------------------


def register(agent, severity, moment):
    with frozen(moment):
        return complaint_register(
            work_order=None,
            actor=agent,
            customer=f.CustomerFactory(),
            source=ComplaintSource.HOTLINE,
            category=ComplaintCategory.ATTITUDE,
            severity=severity,
            description="工程师态度恶劣",
        )


def test_r26_a_response_time_changed_through_the_api_applies_to_the_next_complaint(hq, agent, api_client):
    critical = ComplaintResponsePolicy.objects.get(severity=Severity.CRITICAL)
    before = register(agent, Severity.CRITICAL, FRIDAY_10)
    assert before.response_due_at == at(2026, 6, 5, 15)  # 4 business hours: 10-12, 13-15

    response = api_client(hq).patch(
        f"/api/complaint-response-policies/{critical.pk}/", {"response_hours": "2.5"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["severity_display"] == "Critical"
    assert register(agent, Severity.CRITICAL, FRIDAY_10).response_due_at == at(2026, 6, 5, 13, 30)
    before.refresh_from_db()
    assert before.response_due_at == at(2026, 6, 5, 15)
    assert history(critical, "response_hours") == [("4.00", "2.50", "hq")]


def test_r26_response_times_one_per_severity_validated_and_deleted_to_the_default(hq, agent, api_client):
    client = api_client(hq)
    assert_problem(
        client.post(
            "/api/complaint-response-policies/",
            {"severity": "critical", "response_hours": "1"},
            format="json",
        ),
        400,
        field="severity",
        code="unique",
    )
    general = ComplaintResponsePolicy.objects.get(severity=Severity.GENERAL)
    assert_problem(
        client.patch(
            f"/api/complaint-response-policies/{general.pk}/", {"response_hours": "0.1"}, format="json"
        ),
        400,
        field="response_hours",
        code="min_value",
    )
    assert client.delete(f"/api/complaint-response-policies/{general.pk}/").status_code == 204
    created = client.post(
        "/api/complaint-response-policies/",
        {"severity": "general", "response_hours": "48", "business_time": False},
        format="json",
    )
    assert created.status_code == 201, created.content
    rows = api_client(agent).get("/api/complaint-response-policies/").json()["results"]
    assert [(row["severity"], row["response_hours"], row["business_time"]) for row in rows] == [
        ("critical", "4.00", True),
        ("general", "48.00", False),
        ("serious", "8.00", True),
    ]


# --- difficult cases (R27) -----------------------------------------------------------------------


def test_r27_supervisors_change_the_case_criteria_with_history(supervisor, agent, api_client):
    assert api_client(agent).get("/api/difficult-cases/criteria/").json()["repeat_days"] == 30

    response = api_client(supervisor).patch(
        "/api/difficult-cases/criteria/", {"repeat_days": 60, "value_enabled": True}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["repeat_days"] == 60 and response.json()["repeat_min_orders"] == 3
    criteria = CaseCriteria.objects.get()
    assert criteria.repeat_days == 60 and criteria.value_enabled
    assert history(criteria, "repeat_days") == [("30", "60", "supervisor")]
    assert_problem(
        api_client(supervisor).patch(
            "/api/difficult-cases/criteria/", {"repeat_min_orders": 1}, format="json"
        ),
        400,
        field="repeat_min_orders",
        code="min_value",
    )
    assert_problem(
        api_client(agent).patch("/api/difficult-cases/criteria/", {"repeat_days": 7}, format="json"),
        403,
        code="permission_denied",
    )
    assert CaseCriteria.objects.get().repeat_days == 60


def open_case(level: int) -> DifficultCase:
    user = f.UserFactory(role=Role.SUPERVISOR)
    return DifficultCase.objects.create(
        number=f"DC{level:04d}", work_order=f.WorkOrderFactory(), handler=user, opened_by=user, level=level
    )


def test_r27_hq_admin_keeps_the_escalation_ladder(hq, api_client):
    client = api_client(hq)
    created = client.post(
        "/api/case-levels/", {"number": 4, "name": "总经理", "role": "hq_admin"}, format="json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["role_display"] == "HQ admin"
    assert_problem(
        client.post("/api/case-levels/", {"number": 4, "name": "重复"}, format="json"),
        400,
        field="number",
        code="unique",
    )
    assert_problem(
        client.post("/api/case-levels/", {"number": 0, "name": "零"}, format="json"),
        400,
        field="number",
        code="min_value",
    )
    level_2 = CaseLevel.objects.get(number=2)
    renamed = client.patch(
        f"/api/case-levels/{level_2.pk}/", {"name": "服务中心经理", "role": ""}, format="json"
    )
    assert renamed.status_code == 200, renamed.content
    assert history(level_2, "name") == [("服务中心主管", "服务中心经理", "hq")]
    numbers = [row["number"] for row in client.get("/api/case-levels/").json()["results"]]
    assert numbers == [1, 2, 3, 4]


def test_r27_a_level_open_cases_are_at_is_kept(hq, api_client):
    case = open_case(level=3)
    level_3 = CaseLevel.objects.get(number=3)
    client = api_client(hq)

    assert_problem(client.delete(f"/api/case-levels/{level_3.pk}/"), 409, code="protected")
    assert_problem(
        client.patch(f"/api/case-levels/{level_3.pk}/", {"number": 5}, format="json"), 409, code="protected"
    )
    assert (
        client.patch(f"/api/case-levels/{level_3.pk}/", {"name": "总部技术中心"}, format="json").status_code
        == 200
    )
    case.state = "closed"
    case.save()
    assert client.delete(f"/api/case-levels/{level_3.pk}/").status_code == 204


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.QUALITY, Role.CLERK])
def test_r26_r27_only_hq_admins_change_response_times_and_levels(make_user, api_client, role):
    client = api_client(make_user(role))
    level = CaseLevel.objects.get(number=1)
    policy = ComplaintResponsePolicy.objects.get(severity=Severity.SERIOUS)
    for response in (
        client.post("/api/case-levels/", {"number": 9, "name": "X"}, format="json"),
        client.delete(f"/api/case-levels/{level.pk}/"),
        client.patch(
            f"/api/complaint-response-policies/{policy.pk}/", {"response_hours": "1"}, format="json"
        ),
        client.delete(f"/api/complaint-response-policies/{policy.pk}/"),
    ):
        assert_problem(response, 403, code="permission_denied")
    assert CaseLevel.objects.count() == 3 and ComplaintResponsePolicy.objects.count() == 3


# --- repair vendors (R14) ------------------------------------------------------------------------


def test_r14_supervisor_adds_a_vendor_for_some_product_lines(supervisor, finance, api_client):
    printers, copiers = f.ProductLineFactory(name="打印机"), f.ProductLineFactory(name="复印机")
    response = api_client(supervisor).post(
        "/api/repair-vendors/",
        {
            "name": "北京惠修科技",
            "contact_name": "王工",
            "phone": "010 6543 2100",
            "product_lines": [printers.pk, copiers.pk],
            "lead_time_days": 10,
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["phone"] == "+861065432100" and body["is_active"] is True
    assert sorted(row["name"] for row in body["product_lines"]) == ["复印机", "打印机"]
    listed = api_client(finance).get("/api/repair-vendors/", {"product_line": copiers.pk}).json()
    assert [row["name"] for row in listed["results"]] == ["北京惠修科技"]


@pytest.mark.parametrize(
    ("payload", "field", "code"),
    [
        ({"name": "DUP"}, "name", "unique"),
        ({"phone": "12345"}, "phone", "invalid_phone"),
        ({"lead_time_days": 0}, "lead_time_days", "min_value"),
        ({"product_lines": [99999]}, "product_lines", "does_not_exist"),
        ({"at_vendor": 3}, "at_vendor", "unknown_field"),
    ],
)
def test_r14_bad_vendor_input_is_400(supervisor, api_client, payload, field, code):
    VendorFactory(name="DUP")
    data = {"name": "新厂商", "contact_name": "李工", "phone": "021-64381234", **payload}
    assert_problem(
        api_client(supervisor).post("/api/repair-vendors/", data, format="json"), 400, field=field, code=code
    )
    assert Vendor.objects.count() == 1


@pytest.mark.parametrize("role", [Role.AGENT, Role.DISPATCHER, Role.ENGINEER, Role.DEALER_STAFF])
def test_r14_vendors_are_kept_by_supervisors_and_hq_only(make_user, api_client, role):
    vendor = VendorFactory()
    client = api_client(make_user(role))
    assert client.get(f"/api/repair-vendors/{vendor.pk}/").status_code == 200
    assert_problem(
        client.patch(f"/api/repair-vendors/{vendor.pk}/", {"is_active": False}, format="json"), 403
    )
    assert_problem(client.delete(f"/api/repair-vendors/{vendor.pk}/"), 403)
    assert Vendor.objects.get(pk=vendor.pk).is_active


def test_r14_a_vendor_devices_went_to_is_deactivated_not_deleted(hq, api_client):
    vendor, spare = VendorFactory(), VendorFactory()
    work_order = f.WorkOrderFactory()
    depot = DepotRepair.objects.create(work_order=work_order, number="RR202606050001", received_by=hq)
    ExternalRepair.objects.create(
        work_order=work_order,
        depot_repair=depot,
        vendor=vendor,
        reason="beyond_ability",
        vendor_contact="陈工",
        voucher_number="V-1",
        sent_by=hq,
        expected_back_on="2026-06-12",
    )
    client = api_client(hq)
    assert vendor in vendors_for(work_order)

    assert_problem(client.delete(f"/api/repair-vendors/{vendor.pk}/"), 409, code="protected")
    response = client.patch(f"/api/repair-vendors/{vendor.pk}/", {"is_active": False}, format="json")

    assert response.status_code == 200 and response.json()["is_active"] is False
    assert vendor not in vendors_for(work_order)  # no longer offered for sending devices out
    assert history(vendor, "is_active") == [("True", "False", "hq")]
    assert client.delete(f"/api/repair-vendors/{spare.pk}/").status_code == 204


# --- the schema ----------------------------------------------------------------------------------


def test_config_endpoints_are_in_the_schema_with_their_problems(api_client, agent):
    paths = api_client(agent).get("/api/schema/", {"format": "json"}).json()["paths"]
    for resource in ("complaint-response-policies", "case-levels", "repair-vendors"):
        assert set(paths[f"/api/{resource}/"]) == {"get", "post"}
        assert {"400", "403"} <= set(paths[f"/api/{resource}/"]["post"]["responses"])
        detail = paths[f"/api/{resource}/{{id}}/"]
        assert set(detail) == {"get", "put", "patch", "delete"}
        assert {"400", "403", "404"} <= set(detail["patch"]["responses"])
    assert "409" in paths["/api/case-levels/{id}/"]["delete"]["responses"]
    assert "409" in paths["/api/repair-vendors/{id}/"]["delete"]["responses"]
    for singleton in ("/api/return-visits/policy/", "/api/difficult-cases/criteria/"):
        assert set(paths[singleton]) == {"get", "patch"}
        assert {"400", "403"} <= set(paths[singleton]["patch"]["responses"])
