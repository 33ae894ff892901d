"""Demo parts of the catalog: printer and copier parts fitting the demo product models, wear parts
and consumables among them (R36), and a few substitutes (R32). Run by `manage.py demo_seed`."""

from __future__ import annotations

from .choices import PartCategory, PartUnit
from .models import Part, ProductModel
from .services import part_create, part_substitute_add

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
