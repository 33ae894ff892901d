"""Parts catalog rules: numbers, substitutes, demo data (R12 parts used, R32 substitutes known,
R36 part categories decide warranty cover)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from aftersales.catalog.choices import PartCategory, PartUnit
from aftersales.catalog.demo import DEMO_PARTS, demo_seed
from aftersales.catalog.models import Part, PartSubstitute
from aftersales.catalog.selectors import part_links, substitutes_of
from aftersales.catalog.services import (
    part_create,
    part_substitute_add,
    part_substitutes_set,
    part_update,
)
from tests import factories as f

pytestmark = pytest.mark.django_db


def numbers(parts) -> list[str]:
    return [part.number for part in parts]


def test_r12_part_number_is_trimmed_upper_case_and_unique():
    model = f.ProductModelFactory(code="LP-2200")
    part = part_create(number="  fu-2200-a ", name="定影组件", fits=[model])
    assert part.number == "FU-2200-A"
    assert part.category == PartCategory.NORMAL and part.unit == PartUnit.PIECE and part.is_active
    assert list(part.fits.all()) == [model]
    with pytest.raises(ValidationError) as refused:
        part_create(number="Fu-2200-a", name="另一个")
    assert "number" in refused.value.message_dict
    assert Part.objects.count() == 1


def test_r12_part_update_keeps_the_number_rules():
    part_create(number="TN-1", name="墨粉盒")
    other = part_create(number="TN-2", name="墨粉盒")
    with pytest.raises(ValidationError):
        part_update(part=other, number=" tn-1")
    updated = part_update(
        part=Part.objects.get(number="TN-2"), name="墨粉盒（高容）", category=PartCategory.CONSUMABLE
    )
    assert updated.name == "墨粉盒（高容）" and updated.category == "consumable"


def test_r12_part_name_is_required():
    with pytest.raises(ValidationError) as refused:
        part_create(number="X-1", name="  ")
    assert "name" in refused.value.message_dict


def test_r32_a_part_never_substitutes_itself():
    part = f.PartFactory(number="FU-1")
    with pytest.raises(ValidationError):
        part_substitute_add(part=part, substitute=part)
    with pytest.raises(ValidationError):
        PartSubstitute(part=part, substitute=part).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses it too
        PartSubstitute.objects.create(part=part, substitute=part)


def test_r32_substitutes_one_way_from_the_part_two_way_in_either_direction():
    a, b, c, d = (f.PartFactory(number=n) for n in ("A-1", "B-1", "C-1", "D-1"))
    part_substitute_add(part=a, substitute=b)  # b may replace a, not the reverse
    part_substitute_add(part=c, substitute=a, both_ways=True)  # a and c replace each other
    part_substitute_add(part=d, substitute=a)  # a may replace d: nothing for a
    assert numbers(substitutes_of(a)) == ["B-1", "C-1"]
    assert numbers(substitutes_of(b)) == []
    assert numbers(substitutes_of(c)) == ["A-1"]
    assert numbers(substitutes_of(d)) == ["A-1"]
    assert [(p.number, both) for p, both, _note in part_links(a)] == [("B-1", False), ("C-1", True)]


def test_r32_a_pair_is_stored_once_and_widened_to_both_ways():
    a, b = f.PartFactory(number="A-1"), f.PartFactory(number="B-1")
    part_substitute_add(part=a, substitute=b)
    part_substitute_add(part=b, substitute=a, both_ways=True)
    assert PartSubstitute.objects.count() == 1
    link = PartSubstitute.objects.get()
    assert (link.part, link.substitute, link.both_ways) == (a, b, True)
    assert numbers(substitutes_of(b)) == ["A-1"]
    with pytest.raises(IntegrityError), transaction.atomic():
        PartSubstitute.objects.create(part=a, substitute=b)


def test_r32_substitutes_set_makes_the_list_exact():
    a, b, c, d = (f.PartFactory(number=n) for n in ("A-1", "B-1", "C-1", "D-1"))
    part_substitute_add(part=a, substitute=b)
    part_substitute_add(part=c, substitute=a, both_ways=True)
    part_substitute_add(part=d, substitute=a)  # d's own link: stays
    part_substitutes_set(part=a, one_way=[c], both_ways=[b])
    assert [(p.number, both) for p, both, _note in part_links(a)] == [("B-1", True), ("C-1", False)]
    assert numbers(substitutes_of(d)) == ["A-1"]
    with pytest.raises(ValidationError):
        part_substitutes_set(part=a, one_way=[b], both_ways=[b])
    with pytest.raises(ValidationError):
        part_substitutes_set(part=a, one_way=[a], both_ways=[])


def test_r36_demo_parts_fit_the_demo_models_with_wear_parts_and_consumables():
    for code in ("LP-2200", "LP-3600DN", "MF-3020", "MF-6055"):
        f.ProductModelFactory(code=code)
    demo_seed()
    demo_seed()  # once only
    assert Part.objects.count() == len(DEMO_PARTS) >= 12
    categories = set(Part.objects.values_list("category", flat=True))
    assert {PartCategory.WEAR, PartCategory.CONSUMABLE, PartCategory.NORMAL} <= categories
    assert Part.objects.get(number="FU-2200-A").fits.get().code == "LP-2200"
    assert numbers(substitutes_of(Part.objects.get(number="FU-3600-B"))) == ["FU-3600-A"]
    assert numbers(substitutes_of(Part.objects.get(number="MB-2200-V2"))) == []
