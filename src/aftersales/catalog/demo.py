"""Demo parts of the catalog: printer and copier parts fitting the demo product models, wear parts
and consumables among them (R36), and a few substitutes (R32); their prices in a national list (two
versions: last year's and this year's) and a regional one (广东省); the fee standards of 2023 and
2025, the 2023 edition cheaper on some lines (R10's lower of two). Run by `manage.py demo_seed`."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from .choices import FeeKind, FeeUnit, PartCategory, PartUnit
from .models import FeeSchedule, Part, PriceList, ProductLine, ProductModel
from .services import (
    fee_schedule_create,
    part_create,
    part_substitute_add,
    price_list_create,
    price_list_item_set,
    price_list_revise,
)

N, W, C = PartCategory.NORMAL, PartCategory.WEAR, PartCategory.CONSUMABLE

# number, name, category, unit, serialised, models it fits
DEMO_PARTS = [
    ("FU-2200-A", "定影组件 220V", W, PartUnit.PIECE, True, ["LP-2200"]),
    ("FU-3600-A", "定影组件 220V（双面）", W, PartUnit.PIECE, True, ["LP-3600DN"]),
    ("FU-3600-B", "定影组件 220V（双面，新版）", W, PartUnit.PIECE, True, ["LP-3600DN"]),
    ("PR-2200", "搓纸轮", W, PartUnit.PIECE, False, ["LP-2200", "LP-3600DN"]),
    ("PR-6055", "搓纸轮组件（纸盒一）", W, PartUnit.SET, False, ["MF-3020", "MF-6055"]),
    ("DR-3020-U", "硒鼓单元", C, PartUnit.PIECE, False, ["MF-3020"]),
    ("TN-2200-S", "墨粉盒（标准容量）", C, PartUnit.PIECE, False, ["LP-2200"]),
    ("TN-2200-P", "墨粉盒（高容）", C, PartUnit.PIECE, False, ["LP-2200"]),
    ("TN-4500-K", "墨粉盒 黑色", C, PartUnit.PIECE, False, ["CP-4500"]),
    ("TB-4535", "转印带组件", W, PartUnit.PIECE, True, ["MF-4535C", "MF-7570C"]),
    ("MB-2200-V1", "主板", N, PartUnit.PIECE, True, ["LP-2200"]),
    ("MB-2200-V2", "主板（网络版）", N, PartUnit.PIECE, True, ["LP-2200"]),
    ("LS-6055", "激光器单元", N, PartUnit.PIECE, True, ["MF-6055", "MF-3020"]),
    ("SP-6055", "分页器（分离垫）", W, PartUnit.PIECE, False, ["MF-6055"]),
    ("PS-7570", "电源板 220V", N, PartUnit.PIECE, True, ["MF-7570C"]),
    ("HD-800", "喷头组件", N, PartUnit.PIECE, True, ["IJ-800"]),
    ("BL-SC1200", "进纸辊胶套", W, PartUnit.SET, False, ["SC-1200"]),
]
# part, substitute, both ways, note
DEMO_SUBSTITUTES = [
    ("FU-3600-A", "FU-3600-B", True, "新旧版本通用"),
    ("TN-2200-S", "TN-2200-P", True, "容量不同，可互换"),
    ("MB-2200-V1", "MB-2200-V2", False, "新版主板可替代旧版，反之不可"),
]


def demo_seed() -> None:
    """The demo parts, once: a part whose number is on file is left as it is."""
    models = {model.code: model for model in ProductModel.objects.all()}
    for number, name, category, unit, serialised, codes in DEMO_PARTS:
        if Part.objects.filter(number=number).exists():
            continue
        part_create(
            number=number,
            name=name,
            category=category,
            unit=unit,
            serialised=serialised,
            fits=[models[code] for code in codes if code in models],
        )
    parts = {part.number: part for part in Part.objects.filter(number__in=[row[0] for row in DEMO_PARTS])}
    for number, other, both_ways, note in DEMO_SUBSTITUTES:
        part_substitute_add(part=parts[number], substitute=parts[other], both_ways=both_ways, note=note)
    prices_demo_seed()


# --- prices and fees -----------------------------------------------------------------------------

NATIONAL_LIST = "全国配件价目表"
REGIONAL_LIST = "广东省配件价目表"
# part number: (cost price, retail price) in last year's national list.
DEMO_PRICES = {
    "FU-2200-A": ("260.00", "380.00"),
    "FU-3600-A": ("420.00", "600.00"),
    "FU-3600-B": ("450.00", "640.00"),
    "PR-2200": ("18.00", "35.00"),
    "PR-6055": ("85.00", "150.00"),
    "DR-3020-U": ("210.00", "320.00"),
    "TN-2200-S": ("120.00", "199.00"),
    "TN-2200-P": ("180.00", "289.00"),
    "TN-4500-K": ("260.00", "399.00"),
    "TB-4535": ("680.00", "980.00"),
    "MB-2200-V1": ("350.00", "520.00"),
    "MB-2200-V2": ("420.00", "620.00"),
    "LS-6055": ("900.00", "1350.00"),
    "SP-6055": ("12.00", "25.00"),
    "PS-7570": ("560.00", "820.00"),
    "HD-800": ("330.00", "480.00"),
    "BL-SC1200": ("45.00", "78.00"),
}
# This year's national version: the prices that changed.
DEMO_PRICE_CHANGES = {
    "FU-2200-A": ("270.00", "398.00"),
    "TN-2200-S": ("125.00", "209.00"),
    "TB-4535": ("700.00", "1020.00"),
    "LS-6055": ("880.00", "1299.00"),
}
# The regional list (广东省): a few parts cheaper there; the others come from the national list.
DEMO_REGIONAL_PRICES = {
    "TN-2200-S": ("118.00", "189.00"),
    "PR-6055": ("80.00", "138.00"),
}

# Fee editions: code, name, first day, last day, standards (kind, line code or "", province,
# from km, to km, unit, amount).
T, H, K = FeeUnit.PER_TIME, FeeUnit.PER_HOUR, FeeUnit.PER_KM
D, V, L, TR = FeeKind.DIAGNOSIS, FeeKind.VISIT, FeeKind.LABOUR, FeeKind.TRAVEL
FeeRow = tuple[str, str, str, str | None, str | None, str, str]
DEMO_FEES: list[tuple[str, str, date, date | None, list[FeeRow]]] = [
    (
        "2023",
        "2023版收费标准",
        date(2023, 1, 1),
        date(2024, 12, 31),
        [
            (D, "", "", None, None, T, "50.00"),
            (D, "COP", "", None, None, T, "60.00"),
            (V, "", "", "0", "20", T, "50.00"),
            (V, "", "", "20", "50", T, "90.00"),
            (V, "", "", "50", None, T, "150.00"),
            (L, "", "", None, None, H, "90.00"),
            (L, "PRN", "", None, None, H, "70.00"),
            (L, "COP", "", None, None, H, "120.00"),
            (L, "SCN", "", None, None, H, "80.00"),
            (TR, "", "", None, None, K, "1.50"),
        ],
    ),
    (
        "2025",
        "2025版收费标准",
        date(2025, 1, 1),
        None,
        [
            (D, "", "", None, None, T, "50.00"),
            (D, "COP", "", None, None, T, "80.00"),
            (V, "", "", "0", "20", T, "60.00"),
            (V, "", "", "20", "50", T, "100.00"),
            (V, "", "", "50", None, T, "150.00"),
            (V, "", "上海市", "0", "20", T, "80.00"),
            (L, "", "", None, None, H, "100.00"),
            (L, "PRN", "", None, None, H, "80.00"),
            (L, "COP", "", None, None, H, "120.00"),
            (L, "SCN", "", None, None, H, "90.00"),
            (TR, "", "", None, None, K, "2.00"),
        ],
    ),
]


def _rows(prices: dict[str, tuple[str, str]], parts: dict[str, int]) -> list[tuple[int, str, str]]:
    return [(parts[number], cost, retail) for number, (cost, retail) in prices.items() if number in parts]


def prices_demo_seed(today: date | None = None) -> None:
    """The demo price lists and fee editions, once (a list or edition on file is left as it is).
    The national list's first version applies from 1 January last year, its second (made before
    it applied, with the changed prices) from 1 January this year."""
    today = today or timezone.localdate()
    parts = dict(Part.objects.filter(number__in=list(DEMO_PRICES)).values_list("number", "pk"))
    this_year, last_year = date(today.year, 1, 1), date(today.year - 1, 1, 1)
    if not PriceList.objects.filter(name=NATIONAL_LIST).exists():
        first = price_list_create(
            name=NATIONAL_LIST,
            effective_from=last_year,
            items=_rows(DEMO_PRICES, parts),
            notes="成本价为总部对经销商结算价（R30）。",
        )
        prepared = this_year - timedelta(days=30)  # the new version was prepared in December
        second = price_list_revise(price_list_id=first.pk, effective_from=this_year, today=prepared)
        for number, (cost, retail) in DEMO_PRICE_CHANGES.items():
            if number in parts:
                price_list_item_set(
                    price_list_id=second.pk,
                    part_id=parts[number],
                    cost_price=cost,
                    retail_price=retail,
                    today=prepared,
                )
    if not PriceList.objects.filter(name=REGIONAL_LIST).exists():
        price_list_create(
            name=REGIONAL_LIST,
            effective_from=this_year,
            province="广东省",
            items=_rows(DEMO_REGIONAL_PRICES, parts),
            notes="广东省区域价，其余配件按全国价目表。",
        )
    lines = dict(ProductLine.objects.values_list("code", "pk"))
    for code, name, first_day, last_day, rows in DEMO_FEES:
        if FeeSchedule.objects.filter(code=code).exists():
            continue
        standards: list[dict[str, Any]] = [
            {
                "kind": kind,
                "product_line_id": lines[line] if line else None,
                "province": province,
                "distance_from_km": Decimal(low) if low is not None else None,
                "distance_to_km": Decimal(high) if high is not None else None,
                "unit": unit,
                "amount": amount,
            }
            for kind, line, province, low, high, unit, amount in rows
            if not line or line in lines
        ]
        fee_schedule_create(
            code=code, name=name, effective_from=first_day, effective_until=last_day, standards=standards
        )
