"""Fee standards (收费标准, catalog.services): editions with dated standards for diagnosis, visit,
labour and travel fees (R9), distance bands that never overlap within one scope, editions that are
never edited once they apply (warranty cards name them: R10). Every "today" is passed in."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from aftersales.catalog.choices import FeeKind, FeeUnit
from aftersales.catalog.errors import PricesInEffect
from aftersales.catalog.models import FeeStandard
from aftersales.catalog.services import (
    fee_schedule_create,
    fee_schedule_update,
    fee_standard_add,
    fee_standard_remove,
    fee_standard_update,
)
from aftersales.core.models import ChangeRecord
from tests import factories as f

pytestmark = pytest.mark.django_db

D = Decimal
BEFORE, DURING = date(2026, 12, 1), date(2027, 3, 1)


@pytest.fixture
def edition(db):
    """The 2027 edition, prepared in 2026."""
    return fee_schedule_create(code="2027", name="2027版收费标准", effective_from=date(2027, 1, 1))


def visit(edition, low, high, amount="60", **kwargs):
    return fee_standard_add(
        schedule_id=edition.pk,
        kind=FeeKind.VISIT,
        amount=amount,
        distance_from_km=D(low) if low is not None else None,
        distance_to_km=D(high) if high is not None else None,
        today=BEFORE,
        **kwargs,
    )


def test_r9_standards_of_an_edition(edition):
    line = f.ProductLineFactory(code="PRN", name="打印机")
    near = visit(edition, "0", "20")
    labour = fee_standard_add(
        schedule_id=edition.pk,
        kind=FeeKind.LABOUR,
        amount="80",
        unit=FeeUnit.PER_HOUR,
        product_line_id=line.pk,
        today=BEFORE,
    )
    far = visit(edition, "50", None, amount="150")
    assert near.amount == D("60.00") and near.band_label == "0–20 km" and far.band_label == "50+ km"
    assert labour.scope_label == "Labour（打印机）" and labour.band_label == ""
    assert (
        f.FeeStandardFactory.build(province="上海市", kind=FeeKind.TRAVEL).scope_label
        == "Travel and logistics 上海市"
    )


@pytest.mark.parametrize(
    "low, high",
    [("10", "30"), ("0", "5"), ("19.99", None), (None, None), ("0", "20")],
)
def test_r9_bands_of_one_scope_never_overlap(edition, low, high):
    visit(edition, "0", "20")
    with pytest.raises(ValidationError) as refused:
        visit(edition, low, high)
    assert refused.value.error_dict["distance_from_km"][0].code == "band_overlap"


def test_r9_bands_meet_without_overlapping_and_other_scopes_are_separate(edition):
    line = f.ProductLineFactory(code="COP")
    visit(edition, "0", "20")
    visit(edition, "20", "50")
    visit(edition, "50", None)
    visit(edition, "0", "20", province="上海市")  # a province's own bands
    visit(edition, "0", None, product_line_id=line.pk)  # a line's single visit fee
    assert FeeStandard.objects.filter(schedule=edition).count() == 5


@pytest.mark.parametrize(
    "kind, low, high, field, code",
    [
        (FeeKind.PART, None, None, "kind", "fee_kind"),
        (FeeKind.DIAGNOSIS, "0", "20", "distance_from_km", "band_kind"),
        (FeeKind.LABOUR, "0", None, "distance_from_km", "band_kind"),
        (FeeKind.VISIT, "20", "20", "distance_to_km", "band_order"),
        (FeeKind.TRAVEL, "50", "20", "distance_to_km", "band_order"),
    ],
)
def test_r9_what_a_standard_may_not_be(edition, kind, low, high, field, code):
    with pytest.raises(ValidationError) as refused:
        fee_standard_add(
            schedule_id=edition.pk,
            kind=kind,
            amount="10",
            distance_from_km=D(low) if low else None,
            distance_to_km=D(high) if high else None,
            today=BEFORE,
        )
    assert refused.value.error_dict[field][0].code == code


def test_amounts_are_never_negative_nor_more_precise_than_a_fen(edition):
    for amount in ("-5", "9.999", "五十"):
        with pytest.raises(ValidationError) as refused:
            fee_standard_add(schedule_id=edition.pk, kind=FeeKind.DIAGNOSIS, amount=amount, today=BEFORE)
        assert "amount" in refused.value.message_dict
    standard = fee_standard_add(schedule_id=edition.pk, kind=FeeKind.DIAGNOSIS, amount="0", today=BEFORE)
    with pytest.raises(IntegrityError), transaction.atomic():
        FeeStandard.objects.filter(pk=standard.pk).update(amount=D("-1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        FeeStandard.objects.filter(pk=standard.pk).update(kind=FeeKind.PART)


def test_r10_an_edition_in_effect_is_never_edited(edition):
    """R10: warranty cards and quotes name the edition; a new edition changes fees, not an edit."""
    actor = f.UserFactory(username="keeper")
    diagnosis = fee_standard_add(schedule_id=edition.pk, kind=FeeKind.DIAGNOSIS, amount="50", today=BEFORE)
    fee_standard_update(standard_id=diagnosis.pk, amount="55", actor=actor, today=BEFORE)
    diagnosis.refresh_from_db()
    assert diagnosis.amount == D("55.00")
    assert ChangeRecord.objects.filter(
        object_id=diagnosis.pk, field="amount", old_value="50.00", new_value="55.00"
    )
    for call in (
        lambda: fee_standard_add(schedule_id=edition.pk, kind=FeeKind.TRAVEL, amount="2", today=DURING),
        lambda: fee_standard_update(standard_id=diagnosis.pk, amount="60", today=DURING),
        lambda: fee_standard_remove(standard_id=diagnosis.pk, today=DURING),
        lambda: fee_standard_update(standard_id=diagnosis.pk, amount="60", today=date(2027, 1, 1)),
        lambda: fee_schedule_update(schedule_id=edition.pk, effective_from=date(2027, 2, 1), today=DURING),
    ):
        with pytest.raises(PricesInEffect) as refused:
            call()
        assert refused.value.code == "in_effect" and refused.value.status == 409
    diagnosis.refresh_from_db()
    assert diagnosis.amount == D("55.00")
    ended = fee_schedule_update(schedule_id=edition.pk, effective_until=date(2027, 12, 31), today=DURING)
    assert ended.effective_until == date(2027, 12, 31)
    fee_standard_remove(standard_id=diagnosis.pk, today=BEFORE)
    assert not FeeStandard.objects.filter(pk=diagnosis.pk).exists()


def test_an_edition_with_its_standards_at_once_and_its_own_rules(db):
    with pytest.raises(ValidationError) as refused:
        fee_schedule_create(
            code="2026",
            name="2026版收费标准",
            effective_from=date(2026, 1, 1),
            standards=[
                {
                    "kind": FeeKind.VISIT,
                    "amount": "60",
                    "distance_from_km": D("0"),
                    "distance_to_km": D("20"),
                },
                {
                    "kind": FeeKind.VISIT,
                    "amount": "90",
                    "distance_from_km": D("10"),
                    "distance_to_km": D("30"),
                },
            ],
        )
    assert "distance_from_km" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        fee_schedule_create(
            code="X", name="X", effective_from=date(2026, 1, 1), effective_until=date(2025, 1, 1)
        )
    assert refused.value.error_dict["effective_until"][0].code == "date_order"
    with pytest.raises(ValidationError) as refused:
        fee_schedule_create(code="  ", name="X", effective_from=date(2026, 1, 1))
    assert "code" in refused.value.message_dict
    fee_schedule_create(code="2026", name="2026版收费标准", effective_from=date(2026, 1, 1))
    with pytest.raises(ValidationError):
        fee_schedule_create(code="2026", name="另一版", effective_from=date(2026, 6, 1))
