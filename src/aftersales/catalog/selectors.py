"""Reads of the catalog: product models (kept in memory), parts, price lists and fee schedules,
scoped by role (R37). What a part or fee costs on a day is `catalog.pricing`."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Prefetch, Q, QuerySet

from aftersales.accounts.choices import FRONT_LINE_ROLES, Role
from aftersales.accounts.selectors import dealers_in_scope
from aftersales.core.autocomplete import Lookup, register_lookup
from aftersales.core.models import ChangeRecord
from aftersales.core.reference import ReferenceCache

from .models import (
    FeeSchedule,
    FeeStandard,
    Part,
    PartSubstitute,
    PriceList,
    PriceListItem,
    ProductLine,
    ProductModel,
)


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
# Who they are, as the API's descriptions say.
PART_MANAGER_ROLES_TEXT = "HQ admin, supervisor, parts clerk"
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


def substitutes_by_part(part_ids: list[int], *, user: Any) -> dict[int, list[Part]]:
    """The substitutes the user may see of each of these parts (R32, R40: what a quote suggests
    instead of a part), by part id, in two queries: each link both ways when it says so."""
    if not part_ids:
        return {}
    links = PartSubstitute.objects.filter(
        Q(part_id__in=part_ids) | Q(substitute_id__in=part_ids, both_ways=True)
    ).select_related("part", "substitute")
    visible = set(
        part_scope(user)
        .filter(pk__in=[pk for link in links for pk in (link.part_id, link.substitute_id)])
        .values_list("pk", flat=True)
    )
    found: dict[int, list[Part]] = {pk: [] for pk in part_ids}
    for link in links:
        for asked, offered in ((link.part, link.substitute), (link.substitute, link.part)):
            wanted = asked.pk in found and offered.pk in visible and (asked == link.part or link.both_ways)
            if wanted and offered not in found[asked.pk]:
                found[asked.pk].append(offered)
    return {pk: sorted(parts, key=lambda p: p.number) for pk, parts in found.items() if parts}


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


# --- price lists and fee standards ----------------------------------------------------------------
# Kept and read by the same roles as the parts catalog: its keepers revise and import prices; the
# staff who quote, fit or pay read them (finance for R30's dealer charges); others see none.


def can_manage_prices(user: Any) -> bool:
    return can_manage_parts(user)


def can_read_prices(user: Any) -> bool:
    return can_read_parts(user)


def price_list_scope(user: Any, queryset: QuerySet[PriceList] | None = None) -> QuerySet[PriceList]:
    """The price lists `user` may see: all for the keepers, the active ones for the readers."""
    queryset = PriceList.objects.all() if queryset is None else queryset
    if can_manage_prices(user):
        return queryset
    if can_read_prices(user):
        return queryset.filter(is_active=True)
    return queryset.none()


def price_list_list(user: Any) -> QuerySet[PriceList]:
    """The lists `user` may see with their number of items, newest first within a name."""
    return price_list_scope(user).annotate(item_count=Count("items")).order_by("name", "-version", "pk")


def price_list_versions(price_list: PriceList, user: Any) -> QuerySet[PriceList]:
    """Every version of a list `user` may see, latest first."""
    return price_list_scope(user).filter(name=price_list.name).order_by("-version")


def price_list_items(price_list: PriceList) -> QuerySet[PriceListItem]:
    """The prices of a list with their parts, by part number."""
    return price_list.items.select_related("part").order_by("part__number", "pk")


def fee_schedule_scope(user: Any, queryset: QuerySet[FeeSchedule] | None = None) -> QuerySet[FeeSchedule]:
    """The fee editions `user` may see: all for the keepers; for the other readers the active
    ones of HQ and of the dealers they work with (a dealer's staff never see another dealer's
    local standard, R30, R37)."""
    queryset = FeeSchedule.objects.all() if queryset is None else queryset
    if can_manage_prices(user):
        return queryset
    if not can_read_prices(user):
        return queryset.none()
    visible = queryset.filter(is_active=True)
    if user.sees_whole_company:
        return visible
    return visible.filter(Q(dealer__isnull=True) | Q(dealer__in=dealers_in_scope(user)))


def fee_schedule_list(user: Any) -> QuerySet[FeeSchedule]:
    return (
        fee_schedule_scope(user)
        .select_related("dealer")
        .annotate(standard_count=Count("standards"))
        .order_by("-effective_from", "pk")
    )


def fee_standards(schedule: FeeSchedule) -> QuerySet[FeeStandard]:
    """The standards of an edition, by kind, product line (every line first), province, band."""
    return schedule.standards.select_related("product_line").order_by(
        "kind",
        F("product_line__code").asc(nulls_first=True),
        "province",
        F("distance_from_km").asc(nulls_first=True),
        "pk",
    )


def fee_schedule_history(schedule: FeeSchedule) -> QuerySet[ChangeRecord]:
    """R30: the decisions on a dealer's standard (who, when, from, to, the reason), oldest first."""
    return (
        ChangeRecord.objects.filter(
            content_type=ContentType.objects.get_for_model(FeeSchedule), object_id=schedule.pk
        )
        .select_related("actor")
        .order_by("created_at", "id")
    )
