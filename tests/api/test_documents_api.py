"""Issue 13: what the pages offer, the API offers too. The printed forms as PDFs (R21, R15, R16,
R19), the lists' Excel exports (the page's own workbook, logged: R41) and the work-order list's bulk
actions (R5), each scoped like its page (R37) and described in the OpenAPI schema."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from aftersales.accounts.choices import Role
from aftersales.core.lists import BULK_LIMIT
from aftersales.core.models import AccessLog
from aftersales.field.models import SupervisionCard
from aftersales.workorders.choices import Priority, State
from aftersales.workorders.models import WorkOrder
from aftersales.workorders.tables import export_headers
from tests import factories as f
from tests.field.visit_factories import visit_at

from .helpers import assert_problem

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def visit(field_wo):
    """A visit done (signed, checked out: its supervision card opened)."""
    return visit_at(field_wo, "done")


def form_urls(visit) -> list[str]:
    card = SupervisionCard.objects.get(visit=visit)
    return [
        f"/api/workorders/{visit.work_order_id}/task-form/",
        f"/api/visits/{visit.pk}/service-form/",
        f"/api/visits/{visit.pk}/warranty-record/?copy=internal",
        f"/api/supervision-cards/{card.pk}/print/",
    ]


# --- printed forms -------------------------------------------------------------------------------


def test_r21_printed_forms_are_pdfs_over_the_api_and_their_download_is_logged(api_client, dispatcher, visit):
    client = api_client(dispatcher)
    for url in form_urls(visit):
        response = client.get(url, HTTP_ACCEPT="application/pdf")
        assert response.status_code == 200, (url, response.content[:300])
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert "attachment;" in response["Content-Disposition"]
    logged = AccessLog.objects.filter(actor=dispatcher, action=AccessLog.Action.EXPORT, resource="document")
    assert logged.count() == 4
    assert any(visit.number in entry.detail for entry in logged)


def test_r37_printed_forms_out_of_scope_are_404_problems_and_log_nothing(api_client, visit):
    other_dealer_staff = f.UserFactory(role=Role.DEALER_STAFF, dealer=f.DealerFactory())
    other_point_engineer = f.EngineerFactory()
    for user in (other_dealer_staff, other_point_engineer.user):
        client = api_client(user)
        for url in form_urls(visit):
            assert_problem(client.get(url), 404)
    assert_problem(api_client(other_dealer_staff).get("/api/visits/999999/service-form/"), 404)
    assert not AccessLog.objects.filter(resource="document").exists()


def test_r16_warranty_record_copy_is_customer_or_internal(api_client, dispatcher, visit):
    response = api_client(dispatcher).get(f"/api/visits/{visit.pk}/warranty-record/?copy=draft")
    assert_problem(response, 400, field="copy")


# --- exports ---------------------------------------------------------------------------------------


def rows_of(response) -> list[list]:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == XLSX
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_r41_workorder_export_is_the_pages_workbook_filtered_and_logged(api_client, agent, world):
    accepted = f.WorkOrderFactory(service_point=world.point_a, state=State.ACCEPTED)
    response = api_client(agent).get("/api/workorders/export/?state=accepted")
    rows = rows_of(response)
    assert rows[0] == [str(header) for header in export_headers()]
    assert [row[0] for row in rows[1:]] == [accepted.number]
    entry = AccessLog.objects.get(actor=agent, action=AccessLog.Action.EXPORT, resource="workorders")
    assert entry.detail == "1 rows; filters: state=accepted"


def test_r37_export_holds_only_the_users_scope(api_client, world):
    rows = rows_of(api_client(world.staff_a).get("/api/workorders/export/", HTTP_ACCEPT=XLSX))
    assert [row[0] for row in rows[1:]] == [world.order_a.number]


@pytest.mark.parametrize(
    "resource",
    [
        "workorders",
        "supervision-cards",
        "depot-repairs",
        "external-repairs",
        "repair-vendors",
        "complaints",
        "difficult-cases",
        "contracts",
        "return-visits",
        "customers",
        "devices",
    ],
)
def test_every_list_page_export_is_offered_by_the_api(api_client, make_user, resource):
    rows = rows_of(api_client(make_user(Role.HQ_ADMIN)).get(f"/api/{resource}/export/"))
    assert rows and all(rows[0])  # the header row


def test_r37_export_keeps_the_pages_role_gate(api_client, world):
    """The return-visit queue is for the return-visit roles: its export too (403, nothing logged)."""
    assert_problem(api_client(world.engineer_a.user).get("/api/return-visits/export/"), 403)
    assert not AccessLog.objects.filter(resource="return_visits").exists()


# --- bulk actions ----------------------------------------------------------------------------------


def bulk(client, **body):
    return client.post("/api/workorders/bulk/", body, format="json")


def test_r5_bulk_assign_reports_each_work_order_done_refused_or_not_found(api_client, dispatcher, world):
    first = f.WorkOrderFactory(service_point=world.point_a, state=State.ACCEPTED)
    second = f.WorkOrderFactory(service_point=world.point_a, state=State.ACCEPTED)
    fresh = f.WorkOrderFactory(service_point=world.point_a, state=State.NEW)

    response = bulk(
        api_client(dispatcher),
        action="assign",
        engineer=world.engineer_a.pk,
        ids=[first.pk, fresh.pk, second.pk, 999999],
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["action"], body["done"], body["refused"], body["not_found"]) == ("assign", 2, 1, 1)
    assert [(r["id"], r["outcome"]) for r in body["results"]] == [
        (first.pk, "done"),
        (fresh.pk, "refused"),
        (second.pk, "done"),
        (999999, "not_found"),
    ]
    assert body["results"][1]["reason"] and body["results"][1]["number"] == fresh.number
    assert WorkOrder.objects.get(pk=first.pk).engineer == world.engineer_a
    assert WorkOrder.objects.get(pk=second.pk).state == State.ASSIGNED
    assert WorkOrder.objects.get(pk=fresh.pk).state == State.NEW


def test_bulk_priority_and_close_change_what_they_should(api_client, agent, clerk, world):
    open_orders = [f.WorkOrderFactory(service_point=world.point_a, state=State.ACCEPTED) for _ in range(2)]
    ids = [o.pk for o in open_orders]
    assert bulk(api_client(agent), action="priority", priority=Priority.URGENT, ids=ids).json()["done"] == 2
    assert set(WorkOrder.objects.filter(pk__in=ids).values_list("priority", flat=True)) == {Priority.URGENT}
    completed = f.WorkOrderFactory(service_point=world.point_a, state=State.COMPLETED)
    assert bulk(api_client(clerk), action="close", ids=[completed.pk]).json()["done"] == 1
    assert WorkOrder.objects.get(pk=completed.pk).state == State.CLOSED


def test_r37_bulk_never_acts_out_of_scope_and_reports_it_as_not_found(api_client, world):
    response = bulk(
        api_client(world.staff_a), action="priority", priority=Priority.HIGH, ids=[world.order_b.pk]
    )
    assert response.status_code == 200, response.content
    assert response.json()["results"] == [
        {"id": world.order_b.pk, "number": None, "outcome": "not_found", "reason": "No such work order."}
    ]
    assert WorkOrder.objects.get(pk=world.order_b.pk).priority == Priority.NORMAL


def test_bulk_refuses_roles_missing_params_and_too_many_ids(api_client, finance, dispatcher, world):
    assert_problem(bulk(api_client(finance), action="close", ids=[world.order_a.pk]), 403)
    assert_problem(
        bulk(api_client(dispatcher), action="assign", ids=[world.order_a.pk]), 400, field="engineer"
    )
    other = bulk(api_client(dispatcher), action="assign", engineer=world.engineer_b.pk + 1000, ids=[1])
    assert_problem(other, 400, field="engineer")
    too_many = list(range(1, BULK_LIMIT + 2))
    assert_problem(bulk(api_client(dispatcher), action="close", ids=too_many), 400, field="ids")
    assert_problem(bulk(api_client(dispatcher), action="archive", ids=[1]), 400, field="action")


# --- the schema ------------------------------------------------------------------------------------


def test_the_schema_describes_files_and_bulk_exactly(api_client, agent):
    schema = api_client(agent).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    pdf = paths["/api/visits/{id}/warranty-record/"]["get"]
    assert pdf["responses"]["200"]["content"]["application/pdf"]["schema"] == {
        "type": "string",
        "format": "binary",
    }
    assert "application/problem+json" in pdf["responses"]["404"]["content"]
    assert "copy" in [p["name"] for p in pdf["parameters"]]
    export = paths["/api/workorders/export/"]["get"]
    assert XLSX in export["responses"]["200"]["content"]
    assert {"state", "q", "ordering"} <= {p["name"] for p in export["parameters"]}
    assert "page" not in {p["name"] for p in export["parameters"]}
    post = paths["/api/workorders/bulk/"]["post"]
    assert {"200", "400", "403"} <= set(post["responses"])
