"""The parts replaced on visits feed the quote (R9, R12, R36): one action prices them, each line
with its payer from the entitlement; running it again adds nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales.billing.choices import LineKind
from aftersales.billing.services import quote_create, quote_visit_parts_add
from aftersales.devices.choices import Payer
from aftersales.field.services import visit_part_add

from .. import factories as f
from ..field.visit_factories import visit_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def priced(fuser, roller):
    prices = f.PriceListFactory(effective_from=timezone.localdate() - timedelta(days=30))
    f.PriceListItemFactory(price_list=prices, part=fuser, retail_price="350.00")
    f.PriceListItemFactory(price_list=prices, part=roller, retail_price="45.00")
    return prices


@pytest.fixture
def replaced(order, eng, fuser, roller):
    visit = visit_at(order, "on_site", actor=eng)
    visit_part_add(visit_id=visit.pk, actor=eng, part_number=fuser.number, warehouse_id=None)
    visit_part_add(visit_id=visit.pk, actor=eng, part_number=roller.number, quantity=2, warehouse_id=None)
    return visit


def test_r9_r36_the_parts_replaced_on_visits_become_part_lines_with_their_payers(
    order, eng, priced, replaced
):
    quote = quote_create(work_order_id=order.pk, actor=eng)
    added, unpriced = quote_visit_parts_add(quote_id=quote.pk, actor=eng)
    assert unpriced == []
    lines = {line.part.number: line for line in added}
    assert lines["FU-3600"].payer != Payer.CUSTOMER and lines["FU-3600"].kind == LineKind.PART
    assert (lines["PR-100"].payer, lines["PR-100"].quantity, str(lines["PR-100"].amount)) == (
        Payer.CUSTOMER,
        2,
        "90.00",
    )
    again, _ = quote_visit_parts_add(quote_id=quote.pk, actor=eng)
    assert again == [] and quote.lines.count() == 2


def test_r9_a_replaced_part_no_price_list_prices_is_named_for_the_user_to_add(order, eng, replaced, client):
    quote = quote_create(work_order_id=order.pk, actor=eng)
    client.force_login(eng)
    page = client.post(reverse("billing:quote_visit_parts", args=[quote.pk]), follow=True).content.decode()
    assert "No price list prices FU-3600, PR-100" in page
    assert not quote.lines.exists()


def test_r9_the_api_adds_the_visit_parts_to_a_draft(order, eng, priced, replaced, api_client):
    quote = quote_create(work_order_id=order.pk, actor=eng)
    answer = api_client(eng).post(f"/api/quotes/{quote.pk}/add-visit-parts/")
    assert answer.status_code == 200, answer.content
    assert sorted(line["description"] for line in answer.json()["lines"]) == ["定影组件", "搓纸轮"]
