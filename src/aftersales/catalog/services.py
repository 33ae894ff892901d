"""Writes of the parts catalog: every create, edit and substitute link goes through here (pages,
admin, import and demo alike), validated with `full_clean()` inside one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from .choices import PartCategory, PartUnit
from .models import Part, PartSubstitute, ProductModel, part_number_normalize

# Fields of a part that `part_update` may change (fits and substitutes have their own calls).
PART_FIELDS = frozenset({"number", "name", "category", "unit", "serialised", "is_active", "notes"})


@transaction.atomic
def part_create(
    *,
    number: str,
    name: str,
    category: str = PartCategory.NORMAL,
    unit: str = PartUnit.PIECE,
    fits: Iterable[ProductModel] = (),
    serialised: bool = False,
    is_active: bool = True,
    notes: str = "",
    actor: Any = None,
) -> Part:
    """A new part; its number is normalised (trimmed, upper case) and must be new (R12, R32)."""
    part = Part(
        number=part_number_normalize(number),
        name=name,
        category=category,
        unit=unit,
        serialised=serialised,
        is_active=is_active,
        notes=notes,
    )
    part.full_clean()
    part.save()
    part.fits.set(list(fits))
    return part


@transaction.atomic
def part_update(
    *, part: Part, fits: Iterable[ProductModel] | None = None, actor: Any = None, **fields: Any
) -> Part:
    """Change a part's fields (and, when given, the models it fits); same rules as on creation."""
    unknown = set(fields) - PART_FIELDS
    if unknown:
        raise TypeError(f"part_update: unknown fields {sorted(unknown)}")
    if "number" in fields:
        fields["number"] = part_number_normalize(fields["number"])
    for name, value in fields.items():
        setattr(part, name, value)
    part.full_clean()
    part.save()
    if fits is not None:
        part.fits.set(list(fits))
    return part


@transaction.atomic
def part_substitute_add(
    *, part: Part, substitute: Part, both_ways: bool = False, note: str = "", actor: Any = None
) -> PartSubstitute:
    """`substitute` may replace `part` (and the reverse when `both_ways`). A pair already linked
    the other way round is widened to both ways instead of stored twice."""
    if part.pk == substitute.pk:
        raise ValidationError({"substitute": _("A part cannot be its own substitute.")}, code="itself")
    reverse = PartSubstitute.objects.filter(part=substitute, substitute=part).first()
    if both_ways and reverse is not None:
        reverse.both_ways = True
        reverse.note = note or reverse.note
        reverse.full_clean()
        reverse.save()
        return reverse
    link = PartSubstitute.objects.filter(part=part, substitute=substitute).first() or PartSubstitute(
        part=part, substitute=substitute
    )
    link.both_ways = both_ways
    link.note = note or link.note
    link.full_clean()
    link.save()
    return link


@transaction.atomic
def part_substitutes_set(
    *, part: Part, one_way: Iterable[Part], both_ways: Iterable[Part], actor: Any = None
) -> None:
    """Make `part`'s substitutes exactly these (as an import row or an edit form lists them):
    `one_way` may replace the part, `both_ways` may replace it and be replaced by it. Links other
    parts hold one way towards this part are theirs and stay."""
    one_way_ids = {p.pk: p for p in one_way}
    both_ids = {p.pk: p for p in both_ways}
    if part.pk in one_way_ids or part.pk in both_ids:
        raise ValidationError({"substitute": _("A part cannot be its own substitute.")}, code="itself")
    twice = set(one_way_ids) & set(both_ids)
    if twice:
        numbers = "、".join(sorted(both_ids[pk].number for pk in twice))
        raise ValidationError(
            {"substitute": _("Listed both one way and both ways: %(numbers)s.") % {"numbers": numbers}},
            code="twice",
        )
    for link in PartSubstitute.objects.filter(Q(part=part) | Q(substitute=part, both_ways=True)):
        other = link.substitute_id if link.part_id == part.pk else link.part_id
        if link.part_id == part.pk and other in one_way_ids:
            continue  # adjusted below
        if other in both_ids:
            continue
        link.delete()
    for substitute in one_way_ids.values():
        part_substitute_add(part=part, substitute=substitute, both_ways=False, actor=actor)
    for substitute in both_ids.values():
        part_substitute_add(part=part, substitute=substitute, both_ways=True, actor=actor)
