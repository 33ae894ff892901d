"""One record's rows in Excel over the API, each the same workbook as its page's export (one
function builds it for both, `core.excel.Sheet`): a warranty reimbursement claim's lines (R31), a
dealer's monthly statement (对账单, R28) and a stock count's sheet (盘点, R32, read back filled in
from the same address). Each keeps its
page's role gate (403) and scope (R37: another dealer's record is a 404 problem), and its export is
logged (R41)."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from aftersales.accounts.choices import Role
from aftersales.core.models import AccessLog
from aftersales.parts.models import ReimbursementClaim
from aftersales.parts.services.claims import claims_build
from aftersales.parts.services.counts import count_create, count_lines_set
from aftersales.parts.services.dealer_accounts import payment_record

from .. import factories as f
from ..api.helpers import assert_problem
from ..timeutil import at, frozen
from .old_parts_world import old_parts_world
from .stock_world import stock_world

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def rows_of(response) -> list[tuple]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == XLSX
    assert "attachment;" in response["Content-Disposition"]
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    return list(sheet.iter_rows(values_only=True))


def page_rows(client, url: str, **query) -> list[tuple]:
    return rows_of(client.get(url, query))


def exports_of(user) -> list[str]:
    """The resources of the user's logged exports (R41)."""
    return list(
        AccessLog.objects.filter(actor=user, action=AccessLog.Action.EXPORT).values_list(
            "resource", flat=True
        )
    )


def assert_refused(client, url: str, status: int) -> None:
    assert_problem(client.get(url, HTTP_ACCEPT=XLSX), status)
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()


@pytest.fixture
def no_dealer_staff():
    """A dealer's staff account with no dealer: none of these pages are for it (403)."""
    return f.UserFactory(role=Role.DEALER_STAFF, dealer=None)


# --- a claim's lines (R31) ------------------------------------------------------------------------------


@pytest.fixture
def claims():
    world = old_parts_world()
    world.mine = world.reported(quantity=2, serial_number="SN-MINE-1")
    world.theirs = world.reported(work_order=world.other_work_order, serial_number="SN-THEIRS-9")
    with frozen(at(2026, 12, 3, 2, 30)):
        claims_build(month=at(2026, 11, 1).date())
    world.claim = ReimbursementClaim.objects.get(dealer=world.dealer)
    return world


def test_r31_a_claims_lines_in_excel_are_the_pages_workbook_over_the_api_logged_r41(
    claims, api_client, client
):
    url = f"/api/claims/{claims.claim.pk}/export/"

    rows = rows_of(api_client(claims.staff).get(url, HTTP_ACCEPT=XLSX))

    assert rows[0][:3] == ("#", "Old part", "Work order") and rows[0][-2:] == ("Decision", "Reason")
    assert [(row[1], row[6], row[9]) for row in rows[1:]] == [(claims.mine.number, "SN-MINE-1", 2)]
    assert all("SN-THEIRS-9" not in row for row in rows)  # only the claim's own dealer's old parts
    assert exports_of(claims.staff) == [f"claim-{claims.claim.number}"]
    client.force_login(claims.staff)
    assert page_rows(client, f"/parts/old-parts/claims/{claims.claim.pk}/export/") == rows


def test_r37_another_dealers_claim_export_is_a_404_and_a_refused_role_a_403(
    claims, api_client, no_dealer_staff
):
    url = f"/api/claims/{claims.claim.pk}/export/"

    assert_refused(api_client(claims.other_staff), url, 404)
    assert_refused(api_client(claims.staff), "/api/claims/999999/export/", 404)
    assert_refused(api_client(no_dealer_staff), url, 403)
    assert_refused(api_client(claims.engineer.user), url, 403)


# --- a dealer's monthly statement (对账单, R28) -----------------------------------------------------


@pytest.fixture
def paid(world, finance):
    """Dealer A paid ¥400.00 on 3 November 2026, dealer B ¥77.00 on 4 November."""
    with frozen(at(2026, 11, 3, 10)):
        payment_record(dealer=world.dealer_a, amount="400.00", actor=finance, reference="BANK-1103")
    with frozen(at(2026, 11, 4, 10)):
        payment_record(dealer=world.dealer_b, amount="77.00", actor=finance, reference="BANK-B-77")
    return world


def statement_url(dealer, month: str = "2026-11") -> str:
    return f"/api/dealer-accounts/{dealer.pk}/statement/export/?month={month}"


def test_r28_the_statement_in_excel_is_the_pages_workbook_over_the_api_logged_r41(paid, api_client, client):
    rows = rows_of(api_client(paid.staff_a).get(statement_url(paid.dealer_a), HTTP_ACCEPT=XLSX))

    assert rows[0] == ("Date", "Kind", "Document", "Reason", "Debit", "Credit", "Balance after", "By")
    opening, payment, totals, closing = rows[1:]
    assert (opening[1], opening[3]) == ("Opening balance", "2026-11")
    assert "BANK-1103" in payment[2] and float(payment[5]) == 400
    assert float(totals[5]) == 400 and float(closing[6]) == -400
    assert all("BANK-B-77" not in str(cell) for row in rows for cell in row)  # dealer B's own (R37)
    assert exports_of(paid.staff_a) == [f"statement-{paid.dealer_a.code}-202611"]
    client.force_login(paid.staff_a)
    page = page_rows(
        client, f"/parts/dealers/accounts/{paid.dealer_a.pk}/statement/", month="2026-11", export="xlsx"
    )
    assert page == rows


def test_r37_another_dealers_statement_export_is_a_404_a_refused_role_a_403_a_bad_month_a_400(
    paid, api_client, finance, no_dealer_staff
):
    assert_refused(api_client(paid.staff_b), statement_url(paid.dealer_a), 404)
    assert_refused(api_client(finance), "/api/dealer-accounts/999999/statement/export/", 404)
    assert_refused(api_client(no_dealer_staff), statement_url(paid.dealer_a), 403)
    response = api_client(finance).get(statement_url(paid.dealer_a, "November"), HTTP_ACCEPT=XLSX)
    assert_problem(response, 400, field="month", code="invalid_month")
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()


# --- a stock count's sheet (盘点, R32) --------------------------------------------------------------------


@pytest.fixture
def stock():
    world = stock_world()
    world.receive(world.a.store, 5, "10.00")
    world.receive(world.a.store, 2, "40.00", part=world.substitute)
    world.receive(world.b.store, 9, "10.00")
    return world


def test_r32_the_count_sheet_in_excel_is_the_pages_workbook_over_the_api_and_reads_back(
    stock, api_client, client
):
    count = count_create(warehouse=stock.a.store, actor=stock.a.staff)
    line = count.lines.get(part=stock.part)
    count_lines_set(count_id=count.pk, counted={line.pk: 4}, actor=stock.a.staff)
    url = f"/api/stock/counts/{count.pk}/sheet/"
    api = api_client(stock.a.staff)

    rows = rows_of(api.get(url, HTTP_ACCEPT=XLSX))

    assert rows == [
        ("Part number", "Part", "Expected", "Counted", "Difference"),
        ("FU-3600", "定影组件", 5, 4, -1),
        ("FU-3600A", "定影组件(兼容)", 2, None, None),
    ]
    assert exports_of(stock.a.staff) == ["stock_count"]
    client.force_login(stock.a.staff)
    assert page_rows(client, f"/parts/counts/{count.pk}/", export="xlsx") == rows

    workbook = load_workbook(BytesIO(b"".join(api.get(url).streaming_content)))
    workbook.active["D3"] = 2  # FU-3600A counted
    filled = BytesIO()
    workbook.save(filled)
    filled.seek(0)
    filled.name = "count.xlsx"
    body = api.post(url, {"file": filled}, format="multipart")
    assert body.status_code == 200, body.content
    assert [line["counted"] for line in body.json()["lines"]] == [4, 2]


def test_r37_another_dealers_count_sheet_is_a_404_and_a_role_without_stock_a_403(
    stock, api_client, no_dealer_staff
):
    count = count_create(warehouse=stock.b.store, actor=stock.clerk, parts=[stock.part])
    url = f"/api/stock/counts/{count.pk}/sheet/"

    assert_refused(api_client(stock.a.staff), url, 404)
    assert_refused(api_client(stock.b.staff), "/api/stock/counts/999999/sheet/", 404)
    assert_refused(api_client(no_dealer_staff), url, 403)
    assert rows_of(api_client(stock.b.staff).get(url))[1] == ("FU-3600", "定影组件", 9, None, None)
