"""Issue 13: every list page's Excel export through the API (`GET /api/<list>/export/`), the page's
own workbook: its role gate (403), its scope (R37), its filters, its access-log entry (R41); and the
return-visit report's export (R25)."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from aftersales.accounts.choices import Role
from aftersales.core.models import AccessLog
from tests.timeutil import at, frozen

from .helpers import assert_problem

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def rows_of(response) -> list[list]:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == XLSX
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


@pytest.mark.parametrize(
    "path",
    [
        "parts/export/",
        "price-lists/export/",
        "fee-schedules/export/",
        "settlements/export/",
        "invoices/export/",
        "payments/export/",
        "waivers/export/",
        "unapproved-fees/export/",
        "returns/export/",
        "stock/warehouses/export/",
        "stock/balances/export/",
        "stock/moves/export/",
        "stock/transfers/export/",
        "stock/counts/export/",
        "stock/reorder-rules/export/",
        "stock/alerts/export/",
        "part-requests/export/",
        "dealer-accounts/export/",
        "old-parts/export/",
        "old-parts/due/export/",
        "old-part-shipments/export/",
        "claims/export/",
        "login-lockouts/export/",
        "privacy/access-log/export/",
    ],
)
def test_r41_every_list_pages_export_is_offered_by_the_api_and_logged(api_client, make_user, path):
    admin = make_user(Role.HQ_ADMIN)

    rows = rows_of(api_client(admin).get(f"/api/{path}", HTTP_ACCEPT=XLSX))

    assert rows and all(rows[0])  # the page's header row
    assert AccessLog.objects.filter(actor=admin, action=AccessLog.Action.EXPORT).exists()


def test_r37_a_dealers_accounts_export_holds_only_its_own_dealer(api_client, world):
    rows = rows_of(api_client(world.staff_a).get("/api/dealer-accounts/export/"))

    assert [row[1] for row in rows[1:]] == [world.dealer_a.code]


def test_r37_another_dealers_account_entries_export_is_a_404_problem(api_client, world):
    client = api_client(world.staff_b)

    assert_problem(client.get(f"/api/dealer-accounts/{world.dealer_a.pk}/entries/export/"), 404)
    assert rows_of(client.get(f"/api/dealer-accounts/{world.dealer_b.pk}/entries/export/"))[0]
    entries = AccessLog.objects.filter(actor=world.staff_b, action=AccessLog.Action.EXPORT)
    assert entries.count() == 1 and entries.get().resource == "account_entries"


@pytest.mark.parametrize(
    ("role", "path"),
    [
        (Role.ENGINEER, "settlements/export/"),  # the finance area
        (Role.ENGINEER, "invoices/export/"),
        (Role.AGENT, "privacy/access-log/export/"),  # quality and HQ audit
        (Role.AGENT, "login-lockouts/export/"),  # the administrators
    ],
)
def test_an_export_keeps_its_pages_role_gate_403_and_logs_nothing(api_client, make_user, role, path):
    user = make_user(role)

    assert_problem(api_client(user).get(f"/api/{path}"), 403)
    assert not AccessLog.objects.filter(actor=user, action=AccessLog.Action.EXPORT).exists()


def test_an_export_takes_the_lists_filters(api_client, make_user):
    admin = make_user(Role.HQ_ADMIN)
    client = api_client(admin)
    client.get("/api/privacy/access-log/export/")  # one export, logged

    rows = rows_of(client.get("/api/privacy/access-log/export/?resource=access-log"))

    assert len(rows) == 2  # the header and the first export's entry, not the other logs
    entry = AccessLog.objects.filter(actor=admin, resource="access-log").latest("pk")
    assert entry.detail.endswith("filters: resource=access-log")


@pytest.mark.parametrize(
    "path, query, field",
    [
        ("/api/workorders/export/", "type=-58800", "type"),
        ("/api/contracts/export/", "ends_before=AAA", "ends_before"),
        ("/api/devices/export/", "product_model=0.5", "product_model"),
        ("/api/parts/export/", "active=maybe", "active"),
    ],
)
def test_an_export_refuses_a_filter_it_cannot_read_and_logs_nothing(
    api_client, make_user, path, query, field
):
    """The page ignores such a filter and exports every row; an integrator gets told."""
    client = api_client(make_user(Role.HQ_ADMIN))
    assert_problem(client.get(f"{path}?{query}"), 400, field=field)
    assert not AccessLog.objects.exists()


# --- the return-visit report (R25) ---------------------------------------------------------------------


def test_r25_the_return_visit_report_export_is_the_pages_workbook_and_logged_r41(api_client, make_user):
    quality = make_user(Role.QUALITY)
    with frozen(at(2026, 11, 20, 10, 0)):
        response = api_client(quality).get("/api/return-visits/report/export/?month=2026-10")
        rows = rows_of(response)

    assert rows[0] and all(rows[0])
    entry = AccessLog.objects.get(actor=quality, action=AccessLog.Action.EXPORT)
    assert entry.resource == "return_visit_report"


def test_the_return_visit_report_export_refuses_a_bad_period_400_and_other_roles_403(
    api_client, make_user, world
):
    quality = api_client(make_user(Role.QUALITY))
    assert_problem(quality.get("/api/return-visits/report/export/?month=2026-13"), 400, field="month")
    assert_problem(api_client(world.engineer_a.user).get("/api/return-visits/report/export/"), 403)
    assert not AccessLog.objects.filter(resource="return_visit_report").exists()


def test_the_schema_describes_the_new_exports_with_the_pages_filters(api_client, agent):
    schema = api_client(agent).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    for path in ("/api/returns/export/", "/api/old-parts/due/export/", "/api/return-visits/report/export/"):
        operation = paths[path]["get"]
        assert XLSX in operation["responses"]["200"]["content"], path
        assert {"400", "403"} <= set(operation["responses"]), path
    returns = paths["/api/returns/export/"]["get"]
    assert {"state", "q", "ordering"} <= {p["name"] for p in returns["parameters"]}
    ledger = paths["/api/dealer-accounts/{id}/entries/export/"]["get"]
    assert "404" in ledger["responses"] and "kind" in {p["name"] for p in ledger["parameters"]}
