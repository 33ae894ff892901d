"""Reads of the catalog: product models (kept in memory) and parts, scoped by role (R37)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from aftersales.accounts.choices import FRONT_LINE_ROLES, Role
from aftersales.core.autocomplete import Lookup, register_lookup
from aftersales.core.reference import ReferenceCache

from .models import Part, PartSubstitute, ProductLine, ProductModel


def _product_models_load() -> dict[int, ProductModel]:
    return {model.pk: model for model in ProductModel.objects.select_related("product_line")}


# Every product model with its line, by id: intake resolves the model a request names from memory
# (issue 9); a few hundred rows, changed in the admin.
PRODUCT_MODELS = ReferenceCache(
    "catalog.product_models", _product_models_load, depends_on=(ProductModel, ProductLine)
)


# --- parts ---------------------------------------------------------------------------------------

# Roles that keep the parts catalog: edit it in the admin, import it, see retired parts.
PART_MANAGER_ROLES = frozenset({Role.HQ_ADMIN, Role.SUPERVISOR, Role.PARTS_CLERK})
# Roles that read it: the managers and the staff who quote, fit, order or pay for parts.
PART_READER_ROLES = PART_MANAGER_ROLES | FRONT_LINE_ROLES | {Role.FINANCE}


def can_manage_parts(user: Any) -> bool:
    return bool(user.is_authenticated and user.has_role(*PART_MANAGER_ROLES))


def can_read_parts(user: Any) -> bool:
    return bool(user.is_authenticated and user.has_role(*PART_READER_ROLES))


def part_scope(user: Any, queryset: QuerySet[Part] | None = None) -> QuerySet[Part]:
    """The parts `user` may see (R37): all for the catalog's managers, the active ones for the
    other readers (a retired part is not offered for new work), none for anyone else."""
    queryset = Part.objects.all() if queryset is None else queryset
    if can_manage_parts(user):
        return queryset
    if can_read_parts(user):
        return queryset.filter(is_active=True)
    return queryset.none()


def substitutes_of(part: Part, queryset: QuerySet[Part] | None = None) -> QuerySet[Part]:
    """The parts that may be fitted instead of `part` (R32, R40): its own substitutes, and the
    parts that list it as a substitute both ways. One query; `queryset` scopes it."""
    queryset = Part.objects.all() if queryset is None else queryset
    return queryset.filter(
        Q(pk__in=PartSubstitute.objects.filter(part=part).values("substitute_id"))
        | Q(pk__in=PartSubstitute.objects.filter(substitute=part, both_ways=True).values("part_id"))
    ).order_by("number", "pk")


def part_links(part: Part, *, user: Any = None) -> list[tuple[Part, bool, str]]:
    """(substitute, both ways?, note) of `part` for its page, the API and the export: its own
    links and the two-way ones others hold towards it, by number; with `user`, only the parts
    they may see. Reads `PART_LINKS_PREFETCH` when the rows were fetched with it (no query per
    part), else two queries."""
    rows = [(link.substitute, link.both_ways, link.note) for link in part.substitute_links.all()]
    rows += [(link.part, True, link.note) for link in part.substitute_for_links.all() if link.both_ways]
    if user is not None and not can_manage_parts(user):
        rows = [row for row in rows if row[0].is_active]
    return sorted(rows, key=lambda row: row[0].number)


# What `part_links` reads, to prefetch with a list of parts.
PART_LINKS_PREFETCH = (
    Prefetch("substitute_links", queryset=PartSubstitute.objects.select_related("substitute")),
    Prefetch("substitute_for_links", queryset=PartSubstitute.objects.select_related("part")),
)


# The parts a quote or a part request chooses from, loaded on demand (core.autocomplete).
register_lookup(
    Lookup(
        name="parts",
        scope=lambda user: part_scope(user).order_by("number", "pk"),
        search=lambda rows, text: rows.filter(Q(number__icontains=text) | Q(name__icontains=text)),
        label=lambda part: f"{part.number} {part.name}",
        detail=lambda part: part.get_category_display(),
        searches="part number or name",
    )
)
