"""Price lists (catalog.services): versions, prices never changed once a list applies (a quote may
have used them: R9), cost and retail prices in CNY with 2 places, never negative (R9, R30), the
history of price changes (R41), the demo data. Every "today" is passed in."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from aftersales.catalog.choices import FeeKind, PeriodStatus
from aftersales.catalog.demo import (
    DEMO_PRICE_CHANGES,
    DEMO_PRICES,
    NATIONAL_LIST,
    REGIONAL_LIST,
    demo_seed,
    prices_demo_seed,
)
from aftersales.catalog.errors import NotLatestVersion, PricesInEffect
from aftersales.catalog.models import FeeSchedule, PriceList, PriceListItem, period_status
from aftersales.catalog.pricing import fee_for, part_price
from aftersales.catalog.services import (
    price_list_create,
    price_list_item_remove,
    price_list_item_set,
    price_list_revise,
    price_list_update,
)
from aftersales.core.models import ChangeRecord
from tests import factories as f

pytestmark = pytest.mark.django_db

D = Decimal
BEFORE = date(2025, 12, 1)  # a day before the list applies (2026-01-01)
DURING = date(2026, 3, 1)


@pytest.fixture
def fuser(db):
    return f.PartFactory(number="FU-2200")


@pytest.fixture
def price_list(fuser):
    return price_list_create(
        name="2026 零售价目表", effective_from=date(2026, 1, 1), items=[(fuser.pk, "260", "380.5")]
    )


def test_r9_r30_a_new_list_with_its_prices(price_list, fuser):
    item = price_list.items.get()
    assert (price_list.version, price_list.label, price_list.province) == (1, "2026 零售价目表 v1", "")
    assert (item.cost_price, item.retail_price) == (D("260.00"), D("380.50"))
    assert price_list.region_label == "National"
    with pytest.raises(ValidationError) as refused:
        price_list_create(name=" 2026 零售价目表 ", effective_from=date(2026, 6, 1))
    assert refused.value.error_dict["name"][0].code == "name_taken"


@pytest.mark.parametrize(
    "cost, retail, field",
    [
        ("-1", "10", "cost_price"),
        ("10", "-0.01", "retail_price"),
        ("abc", "10", "cost_price"),
        ("10", "12.345", "retail_price"),  # fen are the smallest unit: never rounded silently
        (10.5, "10", "cost_price"),  # floats are refused (core.money)
        ("10", "", "retail_price"),
    ],
)
def test_r9_prices_are_amounts_of_2_places_never_negative(price_list, fuser, cost, retail, field):
    with pytest.raises(ValidationError) as refused:
        price_list_item_set(
            price_list_id=price_list.pk, part_id=fuser.pk, cost_price=cost, retail_price=retail, today=BEFORE
        )
    assert field in refused.value.message_dict
    item = price_list.items.get()
    assert (item.cost_price, item.retail_price) == (D("260.00"), D("380.50"))


def test_the_database_refuses_negative_prices_and_a_part_twice(price_list, fuser):
    with pytest.raises(IntegrityError), transaction.atomic():
        PriceListItem.objects.filter(price_list=price_list).update(cost_price=D("-1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        PriceListItem.objects.create(price_list=price_list, part=fuser, cost_price=1, retail_price=2)
    with pytest.raises(ValidationError):
        price_list_create(
            name="重复", effective_from=date(2026, 1, 1), items=[(fuser.pk, "1", "2"), (fuser.pk, "1", "2")]
        )


def test_r9_prices_change_before_the_list_applies_and_the_change_is_in_the_history(price_list, fuser):
    """R9 (changing a price never changes a quote: only lists nobody quoted from change), R41."""
    manager = f.UserFactory(username="keeper")
    toner = f.PartFactory(number="TN-2200")
    price_list_item_set(
        price_list_id=price_list.pk,
        part_id=fuser.pk,
        cost_price="270",
        retail_price="398",
        actor=manager,
        today=BEFORE,
    )
    price_list_item_set(
        price_list_id=price_list.pk, part_id=toner.pk, cost_price="1", retail_price="2", today=BEFORE
    )
    assert price_list.items.count() == 2
    item = price_list.items.get(part=fuser)
    assert (item.cost_price, item.retail_price) == (D("270.00"), D("398.00"))
    history = ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(PriceListItem), object_id=item.pk
    )
    assert {(r.field, r.old_value, r.new_value, r.actor_id) for r in history} == {
        ("cost_price", "260.00", "270.00", manager.pk),
        ("retail_price", "380.50", "398.00", manager.pk),
    }
    price_list_item_remove(price_list_id=price_list.pk, part_id=toner.pk, today=BEFORE)
    assert price_list.items.count() == 1


def test_r9_prices_of_a_list_in_effect_are_never_edited_in_place(price_list, fuser):
    """R9: a quote may already have used them; the message says to revise instead."""
    for day in (date(2026, 1, 1), DURING):
        with pytest.raises(PricesInEffect) as refused:
            price_list_item_set(
                price_list_id=price_list.pk, part_id=fuser.pk, cost_price="1", retail_price="2", today=day
            )
        assert refused.value.code == "in_effect" and refused.value.status == 409
        assert "revise it instead" in refused.value.message
    with pytest.raises(PricesInEffect):
        price_list_item_remove(price_list_id=price_list.pk, part_id=fuser.pk, today=DURING)
    assert price_list.items.get().retail_price == D("380.50")


def test_r9_revise_copies_the_prices_into_the_next_version(price_list, fuser):
    """R9: the earlier version stays and stops applying the day before the new one."""
    actor = f.UserFactory(username="keeper")
    revision = price_list_revise(
        price_list_id=price_list.pk, effective_from=date(2026, 4, 1), actor=actor, today=DURING
    )
    price_list.refresh_from_db()
    assert (revision.name, revision.version, revision.effective_from) == (
        "2026 零售价目表",
        2,
        date(2026, 4, 1),
    )
    assert revision.effective_until is None and revision.is_active
    assert price_list.effective_until == date(2026, 3, 31)
    assert [(i.part_id, i.cost_price, i.retail_price) for i in revision.items.all()] == [
        (fuser.pk, D("260.00"), D("380.50"))
    ]
    assert price_list.items.count() == 1  # kept
    assert ChangeRecord.objects.filter(object_id=price_list.pk, field="effective_until", actor=actor).exists()
    # the new version's prices may change until it applies
    price_list_item_set(
        price_list_id=revision.pk, part_id=fuser.pk, cost_price="1", retail_price="2", today=DURING
    )
    assert price_list.items.get().retail_price == D("380.50")
    assert period_status(price_list, DURING) == PeriodStatus.IN_EFFECT
    assert period_status(revision, DURING) == PeriodStatus.UPCOMING
    assert period_status(price_list, date(2026, 4, 1)) == PeriodStatus.ENDED


def test_r9_revise_keeps_a_later_last_day_and_leaves_an_earlier_one(fuser):
    yearly = price_list_create(
        name="年度价目表", effective_from=date(2026, 1, 1), effective_until=date(2026, 12, 31), items=[]
    )
    second = price_list_revise(price_list_id=yearly.pk, effective_from=date(2026, 7, 1), today=DURING)
    assert second.effective_until == date(2026, 12, 31)
    yearly.refresh_from_db()
    assert yearly.effective_until == date(2026, 6, 30)
    short = price_list_create(
        name="短期价目表", effective_from=date(2026, 1, 1), effective_until=date(2026, 1, 31), items=[]
    )
    later = price_list_revise(price_list_id=short.pk, effective_from=date(2026, 5, 1), today=DURING)
    short.refresh_from_db()
    assert short.effective_until == date(2026, 1, 31) and later.effective_until is None


def test_r9_only_the_latest_version_is_revised_from_a_later_day(price_list):
    with pytest.raises(ValidationError) as refused:
        price_list_revise(price_list_id=price_list.pk, effective_from=DURING, today=DURING)
    assert refused.value.error_dict["effective_from"][0].code == "revision_date"
    upcoming = price_list_create(name="下半年价目表", effective_from=date(2026, 7, 1))
    with pytest.raises(ValidationError):  # not after the version it replaces
        price_list_revise(price_list_id=upcoming.pk, effective_from=date(2026, 6, 1), today=DURING)
    price_list_revise(price_list_id=price_list.pk, effective_from=date(2026, 4, 1), today=DURING)
    with pytest.raises(NotLatestVersion) as refused:
        price_list_revise(price_list_id=price_list.pk, effective_from=date(2026, 5, 1), today=DURING)
    assert refused.value.status == 409 and "v2" in refused.value.message
    assert PriceList.objects.filter(name="2026 零售价目表").count() == 2


def test_header_of_a_list_in_effect_keeps_its_past(price_list):
    with pytest.raises(PricesInEffect):
        price_list_update(price_list_id=price_list.pk, effective_from=date(2026, 2, 1), today=DURING)
    with pytest.raises(PricesInEffect):
        price_list_update(price_list_id=price_list.pk, province="广东省", today=DURING)
    with pytest.raises(PricesInEffect):
        price_list_update(price_list_id=price_list.pk, effective_until=date(2026, 2, 1), today=DURING)
    updated = price_list_update(
        price_list_id=price_list.pk, effective_until=date(2026, 12, 31), notes="年底结束", today=DURING
    )
    assert updated.effective_until == date(2026, 12, 31)
    upcoming = price_list_update(price_list_id=price_list.pk, effective_from=date(2026, 2, 1), today=BEFORE)
    assert upcoming.effective_from == date(2026, 2, 1)
    with pytest.raises(ValidationError) as refused:
        price_list_update(price_list_id=price_list.pk, effective_until=date(2026, 1, 1), today=BEFORE)
    assert "effective_until" in refused.value.message_dict


def test_r9_r10_demo_prices_and_fee_editions():
    """The demo: national v1 (last year) and v2 (this year), a regional list, editions 2023 and 2025
    with 2023 cheaper on some lines (R10's lower of two shows)."""
    for code, name in (("PRN", "打印机"), ("COP", "复印机"), ("SCN", "扫描仪")):
        f.ProductLineFactory(code=code, name=name)
    for code in ("LP-2200", "LP-3600DN", "MF-3020", "MF-6055", "CP-4500", "MF-4535C", "MF-7570C", "IJ-800"):
        f.ProductModelFactory(code=code)
    demo_seed()
    today = date(2026, 3, 1)
    PriceList.objects.all().delete()
    prices_demo_seed(today=today)
    prices_demo_seed(today=today)  # once
    national = PriceList.objects.filter(name=NATIONAL_LIST).order_by("version")
    assert [(pl.version, pl.effective_from, pl.effective_until) for pl in national] == [
        (1, date(2025, 1, 1), date(2025, 12, 31)),
        (2, date(2026, 1, 1), None),
    ]
    assert national[0].items.count() == national[1].items.count() == len(DEMO_PRICES)
    fuser = f.PartFactory(number="FU-2200-A")
    assert part_price(fuser.pk, day=date(2025, 6, 1)).retail == D(DEMO_PRICES["FU-2200-A"][1])
    assert part_price(fuser.pk, day=today).retail == D(DEMO_PRICE_CHANGES["FU-2200-A"][1])
    toner = f.PartFactory(number="TN-2200-S")
    assert part_price(toner.pk, day=today, province="广东省").label == f"{REGIONAL_LIST} v1"
    assert set(FeeSchedule.objects.values_list("code", flat=True)) == {"2023", "2025"}
    old = FeeSchedule.objects.get(code="2023")
    prn = FeeSchedule.objects.get(code="2025").standards.filter(product_line__code="PRN").first().product_line
    now = fee_for(FeeKind.LABOUR, day=today, product_line_id=prn.pk)
    card = fee_for(FeeKind.LABOUR, day=today, product_line_id=prn.pk, schedule_id=old.pk)
    assert card.amount < now.amount
    for distance, band in ((D("5"), "0–20 km"), (D("30"), "20–50 km"), (D("80"), "50+ km")):
        assert fee_for(FeeKind.VISIT, day=today, product_line_id=prn.pk, distance_km=distance).label.endswith(
            band
        )
