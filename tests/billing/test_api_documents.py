"""Issue 13: the printed quote (报价单, R9, R21) and a payment's receipt or refund voucher (收据, R15)
as PDFs over the API, the same documents as the print views' PDFs: the page's role gate (403), its
scope (R37: another dealer's quote or payment is a 404), its download logged (R41), described in
the schema as a PDF with its problems."""

from __future__ import annotations

from io import BytesIO

import pytest
from pypdf import PdfReader

from aftersales.accounts.choices import Role
from aftersales.billing.choices import ApprovalMethod, LineKind, PaymentMethod
from aftersales.billing.services import (
    payment_record,
    quote_approve,
    quote_create,
    quote_line_add,
    quote_send,
    refund_record,
    settlement_create,
)
from aftersales.core.models import AccessLog

from .. import factories as f
from ..api.helpers import assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def quote(order, eng, roller):
    quote = quote_create(work_order_id=order.pk, actor=eng)
    quote_line_add(
        quote_id=quote.pk, actor=eng, kind=LineKind.PART, part_id=roller.pk, quantity=2, unit_price="50"
    )
    return quote


def url(quote) -> str:
    return f"/api/quotes/{quote.pk}/print/"


def test_r9_r21_the_printed_quote_is_the_pages_pdf_over_the_api_and_its_download_is_logged_r41(
    api_client, eng, order, quote
):
    response = api_client(eng).get(url(quote), HTTP_ACCEPT="application/pdf")

    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert "attachment;" in response["Content-Disposition"]
    assert f"{order.number}-1" in response["Content-Disposition"]
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert f"{order.number}-1" in text and "100.00" in text and "壹佰元整" in text
    entry = AccessLog.objects.get(actor=eng, action=AccessLog.Action.EXPORT, resource="document")
    assert entry.detail == f"Quote-{order.number}-1.pdf"


def test_r37_another_dealers_quote_and_no_such_quote_are_404_problems(api_client, quote):
    other_dealer_staff = f.UserFactory(role=Role.DEALER_STAFF, dealer=f.DealerFactory())
    client = api_client(other_dealer_staff)

    assert_problem(client.get(url(quote)), 404)
    assert_problem(client.get("/api/quotes/999999/print/"), 404)
    assert not AccessLog.objects.filter(resource="document").exists()


def test_the_quote_pdf_keeps_the_pages_role_gate_403(api_client, make_user, quote):
    """The parts clerk reads no quote: refused before any quote is read, as on the page."""
    assert_problem(api_client(make_user(Role.PARTS_CLERK)).get(url(quote)), 403)
    assert not AccessLog.objects.filter(resource="document").exists()


# --- the receipt (收据) and the refund voucher (R10, R15) ---------------------------------------------


@pytest.fixture
def payment(order, eng, quote):
    """¥100.00 paid by WeChat against the approved quote."""
    quote_send(quote_id=quote.pk, actor=eng)
    quote_approve(quote_id=quote.pk, actor=eng, approved_by_name="李娜", approval_method=ApprovalMethod.PHONE)
    settlement = settlement_create(work_order_id=order.pk, actor=eng)
    return payment_record(
        settlement_id=settlement.pk, actor=eng, method=PaymentMethod.WECHAT, amount="100", reference="WX-42"
    )


def receipt_url(payment) -> str:
    return f"/api/payments/{payment.pk}/receipt/"


def test_r15_the_receipt_is_the_pages_pdf_over_the_api_and_its_download_is_logged_r41(
    api_client, client, finance, order, payment
):
    response = api_client(finance).get(receipt_url(payment), HTTP_ACCEPT="application/pdf")

    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    assert "attachment;" in response["Content-Disposition"]
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert payment.receipt_number in text and order.number in text and "壹佰元整" in text
    entry = AccessLog.objects.get(actor=finance, action=AccessLog.Action.EXPORT, resource="document")
    assert entry.detail == f"Receipt-{payment.receipt_number}.pdf"
    client.force_login(finance)
    page = client.get(f"/billing/payments/{payment.pk}/receipt/")
    assert page.status_code == 200 and payment.receipt_number in page.content.decode()


def test_r15_a_refund_prints_as_its_voucher_over_the_api(api_client, finance, payment):
    refund = refund_record(
        settlement_id=payment.settlement_id,
        actor=finance,
        method=PaymentMethod.CASH,
        amount="30",
        reason="多收",
    )

    response = api_client(finance).get(receipt_url(refund))

    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert f"Refund voucher-{refund.receipt_number}.pdf" in response["Content-Disposition"]


def test_r37_another_dealers_receipt_is_a_404_and_a_role_reading_no_quote_a_403(
    api_client, make_user, payment
):
    other_dealer_staff = f.UserFactory(role=Role.DEALER_STAFF, dealer=f.DealerFactory())

    assert_problem(api_client(other_dealer_staff).get(receipt_url(payment)), 404)
    assert_problem(api_client(make_user(Role.FINANCE)).get("/api/payments/999999/receipt/"), 404)
    assert_problem(api_client(make_user(Role.PARTS_CLERK)).get(receipt_url(payment)), 403)
    assert not AccessLog.objects.filter(resource="document").exists()
