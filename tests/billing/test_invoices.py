"""R10: an invoice on request: the buyer's title and a valid tax number (统一社会信用代码), ordinary or
special (which needs the buyer's address, phone and bank); tracked when not issued on site: due by
a day, reminded to finance once a day when late, recorded issued (20 or 8 digits) and sent."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from aftersales.billing.choices import ApprovalMethod, InvoiceState, LineKind, PaymentMethod
from aftersales.billing.services import (
    invoice_cancel,
    invoice_issue,
    invoice_reminders_send,
    invoice_request,
    invoice_send,
    payment_record,
    quote_approve,
    quote_create,
    quote_line_add,
    quote_send,
    settlement_create,
)
from aftersales.core.errors import DomainError, NotPermitted
from aftersales.notifications.models import Notification

pytestmark = pytest.mark.django_db

USCC = "91110000600037341L"  # a valid unified social credit code


@pytest.fixture
def paid(order, eng, device):
    """A settlement of ¥160 paid in full."""
    device.purchase_date = timezone.localdate() - timedelta(days=800)
    device.save()
    quote = quote_create(work_order_id=order.pk, actor=eng)
    quote_line_add(quote_id=quote.pk, actor=eng, kind=LineKind.LABOUR, quantity=2, unit_price="80")
    quote_send(quote_id=quote.pk, actor=eng)
    quote_approve(quote_id=quote.pk, actor=eng, approved_by_name="李娜", approval_method=ApprovalMethod.PHONE)
    settlement = settlement_create(work_order_id=order.pk, actor=eng)
    payment_record(settlement_id=settlement.pk, actor=eng, method=PaymentMethod.CASH, amount="160")
    return settlement


def ask(settlement, actor, **fields):
    values = {"title": "上海某某科技有限公司", "tax_number": USCC, "email": "cw@example.cn", **fields}
    return invoice_request(settlement_id=settlement.pk, actor=actor, **values)


def test_r10_an_invoice_asked_for_is_due_within_the_days_and_for_what_was_paid(paid, eng, settings):
    settings.BILLING_INVOICE_DUE_DAYS = 5
    invoice = ask(paid, eng)
    assert invoice.state == InvoiceState.REQUESTED and invoice.amount == Decimal("160.00")
    assert invoice.due_on == timezone.localdate() + timedelta(days=5)
    assert paid.work_order.events.filter(action="invoice_request").exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": ""}, "title"),
        ({"tax_number": "91110000600037341X"}, "tax_number"),
        ({"invoice_type": "special"}, "buyer_bank"),
        ({"invoice_type": "special", "tax_number": ""}, "tax_number"),
        ({"delivery": "email", "email": ""}, "email"),
        ({"delivery": "post"}, "postal_address"),
        ({"amount": "160.01"}, "amount"),
    ],
)
def test_r10_a_bad_request_names_its_field(paid, eng, fields, field):
    with pytest.raises(ValidationError) as refused:
        ask(paid, eng, **fields)
    assert field in refused.value.message_dict


def test_r10_finance_records_the_invoice_issued_then_sent(paid, eng, finance):
    invoice = ask(paid, eng)
    with pytest.raises(NotPermitted):
        invoice_issue(invoice_id=invoice.pk, actor=eng, invoice_number="12345678")
    with pytest.raises(DomainError) as bad_number:
        invoice_issue(invoice_id=invoice.pk, actor=finance, invoice_number="123")
    assert bad_number.value.code == "invalid_invoice_number"
    invoice = invoice_issue(
        invoice_id=invoice.pk,
        actor=finance,
        invoice_number="26312000000012345678",
        issued_on=date(2026, 12, 1),
    )
    assert invoice.state == InvoiceState.ISSUED and invoice.issued_by == finance
    invoice = invoice_send(invoice_id=invoice.pk, actor=finance)
    assert invoice.state == InvoiceState.SENT and invoice.sent_at is not None


def test_r10_an_invoice_handed_over_on_site_is_sent_when_issued(paid, eng, finance):
    invoice = ask(paid, eng, delivery="on_site", email="")
    invoice = invoice_issue(invoice_id=invoice.pk, actor=finance, invoice_number="12345678")
    assert invoice.state == InvoiceState.SENT


def test_r10_a_request_is_cancelled_with_its_reason(paid, eng):
    invoice = ask(paid, eng)
    with pytest.raises(DomainError):
        invoice_cancel(invoice_id=invoice.pk, actor=eng, note="")
    assert invoice_cancel(invoice_id=invoice.pk, actor=eng, note="客户不要了").state == InvoiceState.CANCELLED


def test_r10_nothing_paid_no_invoice(order, eng, device):
    device.purchase_date = timezone.localdate() - timedelta(days=800)
    device.save()
    quote = quote_create(work_order_id=order.pk, actor=eng)
    quote_line_add(quote_id=quote.pk, actor=eng, kind=LineKind.LABOUR, unit_price="80")
    quote_send(quote_id=quote.pk, actor=eng)
    quote_approve(quote_id=quote.pk, actor=eng, approved_by_name="李娜", approval_method=ApprovalMethod.PHONE)
    settlement = settlement_create(work_order_id=order.pk, actor=eng)
    with pytest.raises(DomainError) as refused:
        ask(settlement, eng)
    assert refused.value.code == "nothing_paid"


def test_r10_late_invoices_are_reminded_to_finance_once_a_day(paid, eng, finance):
    invoice = ask(paid, eng)
    due = invoice.due_on
    assert invoice_reminders_send(today=due) == 0  # due today: not late yet
    late_day = due + timedelta(days=1)
    assert invoice_reminders_send(today=late_day) == 1
    assert invoice_reminders_send(today=late_day) == 0  # once a day
    notes = Notification.objects.filter(recipient=finance)
    assert notes.count() == 1 and paid.work_order.number in notes.get().title
    assert invoice_reminders_send(today=late_day + timedelta(days=1)) == 1
    invoice_issue(invoice_id=invoice.pk, actor=finance, invoice_number="12345678")
    invoice_send(invoice_id=invoice.pk, actor=finance)
    assert invoice_reminders_send(today=late_day + timedelta(days=2)) == 0
