"""What a part or a fee costs on a day (catalog.pricing), the reads billing builds quotes from:
R9 (itemised out-of-warranty prices: parts and fees from the price lists and fee standards), R10
(the warranty card's edition against the current one), R30 (dealers charged at cost). Every day
is passed in (`day=`); nothing depends on today's date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from aftersales.catalog.choices import FeeKind, FeeUnit
from aftersales.catalog.pricing import (
    Fee,
    PartPrice,
    fee_for,
    fee_table,
    part_price,
    part_prices,
    schedule_in_effect,
)
from aftersales.catalog.services import (
    fee_schedule_create,
    price_list_create,
    price_list_item_set,
    price_list_revise,
)
from tests import factories as f

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def parts(db):
    return f.PartFactory(number="FU-2200"), f.PartFactory(number="TN-2200"), f.PartFactory(number="PR-3020")


@pytest.fixture
def national(parts):
    fuser, toner, _roller = parts
    return price_list_create(
        name="2026 零售价目表",
        effective_from=date(2026, 1, 1),
        items=[(fuser.pk, "260.00", "380.00"), (toner.pk, "120", "199")],
    )


# --- part prices ----------------------------------------------------------------------------------


def test_r9_r30_part_price_from_the_list_in_effect(parts, national):
    """R9, R30: the retail price for the customer and the cost price HQ charges dealers."""
    fuser, toner, roller = parts
    price = part_price(fuser.pk, day=date(2026, 3, 1))
    assert price == PartPrice(
        retail=D("380.00"), cost=D("260.00"), price_list_id=national.pk, label="2026 零售价目表 v1"
    )
    assert str(part_price(toner.pk, day=date(2026, 3, 1)).retail) == "199.00"
    assert part_price(fuser.pk, day=date(2025, 12, 31)) is None  # before the list applies
    assert part_price(roller.pk, day=date(2026, 3, 1)) is None  # not on the list


def test_r9_a_new_version_applies_from_its_day_and_the_old_one_until_the_day_before(parts, national):
    """R9: a quote made on a day gets that day's prices; the earlier version stays as it was."""
    fuser, toner, _ = parts
    revision = price_list_revise(
        price_list_id=national.pk, effective_from=date(2026, 4, 1), today=date(2026, 3, 1)
    )
    price_list_item_set(
        price_list_id=revision.pk,
        part_id=fuser.pk,
        cost_price="270",
        retail_price="398.00",
        today=date(2026, 3, 1),
    )
    before = part_price(fuser.pk, day=date(2026, 3, 31))
    after = part_price(fuser.pk, day=date(2026, 4, 1))
    assert (before.retail, before.label) == (D("380.00"), "2026 零售价目表 v1")
    assert (after.retail, after.cost, after.label) == (D("398.00"), D("270.00"), "2026 零售价目表 v2")
    assert part_price(toner.pk, day=date(2026, 4, 1)).label == "2026 零售价目表 v2"  # copied


def test_r9_a_regional_list_beats_the_national_one_in_its_province_only(parts, national):
    fuser, toner, _ = parts
    regional = price_list_create(
        name="广东省价目表",
        effective_from=date(2026, 2, 1),
        province="广东省",
        items=[(toner.pk, "110", "189")],
    )
    day = date(2026, 3, 1)
    assert part_price(toner.pk, day=day, province="广东省").price_list_id == regional.pk
    assert part_price(toner.pk, day=day, province="广东省").retail == D("189.00")
    assert part_price(toner.pk, day=day, province=" 广东省 ").retail == D("189.00")
    assert part_price(toner.pk, day=day, province="上海市").retail == D("199.00")
    assert part_price(toner.pk, day=day).retail == D("199.00")  # no province: national only
    # a part the regional list does not price comes from the national list
    assert part_price(fuser.pk, day=day, province="广东省").price_list_id == national.pk
    # before the regional list applies
    assert part_price(toner.pk, day=date(2026, 1, 15), province="广东省").price_list_id == national.pk


def test_r9_the_highest_version_in_effect_wins_and_inactive_or_ended_lists_do_not_apply(parts, national):
    fuser, _, _ = parts
    other = price_list_create(
        name="促销价目表", effective_from=date(2026, 2, 1), items=[(fuser.pk, "1", "2")]
    )
    day = date(2026, 3, 1)
    assert part_price(fuser.pk, day=day).price_list_id == other.pk  # the later start among v1s
    other.is_active = False
    other.save()
    assert part_price(fuser.pk, day=day).price_list_id == national.pk
    ended = price_list_create(
        name="旧价目表",
        effective_from=date(2025, 1, 1),
        effective_until=date(2026, 2, 28),
        items=[(fuser.pk, "1", "2")],
    )
    assert part_price(fuser.pk, day=date(2025, 12, 31)).price_list_id == ended.pk
    assert part_price(fuser.pk, day=date(2026, 2, 28)).price_list_id == national.pk  # the later start
    assert part_price(fuser.pk, day=day).price_list_id == national.pk
    revised = price_list_revise(price_list_id=national.pk, effective_from=date(2026, 6, 1), today=day)
    assert revised.version == 2
    assert part_price(fuser.pk, day=date(2026, 6, 1)).price_list_id == revised.pk


def test_part_prices_of_many_parts_in_one_query(parts, national, django_assert_num_queries):
    fuser, toner, roller = parts
    with django_assert_num_queries(1):
        prices = part_prices([fuser.pk, toner.pk, roller.pk], day=date(2026, 3, 1))
    assert {pk: p.retail for pk, p in prices.items()} == {fuser.pk: D("380.00"), toner.pk: D("199.00")}
    with django_assert_num_queries(0):
        assert part_prices([], day=date(2026, 3, 1)) == {}


# --- fees -----------------------------------------------------------------------------------------


@pytest.fixture
def lines(db):
    return f.ProductLineFactory(code="PRN", name="打印机"), f.ProductLineFactory(code="COP", name="复印机")


def standard(kind, amount, *, line=None, province="", low=None, high=None, unit=FeeUnit.PER_TIME):
    return {
        "kind": kind,
        "amount": amount,
        "unit": unit,
        "product_line_id": line.pk if line else None,
        "province": province,
        "distance_from_km": D(low) if low is not None else None,
        "distance_to_km": D(high) if high is not None else None,
    }


@pytest.fixture
def editions(lines):
    prn, cop = lines
    old = fee_schedule_create(
        code="2023",
        name="2023版收费标准",
        effective_from=date(2023, 1, 1),
        effective_until=date(2024, 12, 31),
        standards=[
            standard(FeeKind.DIAGNOSIS, "50"),
            standard(FeeKind.VISIT, "50", low="0", high="20"),
            standard(FeeKind.VISIT, "90", low="20", high="50"),
            standard(FeeKind.VISIT, "150", low="50"),
            standard(FeeKind.LABOUR, "70", line=prn, unit=FeeUnit.PER_HOUR),
            standard(FeeKind.LABOUR, "90", unit=FeeUnit.PER_HOUR),
        ],
    )
    current = fee_schedule_create(
        code="2025",
        name="2025版收费标准",
        effective_from=date(2025, 1, 1),
        standards=[
            standard(FeeKind.DIAGNOSIS, "50"),
            standard(FeeKind.DIAGNOSIS, "80", line=cop),
            standard(FeeKind.VISIT, "60", low="0", high="20"),
            standard(FeeKind.VISIT, "100", low="20", high="50"),
            standard(FeeKind.VISIT, "150", low="50"),
            standard(FeeKind.VISIT, "80", province="上海市", low="0", high="20"),
            standard(FeeKind.LABOUR, "100", unit=FeeUnit.PER_HOUR),
            standard(FeeKind.LABOUR, "80", line=prn, unit=FeeUnit.PER_HOUR),
            standard(FeeKind.LABOUR, "95", province="上海市", unit=FeeUnit.PER_HOUR),
            standard(FeeKind.TRAVEL, "2.00", unit=FeeUnit.PER_KM),
        ],
    )
    return old, current


DAY = date(2026, 3, 1)


def test_schedule_in_effect_by_day(editions):
    old, current = editions
    assert schedule_in_effect(date(2024, 6, 1)) == old
    assert schedule_in_effect(date(2024, 12, 31)) == old
    assert schedule_in_effect(DAY) == current
    assert schedule_in_effect(date(2022, 12, 31)) is None
    current.is_active = False
    current.save()
    assert schedule_in_effect(DAY) is None  # 2023 ended; 2025 withdrawn


@pytest.mark.parametrize(
    "distance, amount, band",
    [
        ("0", "60.00", "0–20 km"),
        ("19.99", "60.00", "0–20 km"),
        ("20", "100.00", "20–50 km"),  # a band's upper end is not in it
        ("49.5", "100.00", "20–50 km"),
        ("50", "150.00", "50+ km"),
        ("320", "150.00", "50+ km"),
    ],
)
def test_r9_visit_fee_by_distance_band(editions, lines, distance, amount, band):
    """R9: the visit (door) fee by distance band, [from, to)."""
    fee = fee_for(FeeKind.VISIT, day=DAY, product_line_id=lines[0].pk, distance_km=D(distance))
    assert fee.amount == D(amount) and fee.unit == FeeUnit.PER_TIME
    assert fee.schedule_id == editions[1].pk
    assert fee.label.startswith("2025版收费标准 · ") and fee.label.endswith(band)


def test_a_banded_fee_needs_the_distance(editions, lines):
    assert fee_for(FeeKind.VISIT, day=DAY, product_line_id=lines[0].pk) is None
    # an unbanded standard holds every distance, known or not
    assert fee_for(FeeKind.TRAVEL, day=DAY, product_line_id=None).amount == D("2.00")
    assert fee_for(FeeKind.TRAVEL, day=DAY, product_line_id=None, distance_km=D("35")).unit == FeeUnit.PER_KM


def test_r9_most_specific_standard_wins(editions, lines):
    """R9: a product line's over every line's, a province's over the national one, then the band."""
    prn, cop = lines
    other_line = f.ProductLineFactory(code="SCN")
    labour = FeeKind.LABOUR

    def amount(kind, line, province="", distance=None):
        fee = fee_for(
            kind, day=DAY, product_line_id=line.pk if line else None, province=province, distance_km=distance
        )
        return fee.amount if fee else None

    assert amount(labour, prn) == D("80.00")  # the line's rate
    assert amount(labour, other_line) == D("100.00")  # every line's
    assert amount(labour, None) == D("100.00")
    assert amount(labour, other_line, "上海市") == D("95.00")  # the province's over national
    assert amount(labour, prn, "上海市") == D("80.00")  # the line's over the province's
    assert amount(FeeKind.DIAGNOSIS, cop) == D("80.00")
    assert amount(FeeKind.DIAGNOSIS, prn) == D("50.00")
    assert amount(FeeKind.VISIT, prn, "上海市", D("10")) == D("80.00")
    assert amount(FeeKind.VISIT, prn, "上海市", D("30")) == D("100.00")  # no Shanghai band that far
    assert amount(FeeKind.VISIT, prn, "北京市", D("10")) == D("60.00")
    label = fee_for(labour, day=DAY, product_line_id=prn.pk).label
    assert "打印机" in label and label.startswith("2025版收费标准 · ")
    assert fee_for(FeeKind.PART, day=DAY, product_line_id=None) is None  # parts come from price lists


def test_r10_a_warranty_cards_edition_answers_for_its_own_standards(editions, lines):
    """R10: the card's edition (2023) and the current one (2025) side by side; the lower applies."""
    old, current = editions
    prn = lines[0]
    now = fee_for(FeeKind.LABOUR, day=DAY, product_line_id=prn.pk)
    card = fee_for(FeeKind.LABOUR, day=DAY, product_line_id=prn.pk, schedule_id=old.pk)
    assert (now.amount, now.schedule_id) == (D("80.00"), current.pk)
    assert (card.amount, card.schedule_id, card.unit) == (D("70.00"), old.pk, FeeUnit.PER_HOUR)
    assert card.label.startswith("2023版收费标准 · ")
    assert min(now, card, key=lambda fee: fee.amount) == card
    # 2023 knows no travel fee: nothing to compare
    assert fee_for(FeeKind.TRAVEL, day=DAY, product_line_id=None, schedule_id=old.pk) is None
    assert fee_for(FeeKind.DIAGNOSIS, day=DAY, product_line_id=None, schedule_id=987654) is None
    # on a day of 2024, the edition then in effect
    assert fee_for(FeeKind.LABOUR, day=date(2024, 5, 1), product_line_id=prn.pk).amount == D("70.00")
    assert fee_for(FeeKind.DIAGNOSIS, day=date(2022, 5, 1), product_line_id=None) is None


def test_fee_table_answers_many_lines_without_queries(editions, lines, django_assert_num_queries):
    prn, cop = lines
    with django_assert_num_queries(2):
        table = fee_table(day=DAY)
    with django_assert_num_queries(0):
        fees = [
            table.fee_for(FeeKind.DIAGNOSIS, product_line_id=cop.pk),
            table.fee_for(FeeKind.VISIT, product_line_id=cop.pk, distance_km=D("25")),
            table.fee_for(FeeKind.LABOUR, product_line_id=prn.pk),
            table.fee_for(FeeKind.TRAVEL, product_line_id=prn.pk, distance_km=D("25")),
        ]
    assert [fee.amount for fee in fees] == [D("80.00"), D("100.00"), D("80.00"), D("2.00")]
    assert all(isinstance(fee, Fee) for fee in fees)
    assert fee_table(day=date(2000, 1, 1)).fee_for(FeeKind.DIAGNOSIS, product_line_id=None) is None
