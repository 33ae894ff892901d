"""The parts app's printed forms as PDFs over the API, each the same document as its print view's
PDF (`printing_*`): the stock transfer (调拨单, R32), the part request (R28), the dealer's monthly
statement (对账单, R28), the warranty reimbursement claim (R31) and the old parts' labels (R29).
Each keeps its page's role gate (403) and scope (R37: another dealer's record is a 404 problem),
its download is logged (R41), and its print view still answers."""

from __future__ import annotations

from io import BytesIO

import pytest
from pypdf import PdfReader

from aftersales.accounts.choices import Role
from aftersales.core.models import AccessLog
from aftersales.parts.choices import PartRequestState
from aftersales.parts.models import ReimbursementClaim
from aftersales.parts.services.claims import claims_build
from aftersales.parts.services.dealer_accounts import payment_record
from aftersales.parts.services.transfers import transfer_create

from .. import factories as f
from ..api.helpers import assert_problem
from ..timeutil import at, frozen
from .old_parts_world import old_parts_world
from .stock_world import stock_world

pytestmark = pytest.mark.django_db

PDF = {"HTTP_ACCEPT": "application/pdf"}


def pdf_text(response) -> str:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment;" in response["Content-Disposition"]
    return "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)


def logged_download(user) -> str:
    """The file name of the user's one logged PDF download (R41)."""
    return AccessLog.objects.get(actor=user, action=AccessLog.Action.EXPORT, resource="document").detail


def assert_refused(client, url: str, status: int) -> None:
    assert_problem(client.get(url, **PDF), status)
    assert not AccessLog.objects.filter(resource="document").exists()


@pytest.fixture
def no_dealer_staff():
    """A dealer's staff account with no dealer: none of these pages are for it (403)."""
    return f.UserFactory(role=Role.DEALER_STAFF, dealer=None)


# --- the stock transfer (调拨单, R32) ------------------------------------------------------------------


@pytest.fixture
def w():
    return stock_world()


def test_r32_the_printed_transfer_is_the_pages_pdf_over_the_api_logged_r41(w, api_client, client):
    transfer = transfer_create(source=w.hq, destination=w.a.store, lines=[(w.part, 2)], actor=w.clerk)
    url = f"/api/stock/transfers/{transfer.pk}/print/"

    text = pdf_text(api_client(w.clerk).get(url, **PDF))

    assert transfer.number in text and "FU-3600" in text
    assert logged_download(w.clerk) == f"Stock transfer-{transfer.number}.pdf"
    client.force_login(w.clerk)
    assert client.get(f"/parts/transfers/{transfer.pk}/print/").status_code == 200


def test_r37_another_dealers_transfer_pdf_is_a_404_and_a_refused_role_a_403(w, api_client, no_dealer_staff):
    transfer = transfer_create(source=w.b.store, destination=w.b.van, lines=[(w.part, 1)], actor=w.clerk)
    url = f"/api/stock/transfers/{transfer.pk}/print/"

    assert_refused(api_client(w.a.staff), url, 404)
    assert_refused(api_client(w.a.staff), "/api/stock/transfers/999999/print/", 404)
    assert_refused(api_client(no_dealer_staff), url, 403)


# --- the part request (售后服务配件申请单, R28) ------------------------------------------------------------


def test_r28_the_printed_part_request_is_the_pages_pdf_over_the_api_logged_r41(dealers, api_client, client):
    pr = dealers.advance(dealers.draft(), PartRequestState.SHIPPED)
    staff = dealers.world.staff_a

    text = pdf_text(api_client(staff).get(f"/api/part-requests/{pr.pk}/print/", **PDF))

    assert pr.number in text and "FU-3600" in text
    assert logged_download(staff) == f"Part request-{pr.number}.pdf"
    client.force_login(staff)
    assert client.get(f"/parts/dealers/requests/{pr.pk}/print/").status_code == 200


def test_r37_another_dealers_part_request_pdf_is_a_404_and_a_refused_role_a_403(
    dealers, api_client, no_dealer_staff
):
    url = f"/api/part-requests/{dealers.draft().pk}/print/"

    assert_refused(api_client(dealers.world.staff_b), url, 404)
    assert_refused(api_client(dealers.world.staff_b), "/api/part-requests/999999/print/", 404)
    assert_refused(api_client(no_dealer_staff), url, 403)


# --- the dealer's monthly statement (对账单, R28) -----------------------------------------------------


@pytest.fixture
def paid(world, finance):
    """Dealer A paid ¥400.00 on 3 November 2026."""
    with frozen(at(2026, 11, 3, 10)):
        payment_record(dealer=world.dealer_a, amount="400.00", actor=finance, reference="BANK-1103")
    return world


def statement_url(dealer, month: str = "2026-11") -> str:
    return f"/api/dealer-accounts/{dealer.pk}/statement/print/?month={month}"


def test_r28_the_printed_statement_is_the_pages_pdf_over_the_api_logged_r41(
    paid, api_client, client, finance
):
    text = pdf_text(api_client(finance).get(statement_url(paid.dealer_a), **PDF))

    assert "BANK-1103" in text and "400.00" in text and paid.dealer_a.name in text
    assert logged_download(finance) == f"Account statement-{paid.dealer_a.code}-202611.pdf"
    client.force_login(finance)
    page = client.get(f"/parts/dealers/accounts/{paid.dealer_a.pk}/statement/print/", {"month": "2026-11"})
    assert page.status_code == 200 and "BANK-1103" in page.content.decode()


def test_r37_another_dealers_statement_pdf_is_a_404_a_refused_role_a_403_a_bad_month_a_400(
    paid, api_client, finance, no_dealer_staff
):
    assert_refused(api_client(paid.staff_b), statement_url(paid.dealer_a), 404)
    assert_refused(api_client(finance), "/api/dealer-accounts/999999/statement/print/", 404)
    assert_refused(api_client(no_dealer_staff), statement_url(paid.dealer_a), 403)
    response = api_client(finance).get(statement_url(paid.dealer_a, "November"), **PDF)
    assert_problem(response, 400, field="month", code="invalid_month")
    assert not AccessLog.objects.filter(resource="document").exists()


# --- the warranty reimbursement claim (保修期内配件费用报销单, R31) -------------------------------------


@pytest.fixture
def claims():
    world = old_parts_world()
    world.reported(quantity=2)
    world.reported(work_order=world.other_work_order)
    with frozen(at(2026, 12, 3, 2, 30)):
        claims_build(month=at(2026, 11, 1).date())
    world.claim = ReimbursementClaim.objects.get(dealer=world.dealer)
    return world


def test_r31_the_printed_claim_is_the_pages_pdf_over_the_api_logged_r41(claims, api_client, client):
    text = pdf_text(api_client(claims.staff).get(f"/api/claims/{claims.claim.pk}/print/", **PDF))

    assert claims.claim.number in text and claims.dealer.name in text
    assert logged_download(claims.staff) == f"Reimbursement claim-{claims.claim.number}.pdf"
    client.force_login(claims.staff)
    assert client.get(f"/parts/old-parts/claims/{claims.claim.pk}/print/").status_code == 200


def test_r37_another_dealers_claim_pdf_is_a_404_and_a_refused_role_a_403(claims, api_client, no_dealer_staff):
    url = f"/api/claims/{claims.claim.pk}/print/"

    assert_refused(api_client(claims.other_staff), url, 404)
    assert_refused(api_client(claims.other_staff), "/api/claims/999999/print/", 404)
    assert_refused(api_client(no_dealer_staff), url, 403)


# --- the old parts' labels with their QR codes (R29) ----------------------------------------------------


@pytest.fixture
def labelled():
    world = old_parts_world()
    world.registered = world.register(serial_number="SN-REG-1")
    world.reported_part = world.reported(serial_number="SN-REP-1")
    world.others = world.reported(work_order=world.other_work_order, serial_number="SN-OTHER-9")
    return world


def test_r29_an_old_parts_label_is_the_pages_pdf_over_the_api_logged_r41(labelled, api_client, client):
    old_part = labelled.registered

    text = pdf_text(api_client(labelled.staff).get(f"/api/old-parts/{old_part.pk}/label/", **PDF))

    assert old_part.number in text and "FU-3600" in text and "SN-REG-1" in text
    assert logged_download(labelled.staff) == f"Old-part labels-{old_part.number}.pdf"
    client.force_login(labelled.staff)
    assert client.get(f"/parts/old-parts/{old_part.pk}/label/").status_code == 200


def test_r29_a_sheet_of_labels_takes_the_lists_filters_or_ids_and_only_the_users_old_parts(
    labelled, api_client
):
    staff = api_client(labelled.staff)
    mine, reported, others = labelled.registered, labelled.reported_part, labelled.others

    everything = pdf_text(staff.get("/api/old-parts/labels/", **PDF))
    filtered = pdf_text(staff.get("/api/old-parts/labels/", {"state": "reported"}, **PDF))
    picked = pdf_text(staff.get("/api/old-parts/labels/", {"ids": f"{mine.pk},{others.pk}"}, **PDF))

    assert mine.number in everything and reported.number in everything
    assert reported.number in filtered and mine.number not in filtered
    assert mine.number in picked and reported.number not in picked
    for text in (everything, filtered, picked):  # another dealer's old part, even named (R37)
        assert others.number not in text and "SN-OTHER-9" not in text
    assert AccessLog.objects.filter(actor=labelled.staff, resource="document").count() == 3


def test_a_sheet_of_labels_refuses_a_filter_it_cannot_read_and_a_role_without_old_parts(
    labelled, api_client, no_dealer_staff
):
    response = api_client(labelled.staff).get("/api/old-parts/labels/", {"state": "lost"}, **PDF)
    assert_problem(response, 400, field="state")
    response = api_client(labelled.staff).get("/api/old-parts/labels/", {"ids": "1,x"}, **PDF)
    assert_problem(response, 400, field="ids")
    assert_refused(api_client(no_dealer_staff), "/api/old-parts/labels/", 403)


def test_r37_another_dealers_old_part_label_is_a_404_and_a_refused_role_a_403(
    labelled, api_client, no_dealer_staff
):
    url = f"/api/old-parts/{labelled.registered.pk}/label/"

    assert_refused(api_client(labelled.other_staff), url, 404)
    assert_refused(api_client(labelled.staff), "/api/old-parts/999999/label/", 404)
    assert_refused(api_client(no_dealer_staff), url, 403)


def test_r29_a_shipments_labels_are_the_pages_pdf_over_the_api(labelled, api_client, client):
    shipment = labelled.shipped([labelled.reported_part])

    text = pdf_text(
        api_client(labelled.parts_clerk).get(f"/api/old-part-shipments/{shipment.pk}/labels/", **PDF)
    )

    assert shipment.number in text and labelled.reported_part.number in text
    assert labelled.registered.number not in text
    assert logged_download(labelled.parts_clerk) == f"Old-part labels-{shipment.number}.pdf"
    client.force_login(labelled.parts_clerk)
    assert client.get(f"/parts/old-parts/shipments/{shipment.pk}/labels/").status_code == 200


def test_r37_another_dealers_shipment_labels_are_a_404_and_an_engineer_is_refused_403(labelled, api_client):
    shipment = labelled.shipped([labelled.reported_part])
    url = f"/api/old-part-shipments/{shipment.pk}/labels/"

    assert_refused(api_client(labelled.other_staff), url, 404)
    assert_refused(api_client(labelled.staff), "/api/old-part-shipments/999999/labels/", 404)
    assert_refused(api_client(labelled.engineer.user), url, 403)
