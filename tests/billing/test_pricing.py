"""R9, R10: a quote line without a price takes it from the price list or fee standard in effect
(a part's retail price in the customer's province, a fee by product line and distance band), and
per line the lower of the current standard and the one on the device's warranty card applies,
both shown. A price changed later never changes a line already quoted."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from aftersales.billing.choices import LineKind
from aftersales.billing.services import quote_create, quote_line_add
from aftersales.core.errors import DomainError

from .. import factories as f

pytestmark = pytest.mark.django_db

LONG_AGO = date(2020, 1, 1)  # in effect whatever today is


@pytest.fixture
def out_of_warranty(device):
    device.purchase_date = timezone.localdate() - timedelta(days=800)
    device.save()
    return device


@pytest.fixture
def editions(line):
    """The current edition (2025) and an older, cheaper one (2023) printed on warranty cards."""
    old = f.FeeScheduleFactory(
        code="2023", effective_from=LONG_AGO, effective_until=LONG_AGO + timedelta(days=365)
    )
    current = f.FeeScheduleFactory(code="2025", effective_from=LONG_AGO + timedelta(days=366))
    for schedule, diagnosis, labour in ((old, "40.00", "70.00"), (current, "50.00", "60.00")):
        f.FeeStandardFactory(schedule=schedule, kind="diagnosis", amount=diagnosis)
        f.FeeStandardFactory(
            schedule=schedule, kind="labour", unit="per_hour", product_line=line, amount=labour
        )
        f.FeeStandardFactory(schedule=schedule, kind="travel", unit="per_km", amount="2.00")
    return old, current


def test_r9_a_part_takes_the_retail_price_of_the_list_in_effect(order, eng, out_of_warranty, roller):
    price_list = f.PriceListFactory(name="全国价目表", effective_from=LONG_AGO)
    f.PriceListItemFactory(price_list=price_list, part=roller, cost_price="8.00", retail_price="15.50")
    quote = quote_create(work_order_id=order.pk, actor=eng)
    line = quote_line_add(quote_id=quote.pk, actor=eng, kind=LineKind.PART, part_id=roller.pk, quantity=2)
    assert line.unit_price == Decimal("15.50") and line.amount == Decimal("31.00")
    assert line.price_source == "全国价目表 v1"
    price_list.items.update(retail_price="99.00")
    line.refresh_from_db()
    assert line.amount == Decimal("31.00")  # a later price never changes the quote


def test_r9_fees_come_from_the_edition_in_effect_by_product_line_and_distance(
    order, eng, out_of_warranty, editions
):
    quote = quote_create(work_order_id=order.pk, actor=eng)
    labour = quote_line_add(quote_id=quote.pk, actor=eng, kind=LineKind.LABOUR, quantity="1.5")
    assert labour.unit_price == Decimal("60.00") and labour.amount == Decimal("90.00")
    travel = quote_line_add(quote_id=quote.pk, actor=eng, kind=LineKind.TRAVEL, distance_km="23.5")
    assert travel.quantity == Decimal("23.50") and travel.amount == Decimal("47.00")
    assert travel.price_source.startswith("2025")


def test_r10_the_lower_of_the_current_and_the_warranty_cards_standard_applies_per_line(
    order, eng, out_of_warranty, editions
):
    old, _current = editions
    out_of_warranty.card_fee_schedule = old
    out_of_warranty.save()
    quote = quote_create(work_order_id=order.pk, actor=eng)
    diagnosis = quote_line_add(quote_id=quote.pk, actor=eng, kind=LineKind.DIAGNOSIS)
    assert diagnosis.unit_price == Decimal("40.00")  # the card's 2023 standard is lower
    assert diagnosis.card_price == Decimal("40.00") and diagnosis.list_price == Decimal("50.00")
    assert "warranty card" in diagnosis.price_source and "¥50.00" in diagnosis.price_source
    labour = quote_line_add(quote_id=quote.pk, actor=eng, kind=LineKind.LABOUR)
    assert labour.unit_price == Decimal("60.00")  # the current 2025 standard is lower here
    assert labour.card_price == Decimal("70.00") and labour.list_price == Decimal("60.00")


def test_r9_a_line_nothing_prices_needs_its_price(order, eng, out_of_warranty):
    quote = quote_create(work_order_id=order.pk, actor=eng)
    with pytest.raises(DomainError) as refused:
        quote_line_add(quote_id=quote.pk, actor=eng, kind=LineKind.VISIT, distance_km="10")
    assert refused.value.code == "unit_price_needed"
    entered = quote_line_add(quote_id=quote.pk, actor=eng, kind=LineKind.VISIT, unit_price="30")
    assert entered.unit_price == Decimal("30.00") and entered.list_price is None


def test_r10_the_receipt_shows_both_standards_of_a_line(client, order, eng, out_of_warranty, editions):
    from django.urls import reverse

    from aftersales.billing.choices import ApprovalMethod, PaymentMethod
    from aftersales.billing.services import payment_record, quote_approve, quote_send, settlement_create

    out_of_warranty.card_fee_schedule = editions[0]
    out_of_warranty.save()
    quote = quote_create(work_order_id=order.pk, actor=eng)
    quote_line_add(quote_id=quote.pk, actor=eng, kind=LineKind.DIAGNOSIS)
    quote_send(quote_id=quote.pk, actor=eng)
    quote_approve(quote_id=quote.pk, actor=eng, approved_by_name="李娜", approval_method=ApprovalMethod.PHONE)
    settlement = settlement_create(work_order_id=order.pk, actor=eng)
    payment = payment_record(settlement_id=settlement.pk, actor=eng, method=PaymentMethod.CASH, amount="40")
    client.force_login(eng)
    receipt = client.get(reverse("billing:receipt", args=[payment.pk])).content.decode()
    assert "card ¥40.00 / current ¥50.00" in receipt
