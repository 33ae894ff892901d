"""R10, R11, R15: the finance area lists receivables, payments, invoices (overdue ones marked) and
waiver requests, with filters and Excel export, for the finance roles only; the API lists the same
rows with the same filters (issue 13), scoped to the work orders the user may see (R37)."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from aftersales.accounts.choices import Role
from aftersales.billing.choices import ApprovalMethod, LineKind, PaymentMethod, WaiverKind
from aftersales.billing.models import InvoiceRequest
from aftersales.billing.services import (
    invoice_request,
    payment_record,
    quote_approve,
    quote_create,
    quote_line_add,
    quote_send,
    settlement_create,
    waiver_request,
)

from .. import factories as f
from ..api.helpers import assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def settled(order, eng, device):
    device.purchase_date = timezone.localdate() - timedelta(days=800)
    device.save()
    quote = quote_create(work_order_id=order.pk, actor=eng)
    quote_line_add(quote_id=quote.pk, actor=eng, kind=LineKind.LABOUR, quantity=2, unit_price="80")
    quote_send(quote_id=quote.pk, actor=eng)
    quote_approve(quote_id=quote.pk, actor=eng, approved_by_name="李娜", approval_method=ApprovalMethod.PHONE)
    settlement = settlement_create(work_order_id=order.pk, actor=eng)
    payment_record(
        settlement_id=settlement.pk, actor=eng, method=PaymentMethod.WECHAT, amount="100", reference="WX-42"
    )
    return settlement


def test_r15_receivables_and_payments_are_listed_for_finance_and_exported(client, finance, settled):
    client.force_login(finance)
    receivables = client.get(reverse("billing:finance_receivables") + "?state=open").content.decode()
    assert settled.work_order.number in receivables and "¥60.00" in receivables
    assert 'data-testid="finance-tabs"' in receivables
    payments = client.get(reverse("billing:finance_payments") + "?method=wechat").content.decode()
    receipt = settled.payments.get().receipt_number
    assert receipt in payments and "WX-42" in payments
    assert receipt not in client.get(reverse("billing:finance_payments") + "?method=cash").content.decode()
    export = client.get(reverse("billing:finance_payments") + "?export=xlsx")
    sheet = load_workbook(BytesIO(b"".join(export.streaming_content))).active
    assert receipt in [cell.value for cell in sheet["A"]]


def test_r10_overdue_invoices_are_marked_and_filtered(client, finance, eng, settled):
    invoice = invoice_request(
        settlement_id=settled.pk, actor=eng, title="上海某某科技有限公司", email="a@b.cn"
    )
    InvoiceRequest.objects.filter(pk=invoice.pk).update(due_on=timezone.localdate() - timedelta(days=1))
    client.force_login(finance)
    page = client.get(reverse("billing:finance_invoices") + "?overdue=true").content.decode()
    assert "上海某某科技有限公司" in page and "table-danger" in page
    assert (
        "上海某某科技有限公司"
        not in client.get(reverse("billing:finance_invoices") + "?overdue=false").content.decode()
    )


def test_the_finance_area_is_for_the_finance_roles(client, eng, agent):
    for user in (eng, agent):
        client.force_login(user)
        assert client.get(reverse("billing:finance_receivables")).status_code == 403
    client.force_login(agent)
    assert 'data-testid="nav-finance"' not in client.get("/").content.decode()


def test_r15_r37_the_api_lists_payments_with_the_pages_filters_within_the_users_scope(
    api_client, finance, settled
):
    receipt = settled.payments.get().receipt_number
    client = api_client(finance)

    wechat = client.get("/api/payments/", {"method": "wechat", "ordering": "-amount"}).json()
    assert [row["receipt_number"] for row in wechat["results"]] == [receipt]
    row = wechat["results"][0]
    assert row["work_order_number"] == settled.work_order.number and row["amount"] == "100.00"
    assert client.get("/api/payments/", {"method": "cash"}).json()["results"] == []
    assert client.get("/api/payments/", {"q": "WX-42"}).json()["results"][0]["id"] == row["id"]
    assert client.get(f"/api/payments/{row['id']}/").json()["receipt_url"] == row["receipt_url"]
    assert_problem(client.get("/api/payments/", {"method": "cheque"}), 400, field="method")

    another_dealer = api_client(f.UserFactory(role=Role.DEALER_STAFF, dealer=f.DealerFactory()))
    assert another_dealer.get("/api/payments/").json()["results"] == []
    assert_problem(another_dealer.get(f"/api/payments/{row['id']}/"), 404)


def test_r11_the_api_lists_waiver_requests_awaiting_a_supervisor(api_client, finance, eng, settled):
    waiver = waiver_request(
        settlement_id=settled.pk, actor=eng, kind=WaiverKind.DISCOUNT, amount="20", reason="老客户"
    )
    client = api_client(finance)

    waiting = client.get("/api/waivers/", {"state": "requested"}).json()["results"]
    assert [(row["id"], row["amount_requested"], row["work_order_number"]) for row in waiting] == [
        (waiver.pk, "20.00", settled.work_order.number)
    ]
    assert client.get("/api/waivers/", {"state": "rejected"}).json()["results"] == []
    assert client.get("/api/waivers/", {"kind": "refusal"}).json()["results"] == []
    assert client.get("/api/waivers/", {"q": "老客户"}).json()["results"][0]["id"] == waiver.pk


def test_the_finance_lists_export_through_the_api_for_the_finance_roles_only(
    api_client, finance, agent, settled
):
    for path in ("/api/payments/export/", "/api/waivers/export/", "/api/unapproved-fees/export/"):
        assert api_client(finance).get(path).status_code == 200
        assert_problem(api_client(agent).get(path), 403)
    sheet = load_workbook(
        BytesIO(
            b"".join(api_client(finance).get("/api/payments/export/", {"method": "wechat"}).streaming_content)
        )
    ).active
    assert settled.payments.get().receipt_number in [cell.value for cell in sheet["A"]]
