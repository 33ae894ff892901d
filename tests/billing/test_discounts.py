"""R35: discounts for loyal customers and channel partners follow the rules HQ configured: a rule
applies when the work order meets all its conditions (earlier closed work orders, the dealer of
the serving point, a service contract), as its own line naming the rule, a percentage of what
the customer pays on the lines of its scope; applying again replaces the rules' lines."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales.billing.choices import DiscountScope, LineKind
from aftersales.billing.models import DiscountRule
from aftersales.billing.services import quote_create, quote_discounts_apply, quote_line_add, rules_for
from aftersales.workorders.choices import State

from .. import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def quote(order, eng, device, roller):
    device.purchase_date = timezone.localdate() - timedelta(days=800)
    device.save()
    quote = quote_create(work_order_id=order.pk, actor=eng)
    quote_line_add(quote_id=quote.pk, actor=eng, kind=LineKind.LABOUR, quantity=2, unit_price="80")  # 160
    quote_line_add(quote_id=quote.pk, actor=eng, kind=LineKind.PART, part_id=roller.pk, unit_price="33.33")
    return quote


def test_r35_a_loyal_customer_gets_the_rules_discount_as_its_own_line(quote, order, eng):
    rule = DiscountRule.objects.create(name="老客户九折", percent=Decimal("10"), min_earlier_work_orders=2)
    assert rules_for(order, day=timezone.localdate()) == []
    for _ in range(2):
        f.WorkOrderFactory(customer=order.customer, state=State.CLOSED)
    assert rules_for(order, day=timezone.localdate()) == [rule]
    quote = quote_discounts_apply(quote_id=quote.pk, actor=eng)
    line = quote.lines.get(kind=LineKind.DISCOUNT)
    assert line.discount_rule == rule and line.amount == Decimal("-19.33")  # 10 % of 193.33, half up
    assert "老客户九折" in line.description and quote.customer_total == Decimal("174.00")
    quote = quote_discounts_apply(quote_id=quote.pk, actor=eng)  # again: replaced, not doubled
    assert quote.lines.filter(kind=LineKind.DISCOUNT).count() == 1 and quote.customer_total == Decimal(
        "174.00"
    )


def test_r35_a_channel_partners_rule_takes_its_scope_only(quote, order, eng):
    dealer = order.service_point.dealer or f.DealerFactory()
    if order.service_point.dealer_id is None:
        order.service_point.dealer = dealer
        order.service_point.save()
    DiscountRule.objects.create(
        name="渠道配件八折", percent=Decimal("20"), dealer=dealer, scope=DiscountScope.PARTS
    )
    DiscountRule.objects.create(name="其他渠道", percent=Decimal("50"), dealer=f.DealerFactory())
    quote = quote_discounts_apply(quote_id=quote.pk, actor=eng)
    line = quote.lines.get(kind=LineKind.DISCOUNT)
    assert line.amount == Decimal("-6.67") and quote.customer_total == Decimal("186.66")


def test_r35_rules_for_contracts_and_inactive_or_expired_rules_do_not_apply(quote, order, eng):
    DiscountRule.objects.create(name="合同客户", percent=Decimal("15"), under_contract=True)
    DiscountRule.objects.create(name="停用", percent=Decimal("15"), is_active=False)
    DiscountRule.objects.create(
        name="过期", percent=Decimal("15"), valid_until=timezone.localdate() - timedelta(days=1)
    )
    quote = quote_discounts_apply(quote_id=quote.pk, actor=eng)
    assert not quote.lines.filter(kind=LineKind.DISCOUNT).exists()


def test_r35_discounts_from_the_quote_page_and_the_api(client, api_client, quote, order, eng):
    DiscountRule.objects.create(name="全场九五折", percent=Decimal("5"))
    client.force_login(eng)
    partial = client.post(
        reverse("billing:quote_discounts", args=[quote.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "全场九五折" in partial and "¥183.66" in partial
    body = api_client(eng).post(f"/api/quotes/{quote.pk}/apply-discounts/").json()
    assert (
        body["customer_total"] == "183.66" and [line["kind"] for line in body["lines"]].count("discount") == 1
    )
