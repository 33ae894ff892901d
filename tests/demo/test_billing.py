"""The demo seed adds money through the billing services (R9, R10, R11, R15): quotes in their
states, a settlement paid with its receipt, one paid in part, a refusal waived, a discount awaiting
a supervisor, an overdue invoice and a sent one."""

from __future__ import annotations

import pytest

from aftersales.billing.choices import InvoiceState, QuoteState, SettlementState, WaiverState
from aftersales.billing.models import InvoiceRequest, Payment, Quote, QuoteLine, Settlement, WaiverRequest
from aftersales.core.money import total

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]


def test_r9_r10_r11_r15_demo_money_in_every_case(demo):
    states = set(Quote.objects.values_list("state", flat=True))
    assert {QuoteState.DRAFT, QuoteState.SENT, QuoteState.APPROVED} <= states
    settlements = list(Settlement.objects.all())
    assert {s.state for s in settlements} >= {
        SettlementState.SETTLED,
        SettlementState.OPEN,
        SettlementState.AWAITING_DECISION,
    }
    assert Payment.objects.filter(method="wechat", receipt_number__startswith="SJ").count() >= 3
    assert WaiverRequest.objects.filter(state=WaiverState.APPROVED).exists()
    assert WaiverRequest.objects.filter(state=WaiverState.REQUESTED).exists()
    invoices = list(InvoiceRequest.objects.all())
    assert {i.state for i in invoices} == {InvoiceState.REQUESTED, InvoiceState.SENT}
    assert any(i.overdue for i in invoices)
    covered = QuoteLine.objects.exclude(payer="customer")
    assert covered.exists(), "an in-warranty case: some line paid by the manufacturer or a contract"
    for quote in Quote.objects.prefetch_related("lines"):
        assert quote.total == total(line.amount for line in quote.lines.all())
