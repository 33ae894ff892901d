"""R8, R9, R15 on a phone: the engineer draws up a quote on the work order, adds labour (priced by
the fee standard) and a part picked by typing its number (priced by the price list), the totals
follow without a reload, the quote is sent, the customer signs it with a finger, the engineer
settles and records a WeChat Pay payment, and the receipt PDF is kept on the work order."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from aftersales.billing.choices import QuoteState, SettlementState
from aftersales.billing.models import Payment, Quote
from aftersales.workorders.choices import State
from aftersales.workorders.models import Attachment
from tests import factories as f

from .test_engineer_phone import login, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_r8_r9_r15_quote_signature_and_wechat_payment_on_a_phone(open_page, live_server):
    # Given an out-of-warranty printer in service with its engineer, a fee standard and a price list
    engineer = f.EngineerFactory(user__username="engineer")
    line = f.ProductLineFactory(code="PRN", name="打印机")
    model = f.ProductModelFactory(product_line=line, warranty_months=12)
    device = f.DeviceFactory(product_model=model, purchase_date=timezone.localdate() - timedelta(days=900))
    work_order = f.WorkOrderFactory(
        customer=device.customer,
        device=device,
        product_model=model,
        engineer=engineer,
        service_point=engineer.service_point,
        state=State.IN_SERVICE,
    )
    edition = f.FeeScheduleFactory(code="2025", effective_from=date(2020, 1, 1))
    f.FeeStandardFactory(schedule=edition, kind="labour", unit="per_hour", product_line=line, amount="80.00")
    part = f.PartFactory(number="RM1-2337", name="定影组件", fits=[model])
    prices = f.PriceListFactory(name="全国配件价目表", effective_from=date(2020, 1, 1))
    f.PriceListItemFactory(price_list=prices, part=part, retail_price="350.00")
    base = live_server.url

    page = open_page(width=390, height=844, phone=True)
    login(page, base, "engineer")
    page.goto(f"{base}/workorders/{work_order.pk}/?tab=money")
    submit(page, "quote-create")
    expect(page.get_by_test_id("quote-state")).to_have_attribute("data-state", QuoteState.DRAFT)

    # When the engineer adds 2 hours of labour, priced by the fee standard
    page.get_by_test_id("quote-line-kind").select_option("labour")
    page.get_by_test_id("quote-line-quantity").fill("2")
    page.get_by_test_id("quote-line-submit").click()
    expect(page.get_by_test_id("quote-customer-total")).to_have_text("¥160.00")

    # and the part, picked by typing its number
    page.get_by_test_id("quote-line-kind").select_option("part")
    box = page.get_by_test_id("quote-line-part-combobox")
    box.fill("RM1")
    option = page.locator(f"#{box.get_attribute('aria-controls')}").get_by_role("option")
    expect(option).to_have_count(1)
    option.click()
    page.get_by_test_id("quote-line-submit").click()
    expect(page.get_by_test_id("quote-line")).to_have_count(2)
    expect(page.get_by_test_id("quote-customer-total")).to_have_text("¥510.00")

    # and sends it; the customer signs with a finger
    page.get_by_test_id("quote-action-send").click()
    # the send form unfolds (Bootstrap collapse): submit once it stands still, not while it moves
    quote = Quote.objects.get(work_order=work_order)
    expect(page.locator(f"#quote-{quote.pk}-send")).to_have_class(re.compile(r"\bshow\b"))
    submit(page, "quote-submit-send")
    page.get_by_test_id("quote-signer-name").fill("李娜")
    canvas = page.get_by_test_id("signature-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    x, y = box["x"], box["y"] + box["height"] / 2
    page.mouse.move(x + 30, y)
    page.mouse.down()
    for step in range(1, 20):
        page.mouse.move(x + 30 + step * 12, y + (15 if step % 2 else -15), steps=3)
    page.mouse.up()
    submit(page, "quote-sign-submit")
    expect(page.get_by_test_id("quote-approved")).to_be_visible()

    # Then the engineer settles and records the WeChat Pay payment
    submit(page, "settle")
    page.get_by_test_id("payment-method").select_option("wechat")
    page.get_by_test_id("payment-reference").fill("4200001234567890")
    submit(page, "payment-submit")
    expect(page.get_by_test_id("settlement-state")).to_have_attribute("data-state", SettlementState.SETTLED)
    expect(page.get_by_test_id("receipt-link")).to_be_visible()

    quote = Quote.objects.get(work_order=work_order)
    assert quote.state == QuoteState.APPROVED and quote.approved_by_name == "李娜"
    with quote.signature.open("rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
    payment = Payment.objects.get()
    assert payment.amount == 510 and payment.method == "wechat"
    receipt = Attachment.objects.get(work_order=work_order)
    assert payment.receipt_number in receipt.original_name and receipt.original_name.endswith(".pdf")
