"""Pure dispatch scoring (R5, R38): no database, only plain values, so it is easy to test and
to explain. `suggestions.dispatch_suggest` feeds it from the database.

Ranking of service points: region coverage first (district > city > province > none), then the
distance when both ends have coordinates (unknown distance ranks after any known one), then the
code for a stable order. Engineers at a point: qualified for the product line on the day (R38,
hard rule), not on leave (hard rule), available (R12, hard rule: the day is a working day of the
point's calendar, the engineer is not fully booked that day nor booked in the requested window),
then the lowest score: open work orders plus booked hours that day (one booked hour weighs like
one open work order).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta

# Region coverage levels.
NONE, PROVINCE, CITY, DISTRICT = 0, 1, 2, 3

EARTH_RADIUS_KM = 6371.0088
# How much one hour of booked visits that day weighs against one open work order in the score.
BOOKED_HOUR_WEIGHT = 1.0


@dataclass(frozen=True)
class Region:
    province: str = ""
    city: str = ""
    district: str = ""


def area_level(area: Region, place: Region) -> int:
    """How precisely one coverage row covers `place`: a blank city or district is a wildcard."""
    if not place.province or area.province != place.province:
        return NONE
    if not area.city:
        return PROVINCE
    if area.city != place.city:
        return NONE
    if not area.district:
        return CITY
    return DISTRICT if area.district == place.district else NONE


def own_region_level(point: Region, place: Region) -> int:
    """A point without coverage rows covers its own region, the closer the better."""
    if not place.province or point.province != place.province:
        return NONE
    if not point.city or point.city != place.city:
        return PROVINCE
    if point.district and place.district and point.district == place.district:
        return DISTRICT
    return CITY


def region_level(point: Region, areas: Iterable[Region], place: Region) -> int:
    areas = list(areas)
    if not areas:
        return own_region_level(point, place)
    return max((area_level(area, place) for area in areas), default=NONE)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = math.radians(lat2 - lat1), math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def coordinates(latitude, longitude) -> tuple[float | None, float | None]:
    """A point's stored coordinates (decimals, or None) as floats for `distance_km`."""
    return (
        float(latitude) if latitude is not None else None,
        float(longitude) if longitude is not None else None,
    )


def distance_km(origin: tuple[float, float] | None, point: tuple[float | None, float | None]) -> float | None:
    """Distance when both the origin and the point have coordinates, else None."""
    if origin is None or point[0] is None or point[1] is None:
        return None
    return round(haversine_km(float(origin[0]), float(origin[1]), float(point[0]), float(point[1])), 1)


def point_rank_key(level: int, distance: float | None, code: str) -> tuple:
    """Sort key: best coverage first, then nearest known distance, then code."""
    return (-level, distance is None, distance if distance is not None else 0.0, code)


@dataclass(frozen=True)
class EngineerFacts:
    """What the engineer ranking needs to know about one engineer."""

    key: int
    employee_no: str
    load: int
    on_leave: bool
    qualified: bool | None  # None: the work order has no product line, nothing to check
    qualification_expires_on: date | None = None
    booked_minutes: int = 0  # booked visits on the service day
    working_minutes: int | None = None  # working time of the service day; None: not known
    window_clash: bool = False  # a booked visit overlaps the requested window

    @property
    def day_off(self) -> bool:
        return self.working_minutes == 0

    @property
    def fully_booked(self) -> bool:
        return bool(self.working_minutes) and self.booked_minutes >= (self.working_minutes or 0)

    @property
    def available(self) -> bool:
        return not (self.day_off or self.fully_booked or self.window_clash)

    @property
    def eligible(self) -> bool:
        return self.qualified is not False and not self.on_leave and self.available

    @property
    def score(self) -> float:
        """Lower is better: open work orders plus weighted booked hours on the service day."""
        return round(self.load + BOOKED_HOUR_WEIGHT * self.booked_minutes / 60, 1)


Window = tuple[time, time]
# How far ahead the next working day is looked for (long holidays are at most 8 days).
WORKING_DAY_HORIZON = 31


def window_minutes(window: Window) -> int:
    """Length in minutes; an end of 00:00 is midnight at the end of the day (working calendars)."""
    start, end = window
    end_minutes = end.hour * 60 + end.minute or 24 * 60
    return end_minutes - (start.hour * 60 + start.minute)


def overlaps(a: Window, b: Window) -> bool:
    """Windows overlap when one starts before the other ends (back-to-back is fine, as booking)."""
    return a[0] < b[1] and b[0] < a[1]


def next_working_day(day: date, is_working_day: Callable[[date], bool]) -> date:
    """`day` itself when worked, else the first working day after it (`day` if none is near)."""
    for offset in range(WORKING_DAY_HORIZON):
        candidate = day + timedelta(days=offset)
        if is_working_day(candidate):
            return candidate
    return day


def engineer_rank_key(facts: EngineerFacts) -> tuple:
    return (not facts.eligible, facts.score, facts.employee_no)


def best_engineer(
    engineers: Sequence[EngineerFacts], *, parts_held: Mapping[int, int] | None = None
) -> EngineerFacts | None:
    """The eligible engineer with the lowest score; never an unqualified, absent or unavailable
    one (R38, R12). With `parts_held` (facts key → how many of the parts the work order needs
    their van holds, R32), those holding the most come first, then the lowest score."""
    eligible = [facts for facts in engineers if facts.eligible]
    if not eligible:
        return None
    held = parts_held or {}
    return min(eligible, key=lambda facts: (-held.get(facts.key, 0), *engineer_rank_key(facts)))
