"""The dispatchers' schedule board (R5, R12, R38): the engineers of the chosen service points as rows,
the day's working hours (the points' working calendars, R34) as columns, their visits and leave as
blocks, and the unassigned work orders beside it with the dispatch suggestion, to drag onto a free
slot (`services.schedule_assign_book`).

Scoped (R37): only the points the user dispatches for. The cost follows the day and the chosen
points, never the number of work orders: at most SCHEDULE_POINTS points, SCHEDULE_ENGINEERS
engineers, that day's visits and SCHEDULE_UNASSIGNED unassigned work orders (the oldest first)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from aftersales.accounts.models import Engineer, ServicePoint
from aftersales.accounts.selectors import engineers_in_scope, service_points_in_scope
from aftersales.sla.selectors import working_times_of_points
from aftersales.workorders.models import WorkOrder

from .choices import VisitState
from .models import EngineerLeave, Visit
from .selectors import (
    BOARD_CHOICE_POINTS,
    CalendarEntry,
    calendar_entries,
    dispatch_board_rows,
    dispatch_points_for,
    dispatch_route_many,
)
from .suggestions import DispatchSuggestion

SCHEDULE_POINTS = 5
SCHEDULE_ENGINEERS = 60
SCHEDULE_UNASSIGNED = 50
# The hours shown on a day off (no working time): a usual office day.
DEFAULT_HOURS = (time(8), time(18))
# Visit lengths the board books, in hours (the window of a dropped work order).
VISIT_LENGTHS = (1, 2, 3, 4)
DEFAULT_LENGTH = 2


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def _time(minutes: int) -> time:
    minutes = max(0, min(minutes, 24 * 60 - 1))
    return time(minutes // 60, minutes % 60)


@dataclass(frozen=True)
class ScheduleBlock:
    """A visit (or appointment without a visit yet) on an engineer's row, placed in percent."""

    entry: CalendarEntry
    left: float
    width: float


@dataclass(frozen=True)
class ScheduleSlot:
    """One hour of an engineer's day: free when nothing booked overlaps it and they are not on leave."""

    start: time
    end: time
    free: bool
    working: bool = True  # within the working time of the engineer's point (else shaded)


@dataclass
class ScheduleRow:
    engineer: Engineer
    leave: EngineerLeave | None
    blocks: list[ScheduleBlock] = field(default_factory=list)
    untimed: list[CalendarEntry] = field(default_factory=list)  # visits planned with no window
    slots: list[ScheduleSlot] = field(default_factory=list)

    @property
    def entries(self) -> list[CalendarEntry]:
        return [block.entry for block in self.blocks] + self.untimed


class OneDay:
    """A page about one day (`day`), with links to the day before and after."""

    day: date

    @property
    def previous(self) -> date:
        return self.day - timedelta(days=1)

    @property
    def next(self) -> date:
        return self.day + timedelta(days=1)


@dataclass
class ScheduleBoard(OneDay):
    day: date
    points: list[ServicePoint]
    start: time
    end: time
    working: bool  # the day has working time at one of the points
    hours: list[time]
    rows: list[ScheduleRow]
    unassigned: list[tuple[WorkOrder, DispatchSuggestion]]
    truncated: bool = False
    engineers_truncated: bool = False

    @property
    def span_minutes(self) -> int:
        return _minutes(self.end) - _minutes(self.start) or 60

    @property
    def engineers(self) -> list[Engineer]:
        return [row.engineer for row in self.rows]

    @property
    def lengths(self) -> tuple[int, ...]:
        return VISIT_LENGTHS


def schedule_points(user, requested: Iterable[int] = ()) -> list[ServicePoint]:
    """The points shown (R37: only those the user dispatches for): the requested ones in scope, else
    the user's own point, else the first of their scope by code; at most SCHEDULE_POINTS."""
    scope = service_points_in_scope(user).order_by("code")
    wanted = sorted({pk for pk in requested if pk})
    if wanted:
        points = list(scope.filter(pk__in=wanted)[:SCHEDULE_POINTS])
        if points:
            return points
    own = getattr(user, "service_point_id", None)
    if own:
        points = list(scope.filter(pk=own))
        if points:
            return points
    first = scope.first()
    return [first] if first is not None else []


def _working_hours(point_ids: list[int], day: date) -> tuple[time, time, bool]:
    """The earliest start and the latest end of the points' working periods that day (whole hours)."""
    calendars = working_times_of_points(point_ids).values()
    periods = [period for working in calendars for period in working.day_periods(day)]
    if not periods:
        return DEFAULT_HOURS[0], DEFAULT_HOURS[1], False
    start = min(_minutes(p[0]) for p in periods)
    end = max(_minutes(p[1]) or 24 * 60 for p in periods)
    start, end = start // 60 * 60, min(-(-end // 60) * 60, 24 * 60 - 1)
    return _time(start), _time(end), True


def _row(
    engineer: Engineer,
    leave: EngineerLeave | None,
    entries: list[CalendarEntry],
    start: time,
    end: time,
    hours: list[time],
    periods: tuple = (),
) -> ScheduleRow:
    row = ScheduleRow(engineer=engineer, leave=leave)
    first, span = _minutes(start), (_minutes(end) - _minutes(start)) or 60
    booked: list[tuple[int, int]] = []
    for entry in entries:
        if entry.window_start is None or entry.window_end is None:
            row.untimed.append(entry)
            continue
        a, b = _minutes(entry.window_start), _minutes(entry.window_end) or 24 * 60
        booked.append((a, b))
        left = max(0.0, (a - first) * 100 / span)
        right = min(100.0, (b - first) * 100 / span)
        width = round(max(right - left, 2.0), 2)
        row.blocks.append(ScheduleBlock(entry=entry, left=round(left, 2), width=width))
    for hour in hours:
        a = _minutes(hour)
        b = min(a + 60, _minutes(end) or 24 * 60)
        free = leave is None and not any(x < b and a < y for x, y in booked)
        working = any(_minutes(p[0]) < b and a < (_minutes(p[1]) or 24 * 60) for p in periods)
        row.slots.append(ScheduleSlot(start=hour, end=_time(b), free=free, working=working))
    return row


def schedule_board(user, *, day: date, point_ids: Iterable[int] = ()) -> ScheduleBoard:
    """R12: the day's board of the chosen points (see the module docstring); a bounded number of
    queries whatever the number of work orders and visits."""
    points = schedule_points(user, point_ids)
    ids = [p.pk for p in points]
    start, end, working = _working_hours(ids, day)
    hours = [_time(m) for m in range(_minutes(start), _minutes(end), 60)]
    engineers = list(engineers_in_scope(user).filter(service_point_id__in=ids)[: SCHEDULE_ENGINEERS + 1])
    engineers_truncated = len(engineers) > SCHEDULE_ENGINEERS
    engineers = engineers[:SCHEDULE_ENGINEERS]
    leaves = {
        leave.engineer_id: leave
        for leave in EngineerLeave.objects.filter(
            engineer__in=[e.pk for e in engineers], start__lte=day, end__gte=day
        ).order_by("start")
    }
    entries = calendar_entries([e.pk for e in engineers], day, day)
    calendars = working_times_of_points(ids)
    periods = {pk: calendars[pk].day_periods(day) for pk in ids if pk in calendars}
    rows = []
    for engineer in engineers:
        worked = periods.get(engineer.service_point_id) or ()
        booked = entries.get(engineer.pk, [])
        rows.append(_row(engineer, leaves.get(engineer.pk), booked, start, end, hours, worked))
    waiting = list(
        dispatch_board_rows(user).filter(Q(service_point_id__in=ids) | Q(service_point__isnull=True))[
            : SCHEDULE_UNASSIGNED + 1
        ]
    )
    truncated = len(waiting) > SCHEDULE_UNASSIGNED
    waiting = waiting[:SCHEDULE_UNASSIGNED]
    suggestions = dispatch_route_many(
        waiting, day=day, points=dispatch_points_for(user), choices=BOARD_CHOICE_POINTS
    )
    return ScheduleBoard(
        day=day,
        points=points,
        start=start,
        end=end,
        working=working,
        hours=hours,
        rows=rows,
        unassigned=[(wo, suggestions[wo.pk]) for wo in waiting],
        truncated=truncated,
        engineers_truncated=engineers_truncated,
    )


def window_of(day: date, start: time, hours: int) -> tuple[time, time]:
    """The window of a visit `hours` long from `start`, ending at midnight at the latest."""
    ends = datetime.combine(day, start) + timedelta(hours=hours)
    if ends.date() != day:
        return start, time(23, 59)
    return start, ends.time()


# The map of the day ---------------------------------------------------------------------------------

MAP_WIDTH, MAP_HEIGHT, MAP_PADDING = 800, 500, 30


@dataclass
class MapMarker:
    """A service point, a visit or an engineer's last check-in placed on the day's map (x, y in the
    pixels of the drawing the page shows when the interactive map cannot run)."""

    kind: str  # "point", "visit" or "checkin"
    label: str
    latitude: float
    longitude: float
    url: str = ""
    state: str = ""
    engineer_id: int | None = None
    x: float = 0.0
    y: float = 0.0

    @property
    def position(self) -> tuple[float, float]:
        return self.latitude, self.longitude


@dataclass
class MapRoute:
    """An engineer's day: from their service point (when placed) through their visits in time order."""

    engineer: Engineer
    stops: list[MapMarker]

    @property
    def svg_points(self) -> str:
        return " ".join(f"{m.x},{m.y}" for m in self.stops)


@dataclass
class ScheduleMap(OneDay):
    """R12: where the day's visits of the chosen points happened (the phones' check-in, else
    check-out position) beside the service points, each engineer's route in time order and each
    engineer's last check-in (that day or before: where they were last seen); the visits with no
    position yet are listed."""

    day: date
    points: list[ServicePoint]
    visits: list[Visit]  # the day's, in time order, with or without a position
    checkins: list[Visit]  # each engineer's last checked-in visit up to the end of the day
    markers: list[MapMarker]
    routes: list[MapRoute]
    unlocated: list[Visit]
    width: int = MAP_WIDTH
    height: int = MAP_HEIGHT


def visit_position(visit: Visit) -> tuple[float, float] | None:
    """Where the visit happened: the check-in position, else the check-out one (None: neither)."""
    if visit.checkin_latitude is not None and visit.checkin_longitude is not None:
        return float(visit.checkin_latitude), float(visit.checkin_longitude)
    if visit.checkout_latitude is not None and visit.checkout_longitude is not None:
        return float(visit.checkout_latitude), float(visit.checkout_longitude)
    return None


def _project(markers: list[MapMarker]) -> None:
    """Equirectangular projection of the markers into the drawing, the same scale on both axes
    (longitudes shortened by the cosine of the middle latitude), centred."""
    if not markers:
        return
    lats = [m.latitude for m in markers]
    lons = [m.longitude for m in markers]
    squeeze = math.cos(math.radians((min(lats) + max(lats)) / 2))
    span_x = max((max(lons) - min(lons)) * squeeze, 0.01)
    span_y = max(max(lats) - min(lats), 0.01)
    scale = min((MAP_WIDTH - 2 * MAP_PADDING) / span_x, (MAP_HEIGHT - 2 * MAP_PADDING) / span_y)
    offset_x = (MAP_WIDTH - span_x * scale) / 2
    offset_y = (MAP_HEIGHT - span_y * scale) / 2
    for marker in markers:
        marker.x = round(offset_x + (marker.longitude - min(lons)) * squeeze * scale, 1)
        marker.y = round(offset_y + (max(lats) - marker.latitude) * scale, 1)


def last_checkins(engineer_ids: list[int], day: date) -> list[Visit]:
    """Each engineer's latest check-in with a position up to the end of `day` (local time), one
    query: the latest visit per engineer is picked in SQL (index engineer, arrived_at)."""
    day_end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time()))
    latest = (
        Visit.objects.filter(
            engineer=OuterRef("pk"),
            arrived_at__lt=day_end,
            checkin_latitude__isnull=False,
            checkin_longitude__isnull=False,
        )
        .order_by("-arrived_at", "-pk")
        .values("pk")[:1]
    )
    ids = Engineer.objects.filter(pk__in=engineer_ids).values(last=Subquery(latest))
    return list(
        Visit.objects.filter(pk__in=ids)
        .select_related("work_order__customer", "engineer__user")
        .order_by("engineer_id")
    )


def schedule_map(user, *, day: date, point_ids: Iterable[int] = ()) -> ScheduleMap:
    """R12: the map of the day of the chosen points (R37: of the user's scope); four queries, the
    day's visits and the last check-ins of at most SCHEDULE_ENGINEERS engineers."""
    points = schedule_points(user, point_ids)
    ids = [p.pk for p in points]
    engineers = list(
        engineers_in_scope(user).filter(service_point_id__in=ids).select_related("user")[:SCHEDULE_ENGINEERS]
    )
    engineer_ids = [e.pk for e in engineers]
    visits = list(
        Visit.objects.filter(engineer__in=engineer_ids, planned_date=day)
        .exclude(state=VisitState.CANCELLED)
        .select_related("work_order__customer", "engineer__user")
        .order_by("arrived_at", "window_start", "id")
    )
    checkins = last_checkins(engineer_ids, day)
    markers: list[MapMarker] = []
    point_marker: dict[int, MapMarker] = {}
    for point in points:
        if point.latitude is None or point.longitude is None:
            continue
        marker = MapMarker("point", point.name, float(point.latitude), float(point.longitude))
        markers.append(marker)
        point_marker[point.pk] = marker
    # the last check-ins under the day's visits (drawn first), often at the same place
    for visit in checkins:
        seen = timezone.localtime(visit.arrived_at)
        markers.append(
            MapMarker(
                "checkin",
                f"{visit.engineer.user.display_name} · {seen:%Y-%m-%d %H:%M} · {visit.number}",
                float(visit.checkin_latitude),
                float(visit.checkin_longitude),
                url=reverse("field:visit_detail", args=[visit.pk]),
                state=visit.state,
                engineer_id=visit.engineer_id,
            )
        )
    unlocated = []
    by_engineer: dict[int, list[MapMarker]] = {}
    for visit in visits:
        position = visit_position(visit)
        if position is None:
            unlocated.append(visit)
            continue
        marker = MapMarker(
            "visit",
            f"{visit.number} {visit.work_order.customer.name} · {visit.engineer.user.display_name}",
            *position,
            url=reverse("field:visit_detail", args=[visit.pk]),
            state=visit.state,
            engineer_id=visit.engineer_id,
        )
        markers.append(marker)
        by_engineer.setdefault(visit.engineer_id, []).append(marker)
    _project(markers)
    routes = []
    for engineer in engineers:
        stops = by_engineer.get(engineer.pk, [])
        start = point_marker.get(engineer.service_point_id)
        path = ([start] if start is not None else []) + stops
        if stops and len(path) > 1:
            routes.append(MapRoute(engineer, path))
    return ScheduleMap(
        day=day,
        points=points,
        visits=visits,
        checkins=checkins,
        markers=markers,
        routes=routes,
        unlocated=unlocated,
    )
