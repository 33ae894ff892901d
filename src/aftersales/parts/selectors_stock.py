"""Reads of the stock desk (R32, R37): warehouses, balances, the ledger, transfers, counts, reorder
rules and alerts, each scoped in SQL to the warehouses the user may see; the shortage help
(substitutes, then the nearest warehouses holding the part) and the nightly ledger check's query.

Who sees which warehouses:
- the company-wide roles (parts clerks, supervisors, HQ admins, finance, quality, and the service
  centre's agents, dispatchers and clerks) see every warehouse;
- dealer staff see the warehouses of their dealer's service points (their stores, defective
  locations and their engineers' vans);
- an engineer sees their own van and their service point's store.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from aftersales.accounts.choices import Role
from aftersales.accounts.models import ServicePoint
from aftersales.catalog.models import Part
from aftersales.catalog.selectors import substitutes_by_part
from aftersales.core.autocomplete import Lookup, register_lookup
from aftersales.core.money import cny

from .choices import WarehouseKind
from .models import (
    CountEvent,
    ReorderRule,
    StockAlert,
    StockBalance,
    StockCount,
    StockCountLine,
    StockMove,
    StockTransfer,
    TransferEvent,
    TransferLine,
    Warehouse,
)

# --- warehouses ------------------------------------------------------------------------------------


def warehouse_scope(user: Any) -> QuerySet[Warehouse]:
    """The warehouses `user` may see (see the module docstring), with their service point and
    engineer."""
    rows = Warehouse.objects.select_related("service_point", "engineer__user", "engineer__service_point")
    if user is None or not user.is_authenticated:
        return rows.none()
    if user.sees_whole_company:
        return rows
    if user.role == Role.DEALER_STAFF and user.dealer_id:
        return rows.filter(
            Q(service_point__dealer_id=user.dealer_id) | Q(engineer__service_point__dealer_id=user.dealer_id)
        )
    engineer = getattr(user, "engineer", None)
    if user.role == Role.ENGINEER and engineer is not None:
        return rows.filter(
            Q(engineer=engineer)
            | Q(kind=WarehouseKind.SERVICE_POINT, service_point_id=engineer.service_point_id)
        )
    return rows.none()


def may_see_stock(user: Any) -> bool:
    """Whether the stock pages are for the user at all (the menu item): the company-wide roles,
    dealer staff of a dealer, engineers."""
    if user is None or not user.is_authenticated:
        return False
    if user.sees_whole_company:
        return True
    if user.role == Role.DEALER_STAFF:
        return bool(user.dealer_id)
    return user.role == Role.ENGINEER and getattr(user, "engineer", None) is not None


def warehouse_get(user: Any, pk: int) -> Warehouse:
    """One warehouse the user may see (Warehouse.DoesNotExist otherwise: a 404)."""
    return warehouse_scope(user).get(pk=pk)


def warehouse_point(warehouse: Warehouse) -> ServicePoint | None:
    """Where a warehouse is: its service point, or its engineer's (a van); None for HQ's."""
    if warehouse.service_point_id:
        return warehouse.service_point
    engineer = warehouse.engineer if warehouse.engineer_id else None
    return engineer.service_point if engineer is not None else None


def warehouse_dealer_id(warehouse: Warehouse) -> int | None:
    """The dealer whose warehouse it is (None: HQ's, or a service point HQ runs)."""
    point = warehouse_point(warehouse)
    return point.dealer_id if point is not None else None


def warehouse_list(user: Any) -> QuerySet[Warehouse]:
    """The warehouses list: how many parts each holds and how many units (integers, in SQL)."""
    held = StockBalance.objects.filter(warehouse=OuterRef("pk"), on_hand__gt=0).order_by()
    return warehouse_scope(user).annotate(
        part_count=Coalesce(Subquery(held.values("warehouse").annotate(n=Count("pk")).values("n")[:1]), 0),
        unit_count=Coalesce(Subquery(held.values("warehouse").annotate(n=Sum("on_hand")).values("n")[:1]), 0),
    )


def destination_scope(user: Any) -> QuerySet[Warehouse]:
    """Where the user may send parts: the active warehouses they see, and HQ's (a dealer sends
    surplus or faulty stock back to HQ)."""
    visible = warehouse_scope(user).values("pk")
    return Warehouse.objects.filter(
        Q(pk__in=visible) | Q(service_point__isnull=True, engineer__isnull=True), is_active=True
    ).select_related("service_point", "engineer__user", "engineer__service_point")


def _warehouse_search(rows: QuerySet[Warehouse], text: str) -> QuerySet[Warehouse]:
    return rows.filter(Q(code__icontains=text) | Q(name__icontains=text))


register_lookup(
    Lookup(
        name="stock-destinations",
        scope=lambda user: destination_scope(user).order_by("code"),
        search=_warehouse_search,
        label=lambda warehouse: warehouse.name,
        detail=lambda warehouse: f"{warehouse.code} · {warehouse.get_kind_display()}",
        searches="code or name",
    )
)
register_lookup(
    Lookup(
        name="warehouses",
        scope=lambda user: warehouse_scope(user).filter(is_active=True).order_by("code"),
        search=_warehouse_search,
        label=lambda warehouse: warehouse.name,
        detail=lambda warehouse: f"{warehouse.code} · {warehouse.get_kind_display()}",
        searches="code or name",
    )
)


# --- balances and the ledger -----------------------------------------------------------------------


def _rule(field_name: str) -> Subquery:
    rule = ReorderRule.objects.filter(warehouse_id=OuterRef("warehouse_id"), part_id=OuterRef("part_id"))
    return Subquery(rule.values(field_name)[:1])


def balance_scope(user: Any, queryset: QuerySet[StockBalance] | None = None) -> QuerySet[StockBalance]:
    """The balances of the warehouses `user` may see, with their part and warehouse, the reorder
    point (`reorder_minimum`, None without a rule) and `projected_quantity` (on hand + in transit −
    reserved; integers, computed in SQL so the list filters and sorts on them)."""
    queryset = StockBalance.objects.all() if queryset is None else queryset
    return (
        queryset.filter(warehouse__in=warehouse_scope(user).values("pk"))
        .select_related("warehouse__service_point", "part")
        .annotate(
            reorder_minimum=_rule("minimum"),
            reorder_target=_rule("target"),
            projected_quantity=F("on_hand") + F("in_transit") - F("reserved"),
        )
    )


def move_scope(user: Any) -> QuerySet[StockMove]:
    """The ledger of the warehouses `user` may see, with who posted, the part, the warehouse and
    the work order."""
    return StockMove.objects.filter(warehouse__in=warehouse_scope(user).values("pk")).select_related(
        "warehouse", "part", "posted_by", "work_order"
    )


# --- transfers and counts --------------------------------------------------------------------------


def transfer_scope(user: Any) -> QuerySet[StockTransfer]:
    """The transfers from or to a warehouse `user` may see."""
    visible = warehouse_scope(user).values("pk")
    return StockTransfer.objects.filter(Q(source__in=visible) | Q(destination__in=visible)).select_related(
        "source__service_point",
        "source__engineer__service_point",
        "destination__service_point",
        "destination__engineer__service_point",
        "created_by",
        "shipped_by",
        "received_by",
        "work_order",
    )


def transfer_get(user: Any, pk: int) -> StockTransfer:
    """One transfer the user may see with its lines and steps (DoesNotExist otherwise: a 404)."""
    return (
        transfer_scope(user)
        .prefetch_related(
            Prefetch("lines", queryset=TransferLine.objects.select_related("part").order_by("id")),
            Prefetch("events", queryset=TransferEvent.objects.select_related("actor")),
        )
        .get(pk=pk)
    )


def available_at(warehouse_id: int, part_ids: list[int]) -> dict[int, int]:
    """What is available (on hand − reserved) of these parts in one warehouse, by part id."""
    rows = StockBalance.objects.filter(warehouse_id=warehouse_id, part_id__in=part_ids).values_list(
        "part_id", "on_hand", "reserved"
    )
    return {part_id: on_hand - reserved for part_id, on_hand, reserved in rows}


def count_scope(user: Any) -> QuerySet[StockCount]:
    """The stock counts of the warehouses `user` may see."""
    return StockCount.objects.filter(warehouse__in=warehouse_scope(user).values("pk")).select_related(
        "warehouse__service_point", "warehouse__engineer__service_point", "created_by", "approved_by"
    )


def count_get(user: Any, pk: int) -> StockCount:
    """One count the user may see with its lines and steps (DoesNotExist otherwise: a 404)."""
    return (
        count_scope(user)
        .prefetch_related(
            Prefetch("lines", queryset=StockCountLine.objects.select_related("part")),
            Prefetch("events", queryset=CountEvent.objects.select_related("actor")),
        )
        .get(pk=pk)
    )


# --- reorder rules and alerts ----------------------------------------------------------------------


def rule_scope(user: Any) -> QuerySet[ReorderRule]:
    """The reorder rules of the warehouses `user` may see (with where each warehouse is)."""
    return ReorderRule.objects.filter(warehouse__in=warehouse_scope(user).values("pk")).select_related(
        "warehouse__service_point", "warehouse__engineer__service_point", "part"
    )


def alert_scope(user: Any) -> QuerySet[StockAlert]:
    return StockAlert.objects.filter(warehouse__in=warehouse_scope(user).values("pk")).select_related(
        "warehouse", "part"
    )


# --- shortage help (R32: substitutes and the nearest stock) ----------------------------------------


@dataclass(frozen=True)
class Holding:
    """A warehouse holding a part: how many are available there and how far it is."""

    warehouse: Warehouse
    part: Part
    available: int
    distance_km: Decimal | None = None
    same_point: bool = False


@dataclass
class ShortageHelp:
    """What to offer when `part` is short in `warehouse`: substitutes available in the same
    warehouse, then the nearest warehouses that hold the part itself (the same service point
    first, then by distance; HQ's, whose place is not known, last)."""

    part: Part
    warehouse: Warehouse
    substitutes_here: list[Holding] = field(default_factory=list)
    nearby: list[Holding] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.substitutes_here and not self.nearby


def distance_km(a: ServicePoint | None, b: ServicePoint | None) -> Decimal | None:
    """The great-circle distance between two service points (None when one has no location)."""
    if a is None or b is None:
        return None
    coordinates = [a.latitude, a.longitude, b.latitude, b.longitude]
    if any(value is None for value in coordinates):
        return None
    lat1, lon1, lat2, lon2 = (math.radians(float(value or 0)) for value in coordinates)
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return Decimal(str(round(2 * 6371.0 * math.asin(math.sqrt(h)), 1)))


def _offered_warehouses(user: Any) -> QuerySet[Warehouse]:
    """Where a shortage may be filled from: the good stock the user may see, and HQ's warehouses
    (anyone may ask HQ); never defective locations, never another dealer's stock."""
    visible = warehouse_scope(user).values("pk")
    return Warehouse.objects.filter(Q(pk__in=visible) | Q(kind=WarehouseKind.HQ), is_active=True).exclude(
        kind=WarehouseKind.DEFECTIVE
    )


def shortage_help(*, user: Any, part: Part, warehouse: Warehouse, limit: int = 8) -> ShortageHelp:
    """R32: what can be fitted or fetched instead of `part` in `warehouse` (four queries)."""
    help = ShortageHelp(part=part, warehouse=warehouse)
    substitutes = substitutes_by_part([part.pk], user=user).get(part.pk, [])
    if substitutes:
        rows = (
            StockBalance.objects.filter(warehouse=warehouse, part__in=substitutes, on_hand__gt=F("reserved"))
            .select_related("part")
            .order_by("part__number")
        )
        help.substitutes_here = [
            Holding(warehouse=warehouse, part=row.part, available=row.available, same_point=True)
            for row in rows
        ]
    here = warehouse_point(warehouse)
    rows = (
        StockBalance.objects.filter(
            part=part, warehouse__in=_offered_warehouses(user), on_hand__gt=F("reserved")
        )
        .exclude(warehouse=warehouse)
        .select_related("warehouse__service_point", "warehouse__engineer__service_point")
    )
    nearby = []
    for row in rows:
        point = warehouse_point(row.warehouse)
        same = here is not None and point is not None and point.pk == here.pk
        nearby.append(
            Holding(
                warehouse=row.warehouse,
                part=part,
                available=row.available,
                distance_km=Decimal("0.0") if same else distance_km(here, point),
                same_point=same,
            )
        )
    nearby.sort(
        key=lambda h: (
            not h.same_point,
            h.distance_km is None,
            h.distance_km or 0,
            h.warehouse.kind == WarehouseKind.VAN,
            h.warehouse.code,
        )
    )
    help.nearby = nearby[:limit]
    return help


# --- the nightly ledger check ----------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerMismatch:
    """A balance that is not the sum of its moves (R32): what it says and what the ledger says."""

    balance_id: int
    warehouse_id: int
    part_id: int
    on_hand: int
    value: Decimal
    ledger_quantity: int
    ledger_value: Decimal


def ledger_mismatches() -> list[LedgerMismatch]:
    """R32: every balance whose on hand or value differs from the sum of its moves, in one
    GROUP BY query over the ledger. The values are compared rounded to the fen on both sides
    (SQLite sums decimals as floats), then again exactly in Python."""
    balance, move = StockBalance._meta.db_table, StockMove._meta.db_table
    sql = (
        f"SELECT b.id, b.warehouse_id, b.part_id, b.on_hand, b.value, "
        f"COALESCE(SUM(m.quantity), 0), COALESCE(SUM(m.value), 0) "
        f"FROM {balance} b LEFT JOIN {move} m ON m.warehouse_id = b.warehouse_id AND m.part_id = b.part_id "
        f"GROUP BY b.id, b.warehouse_id, b.part_id, b.on_hand, b.value "
        f"HAVING b.on_hand <> COALESCE(SUM(m.quantity), 0) "
        f"OR ROUND(b.value, 2) <> ROUND(COALESCE(SUM(m.value), 0), 2) "
        f"ORDER BY b.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    found = []
    for pk, warehouse_id, part_id, on_hand, value, quantity, total in rows:
        mismatch = LedgerMismatch(
            balance_id=pk,
            warehouse_id=warehouse_id,
            part_id=part_id,
            on_hand=int(on_hand),
            value=cny(str(value)),
            ledger_quantity=int(quantity),
            ledger_value=cny(str(total)),
        )
        if (mismatch.on_hand, mismatch.value) != (mismatch.ledger_quantity, mismatch.ledger_value):
            found.append(mismatch)
    return found
