"""What a part or a fee costs on a given day: the reads billing calls to build a quote (R9), to
charge dealers at cost (R30) and to compare a warranty card's fee edition with the current one
(R10). Plain functions over the catalog; every answer names where it came from (`label`), so a
quote line can say "2026 零售价目表 v2" or "2025版收费标准 · 上门费 0–20 km".

Part prices: among the active price lists in effect on the day (`effective_from <= day <=
effective_until`) that price the part, a regional list for the province beats the national one,
then the highest version, then the latest start. A regional list that does not price the part
leaves it to the national one.

Fees: the standards of one edition (the one in effect on the day, or the one named, e.g. by a
warranty card). A dealer's own edition (R30) is used for its service points once HQ approved it,
in place of HQ's; one not approved (submitted or rejected) is never used to price anything, not
even when named. Of the standards matching, the most specific wins: a product line's over every line's,
then a province's over the national one, then the distance band holding the distance (bands are
[from, to) and never overlap within one scope; an unbanded standard holds every distance).

`part_prices` prices many parts in one query and `fee_table` loads an edition once, so a quote of
many lines costs a fixed number of queries. Amounts are `Decimal` with 2 places (core.money).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q

from .choices import FeeApproval
from .models import FeeSchedule, FeeStandard, PriceListItem


@dataclass(frozen=True)
class PartPrice:
    """A part's prices on a day and the list they come from."""

    retail: Decimal  # what the customer pays (R9)
    cost: Decimal  # what HQ charges dealers (R30)
    price_list_id: int
    label: str  # "2026 零售价目表 v2"


@dataclass(frozen=True)
class Fee:
    """A fee standard's amount and the edition and standard it comes from."""

    amount: Decimal
    unit: str  # catalog.choices.FeeUnit: per_time, per_hour, per_km
    schedule_id: int
    standard_id: int
    label: str  # "2025版收费标准 · 上门费 0–20 km"


def _in_effect(day: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}is_active": True, f"{prefix}effective_from__lte": day}) & (
        Q(**{f"{prefix}effective_until__isnull": True}) | Q(**{f"{prefix}effective_until__gte": day})
    )


def part_prices(part_ids: Iterable[int], *, day: date, province: str = "") -> dict[int, PartPrice]:
    """The prices of these parts on `day` in `province` (blank: national lists only), by part id;
    a part no list in effect prices is absent. One query."""
    ids = set(part_ids)
    if not ids:
        return {}
    province = (province or "").strip()
    regions = (
        Q(price_list__province="") | Q(price_list__province=province)
        if province
        else Q(price_list__province="")
    )
    items = (
        PriceListItem.objects.filter(_in_effect(day, "price_list__"), regions, part_id__in=ids)
        .select_related("price_list")
        .order_by()
    )
    best: dict[int, PriceListItem] = {}

    def rank(item: PriceListItem) -> tuple[bool, int, date, int]:
        price_list = item.price_list
        return (bool(price_list.province), price_list.version, price_list.effective_from, price_list.pk)

    for item in items:
        current = best.get(item.part_id)
        if current is None or rank(item) > rank(current):
            best[item.part_id] = item
    return {
        part_id: PartPrice(
            retail=item.retail_price,
            cost=item.cost_price,
            price_list_id=item.price_list_id,
            label=item.price_list.label,
        )
        for part_id, item in best.items()
    }


def part_price(part_id: int, *, day: date, province: str = "") -> PartPrice | None:
    """The price of one part on `day` in `province` (see the module docstring), or None."""
    return part_prices([part_id], day=day, province=province).get(part_id)


def schedule_in_effect(day: date, *, dealer_id: int | None = None) -> FeeSchedule | None:
    """The fee edition in effect on `day`: active, started, not ended; the latest start wins. For a
    dealer's service point, the dealer's own approved edition in effect comes first (R30); else,
    and for everyone else, HQ's."""
    editions = FeeSchedule.objects.filter(_in_effect(day), approval_state=FeeApproval.APPROVED)
    latest = ("-effective_from", "-pk")
    if dealer_id is not None:
        own = editions.filter(dealer_id=dealer_id).order_by(*latest).first()
        if own is not None:
            return own
    return editions.filter(dealer__isnull=True).order_by(*latest).first()


class FeeTable:
    """The standards of one fee edition, loaded once, answering `fee_for` without queries."""

    def __init__(self, schedule: FeeSchedule | None) -> None:
        self.schedule = schedule
        self.standards: list[FeeStandard] = (
            list(FeeStandard.objects.filter(schedule=schedule).select_related("product_line"))
            if schedule is not None
            else []
        )

    def fee_for(
        self,
        kind: str,
        *,
        product_line_id: int | None,
        province: str = "",
        distance_km: Decimal | None = None,
    ) -> Fee | None:
        """The most specific standard of `kind` matching the line, province and distance."""
        schedule = self.schedule
        if schedule is None:
            return None
        province = (province or "").strip()
        matches = [
            standard
            for standard in self.standards
            if standard.kind == kind
            and standard.product_line_id in (None, product_line_id)
            and standard.province in ("", province)
            and standard.covers(distance_km)
        ]
        if not matches:
            return None
        best = max(
            matches,
            key=lambda s: (s.product_line_id is not None, bool(s.province), s.banded, -s.pk),
        )
        return Fee(
            amount=best.amount,
            unit=best.unit,
            schedule_id=schedule.pk,
            standard_id=best.pk,
            label=f"{schedule.name} · {best.scope_label}",
        )


def fee_table(*, day: date, schedule_id: int | None = None, dealer_id: int | None = None) -> FeeTable:
    """The edition `schedule_id` (whatever its dates: a warranty card's edition, R10; empty when it
    is a dealer's not approved, R30), or else the one in effect on `day` (for `dealer_id`'s
    service points: its approved own edition first), loaded for many `fee_for` calls (two
    queries)."""
    if schedule_id is not None:
        named = FeeSchedule.objects.filter(pk=schedule_id, approval_state=FeeApproval.APPROVED)
        return FeeTable(named.first())
    return FeeTable(schedule_in_effect(day, dealer_id=dealer_id))


def fee_for(
    kind: str,
    *,
    day: date,
    product_line_id: int | None,
    province: str = "",
    distance_km: Decimal | None = None,
    schedule_id: int | None = None,
    dealer_id: int | None = None,
) -> Fee | None:
    """The fee of `kind` (catalog.choices.FeeKind, not `part`) on `day` for a product line, a
    province and, for visit and travel fees, a distance in km; from the edition in effect (a
    dealer's approved own one for `dealer_id`, R30), or from `schedule_id`'s. None when no
    standard matches (or no edition applies)."""
    return fee_table(day=day, schedule_id=schedule_id, dealer_id=dealer_id).fee_for(
        kind, product_line_id=product_line_id, province=province, distance_km=distance_km
    )


def unapproved_fee_for(
    kind: str,
    *,
    day: date,
    dealer_id: int,
    product_line_id: int | None,
    province: str = "",
    distance_km: Decimal | None = None,
) -> Fee | None:
    """R30: the dealer's own standard for the line from an edition in its dates that HQ has not
    approved (awaiting approval or rejected). Never a price to charge: billing asks it only to
    recognise a fee entered by hand at that rate, which is then flagged. None when there is none."""
    pending = (
        FeeSchedule.objects.filter(_in_effect(day), dealer_id=dealer_id)
        .exclude(approval_state=FeeApproval.APPROVED)
        .order_by("-effective_from", "-pk")
        .first()
    )
    if pending is None:
        return None
    return FeeTable(pending).fee_for(
        kind, product_line_id=product_line_id, province=province, distance_km=distance_km
    )


__all__ = [
    "Fee",
    "FeeTable",
    "PartPrice",
    "fee_for",
    "fee_table",
    "part_price",
    "part_prices",
    "schedule_in_effect",
    "unapproved_fee_for",
]
