"""The explained dispatch suggestion (R5, R38, R12): for one or many work orders, the best service
point and a qualified, available engineer there, with the score breakdown of every candidate and
readable reasons. A bounded number of queries, whatever the number of work orders, service points
or engineers: points (+ areas, product lines), then engineers of the best points with their load and
leave annotated in SQL and their qualifications prefetched, and their availability (the points'
working calendars, the visits booked that day: `availability`). The scoring itself is pure
(`scoring`); the dispatch board and the work-order panel read it through `selectors`."""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import Engineer, Qualification, ServicePoint, User
from aftersales.catalog.models import ProductLine
from aftersales.core.reference import ReferenceCache
from aftersales.parts.selectors_vans import parts_in_vans
from aftersales.workorders.choices import OPEN_STATES
from aftersales.workorders.hooks import parts_needed
from aftersales.workorders.models import WorkOrder

from . import availability, scoring
from .availability import Booking, PointDay
from .models import EngineerLeave, ServiceArea

# How many of the best-ranked service points are searched for an engineer.
POINTS_CONSIDERED = 10

REGION_LABELS = {
    scoring.DISTRICT: lambda: _("district covered"),
    scoring.CITY: lambda: _("city covered"),
    scoring.PROVINCE: lambda: _("province covered"),
    scoring.NONE: lambda: _("region not covered"),
}


@dataclass(slots=True)
class EngineerCandidate:
    """One engineer of a candidate point, with why they are (not) suggested. The reasons are
    written when read: the dispatch board weighs a thousand engineers and shows none of them."""

    engineer: Engineer
    load: int
    on_leave: bool
    day: date
    line: ProductLine | None = None
    qualification: LineQualification | None = None
    # availability (R12) on the point's service day
    service_day: date | None = None
    working_minutes: int | None = None
    booked_minutes: int = 0
    clash: Booking | None = None  # a booked visit overlapping the requested window
    parts_held: tuple[str, ...] = ()  # of the parts the work needs, those in the engineer's van

    @property
    def qualified(self) -> bool | None:
        if self.line is None:
            return None
        return self.qualification is not None and self.qualification.is_valid_on(self.day)

    @property
    def qualification_expires_on(self) -> date | None:
        return self.qualification.expires_on if self.qualification is not None else None

    def facts(self, key: int = 0) -> scoring.EngineerFacts:
        return scoring.EngineerFacts(
            key=key,
            employee_no=self.engineer.employee_no,
            load=self.load,
            on_leave=self.on_leave,
            qualified=self.qualified,
            qualification_expires_on=self.qualification_expires_on,
            booked_minutes=self.booked_minutes,
            working_minutes=self.working_minutes,
            window_clash=self.clash is not None,
        )

    @property
    def eligible(self) -> bool:
        return self.facts().eligible

    @property
    def score(self) -> float:
        return self.facts().score

    @property
    def reasons(self) -> list[str]:
        reasons = [_("%(name)s: %(load)d open work orders") % {"name": self.engineer, "load": self.load}]
        if self.line is not None:
            reasons.append(_qualification_reason(self.qualification, self.line, self.day))
        if self.on_leave:
            reasons.append(_("on leave today"))
        if self.service_day is not None:
            reasons.extend(self._availability_reasons())
        if self.parts_held:
            reasons.append(_("has in the van: %(parts)s") % {"parts": ", ".join(self.parts_held)})
        return reasons

    def _availability_reasons(self) -> list[str]:
        """R12: the engineer's booked visits on the point's service day, against its working time
        and the requested window."""
        when = f"{self.service_day:%Y-%m-%d}"
        facts = self.facts()
        reasons = []
        if facts.day_off:
            reasons.append(_("not working on %(date)s") % {"date": when})
        elif self.clash is not None:
            reasons.append(
                _("already booked %(start)s–%(end)s on %(date)s (%(number)s)")
                % {
                    "start": f"{self.clash.window[0]:%H:%M}",
                    "end": f"{self.clash.window[1]:%H:%M}",
                    "date": when,
                    "number": self.clash.number,
                }
            )
        elif facts.fully_booked:
            reasons.append(_("fully booked on %(date)s") % {"date": when})
        if self.booked_minutes:
            reasons.append(
                _("%(hours)s h of visits booked on %(date)s: score %(score)s")
                % {"hours": round(self.booked_minutes / 60, 1), "date": when, "score": facts.score}
            )
        return reasons


def _qualification_reason(qualification: LineQualification | None, line: ProductLine, day: date) -> str:
    """R38: the engineer's qualification for the product line on `day`, in words."""
    if qualification is None:
        return _("not qualified for %(line)s") % {"line": line}
    if qualification.expires_on < day:
        return _("qualification for %(line)s expired on %(date)s") % {
            "line": line,
            "date": f"{qualification.expires_on:%Y-%m-%d}",
        }
    if qualification.certified_on > day:
        return _("qualification for %(line)s valid only from %(date)s") % {
            "line": line,
            "date": f"{qualification.certified_on:%Y-%m-%d}",
        }
    return _("qualified for %(line)s until %(date)s") % {
        "line": line,
        "date": f"{qualification.expires_on:%Y-%m-%d}",
    }


@dataclass(slots=True)
class PointCandidate:
    """One service point able to serve the work order, with its score breakdown."""

    point: ServicePoint
    region_level: int
    distance_km: float | None
    serves_all_lines: bool
    engineers: list[EngineerCandidate] = field(default_factory=list)
    engineer: Engineer | None = None
    load: int | None = None
    qualified_engineers: int = 0
    considered: bool = False  # among the POINTS_CONSIDERED best, so its engineers were looked at
    reasons: list[str] = field(default_factory=list)
    plan: PointDay | None = None  # the day its engineers' availability is counted on
    # distance from the point covering the customer's region, when the customer's is unknown
    covering_km: float | None = None

    @property
    def region_label(self) -> str:
        return REGION_LABELS[self.region_level]()

    @property
    def near_km(self) -> float | None:
        """The distance ranking uses: from the customer, else from the covering point."""
        return self.distance_km if self.distance_km is not None else self.covering_km

    @property
    def rank_key(self) -> tuple:
        return scoring.point_rank_key(self.region_level, self.near_km, self.point.code)


@dataclass
class DispatchSuggestion:
    """The explained result: the chosen point and engineer, every candidate and the reasons."""

    work_order: WorkOrder
    day: date
    product_line: ProductLine | None
    window: scoring.Window | None = None
    point: ServicePoint | None = None
    engineer: Engineer | None = None
    candidates: list[PointCandidate] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def chosen(self) -> PointCandidate | None:
        return next((c for c in self.candidates if self.point and c.point.pk == self.point.pk), None)

    @property
    def chosen_engineer(self) -> EngineerCandidate | None:
        chosen = self.chosen
        if chosen is None or self.engineer is None:
            return None
        return next((e for e in chosen.engineers if e.engineer.pk == self.engineer.pk), None)

    @property
    def locates_customer(self) -> bool:
        """True when the point was chosen from the customer's region or coordinates (R5)."""
        chosen = self.chosen
        return chosen is not None and (chosen.region_level > scoring.NONE or chosen.distance_km is not None)

    @property
    def eligible_engineers(self) -> list[EngineerCandidate]:
        """Qualified, available engineers at the considered points (for overrides, R5, R38): those
        of the chosen point first, then those of the other points in their rank (coverage, then
        distance from the customer or the covering point), the lowest score first within a point;
        a far-away point's idle engineer never comes before a near point's busy one."""
        chosen = getattr(self.point, "pk", None)
        rows = [
            (rank, e)
            for rank, c in enumerate(self.candidates)
            if c.considered
            for e in c.engineers
            if e.eligible
        ]
        rows.sort(key=lambda row: (row[1].engineer.service_point_id != chosen, row[0], row[1].score))
        return [e for _rank, e in rows]

    @property
    def explanation(self) -> str:
        """All the reasons in one text, e.g. for the note of the assignment event."""
        lines = list(self.reasons)
        chosen = self.chosen
        if chosen is not None:
            lines.extend(chosen.reasons)
        engineer = self.chosen_engineer
        if engineer is not None:
            lines.extend(engineer.reasons)
        return "; ".join(lines)


def customer_region(work_order: WorkOrder) -> scoring.Region:
    """Where the service is done (R5): the work order's service address when it has one, else the
    customer's."""
    if work_order.service_province.strip():
        return scoring.Region(
            work_order.service_province.strip(),
            work_order.service_city.strip(),
            work_order.service_district.strip(),
        )
    customer = work_order.customer
    return scoring.Region(customer.province.strip(), customer.city.strip(), customer.district.strip())


def customer_origin(work_order: WorkOrder) -> tuple[float, float] | None:
    """The customer's coordinates when the customer record has them (not stored yet)."""
    customer = work_order.customer
    lat, lon = getattr(customer, "latitude", None), getattr(customer, "longitude", None)
    return (float(lat), float(lon)) if lat is not None and lon is not None else None


def engineer_load_subquery() -> Coalesce:
    """Open work orders assigned to the engineer, counted in SQL."""
    open_orders = (
        WorkOrder.objects.filter(engineer=OuterRef("pk"), state__in=OPEN_STATES)
        .order_by()
        .values("engineer")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(open_orders, output_field=IntegerField()), Value(0))


def on_leave_exists(day: date) -> Exists:
    return Exists(EngineerLeave.objects.filter(engineer=OuterRef("pk"), start__lte=day, end__gte=day))


def _point_facts_load() -> list[PointFacts]:
    """Every active point with its product lines and areas, read as plain rows: 3 queries."""
    points = list(ServicePoint.objects.filter(is_active=True))
    lines: dict[int, set[int]] = defaultdict(set)
    served = ServicePoint.product_lines.through.objects.filter(servicepoint__is_active=True)
    for point_id, line_id in served.values_list("servicepoint_id", "productline_id"):
        lines[point_id].add(line_id)
    covered: dict[int, list[scoring.Region]] = defaultdict(list)
    area_rows = ServiceArea.objects.filter(service_point__is_active=True).order_by()
    for point_id, province, city, district in area_rows.values_list(
        "service_point_id", "province", "city", "district"
    ):
        covered[point_id].append(scoring.Region(province, city, district))
    return [
        PointFacts(
            point=point,
            lines=frozenset(lines[point.pk]),
            own=scoring.Region(point.province, point.city, point.district),
            areas=tuple(covered[point.pk]),
        )
        for point in points
    ]


def _allowed_points(points: QuerySet[ServicePoint] | None) -> list[PointFacts]:
    """The active points (of `points`, when given), from memory (`ROUTING_POINTS`): routing runs
    on every create, and points change seldom. The instances are shared: read them only."""
    facts = ROUTING_POINTS.get()
    if points is not None:
        allowed = set(points.values_list("pk", flat=True))
        facts = [row for row in facts if row.point.pk in allowed]
    return facts


def _points_for(
    facts: list[PointFacts], region: scoring.Region, line: ProductLine | None
) -> list[PointFacts]:
    """R5: the points that may serve one work order: those covering its province and serving its
    product line; when none does (or the province is unknown), every point serving the line, to be
    ranked by their distance from the customer or from the point covering the customer's region.
    Each work order on its own: a Hangzhou work order is never offered a Wuhan point because the
    same page also lists a Wuhan work order."""
    serving = [row for row in facts if line is None or not row.lines or line.pk in row.lines]
    if not region.province:
        return serving
    covering = [row for row in serving if row.covers_province({region.province})]
    return covering or serving


@dataclass(frozen=True)
class PointFacts:
    """What ranking needs of a point, read once per suggestion run (not once per work order)."""

    point: ServicePoint
    lines: frozenset[int]
    own: scoring.Region
    areas: tuple[scoring.Region, ...]

    def covers_province(self, provinces: set[str]) -> bool:
        """Serves somewhere in one of `provinces`: its areas, or its own province without areas."""
        if self.areas:
            return any(area.province in provinces for area in self.areas)
        return self.own.province in provinces


# R5: every active point with its product lines and areas, read on every create.
ROUTING_POINTS = ReferenceCache(
    "field.routing_points",
    _point_facts_load,
    depends_on=(ServicePoint, ServiceArea, ServicePoint.product_lines.through),
)


def _covering_origin(facts: list[PointFacts], place: scoring.Region) -> tuple[float, float] | None:
    """Where the customer is, roughly, when their coordinates are unknown: the point covering their
    region most precisely (whatever the lines it serves; the first by code on a tie), when it has
    coordinates (R5: "at or near the covering point")."""
    best: tuple[int, str, tuple[float, float]] | None = None
    for row in facts:
        level = scoring.region_level(row.own, list(row.areas), place)
        latitude, longitude = scoring.coordinates(row.point.latitude, row.point.longitude)
        if level == scoring.NONE or latitude is None or longitude is None:
            continue
        key = (-level, row.point.code, (latitude, longitude))
        if best is None or key[:2] < best[:2]:
            best = key
    return best[2] if best is not None else None


def _point_candidates(
    work_order: WorkOrder,
    points: list[PointFacts],
    line: ProductLine | None,
    origin: tuple[float, float] | None,
    covering_origin: tuple[float, float] | None = None,
    keep: int | None = None,
) -> list[PointCandidate]:
    """The points able to serve the work order, best first (R5): coverage of the customer's
    region, then the distance from the customer or, when their coordinates are unknown, from the
    point covering their region (`covering_origin`), so that a fallback is the nearest point, not
    the first by code. With `keep`, only that many best are built: the dispatch board ranks 200
    points for each of its 50 rows and reads the engineers of a few (issue 9: 10,000 candidates
    a board left the worker's memory larger)."""
    place = customer_region(work_order)
    ranked = []
    for facts in points:
        if line is not None and facts.lines and line.pk not in facts.lines:
            continue  # the point does not serve this product line (R5)
        point = facts.point
        here = scoring.coordinates(point.latitude, point.longitude)
        level = scoring.region_level(facts.own, list(facts.areas), place)
        distance = scoring.distance_km(origin, here)
        covering = scoring.distance_km(covering_origin, here) if origin is None else None
        near = distance if distance is not None else covering
        ranked.append((scoring.point_rank_key(level, near, point.code), facts, level, distance, covering))
    best = (
        heapq.nsmallest(keep, ranked, key=itemgetter(0))
        if keep is not None
        else sorted(ranked, key=itemgetter(0))
    )
    return [
        PointCandidate(
            point=facts.point,
            region_level=level,
            distance_km=distance,
            serves_all_lines=not facts.lines,
            covering_km=covering,
        )
        for _key, facts, level, distance, covering in best
    ]


# The engineers of some points with what routing weighs, in one statement of portable SQL (SQLite
# in tests and the demo, PostgreSQL in production): each engineer with their open load and leave
# today, and, for points not in memory yet (`{people}`), their user and qualifications (one row per
# qualification, or one without). Intake runs it on every create: the ORM's form of it
# (select_related, two subquery annotations, a prefetch, model building) cost 5 ms of Python per
# create for 0.3 ms in the database; this costs about 1 ms in all (issue 9). The open load is
# counted on the partial index of open work orders (`wo_open_by_engineer`), so it follows the open
# backlog only.
_LOADS_SQL = """
SELECT e.id, e.service_point_id,
       (SELECT COUNT(*) FROM {work_order} w WHERE w.engineer_id = e.id AND w.state IN ({states})),
       EXISTS (SELECT 1 FROM {leave} l WHERE l.engineer_id = e.id AND l.start <= %s AND l."end" >= %s)
       {people}
FROM {engineer} e {people_join}
WHERE e.is_active AND e.service_point_id IN ({points})
ORDER BY e.service_point_id, e.employee_no, e.id
"""
_PEOPLE_COLUMNS = (
    ", e.user_id, e.employee_no, e.is_active, u.username, u.first_name, u.last_name, u.phone, "
    "q.id, q.product_line_id, q.certified_on, q.expires_on"
)
_PEOPLE_JOIN = "JOIN {user} u ON u.id = e.user_id LEFT JOIN {qualification} q ON q.engineer_id = e.id"
_ENGINEER_FIELDS = ["id", "user_id", "service_point_id", "employee_no", "is_active"]  # in the model's order
_USER_FIELDS = ["id", "username", "first_name", "last_name", "phone"]


@dataclass(frozen=True, slots=True)
class LineQualification:
    """What routing reads of an engineer's qualification for a product line (R38)."""

    product_line_id: int
    certified_on: date
    expires_on: date

    def is_valid_on(self, day: date) -> bool:
        return self.certified_on <= day <= self.expires_on


@dataclass(frozen=True, slots=True)
class RoutedEngineer:
    """An engineer as routing weighs them on one day: the engineer (shared, read-only, with their
    user, point and `line_qualifications`) and what changes by the minute."""

    engineer: Engineer
    open_load: int
    is_on_leave: bool


# R5, R38: the active engineers of each point with their user and qualifications, kept in memory
# like the points and filled a point at a time (a create reads one point's, the dispatch board
# most of the company's 2,000). Building them anew on every board cost a worker 13 MB of memory it
# never gave back (issue 9). The instances are shared: read them only.
ROUTING_ENGINEERS: ReferenceCache[dict[int, list[Engineer]]] = ReferenceCache(
    "field.routing_engineers", dict, depends_on=(Engineer, User, Qualification, ServicePoint)
)


def _engineers(points: dict[int, ServicePoint], day: date) -> dict[int, list[RoutedEngineer]]:
    """Active engineers of the points (their points, already read, attached) with their load and
    leave on `day`: one query, which also reads the people of points not in memory yet."""
    if not points:
        return {}
    known = ROUTING_ENGINEERS.get()
    missing = [pk for pk in points if pk not in known]
    tables = {
        "user": User._meta.db_table,
        "qualification": Qualification._meta.db_table,
    }
    sql = _LOADS_SQL.format(
        work_order=WorkOrder._meta.db_table,
        leave=EngineerLeave._meta.db_table,
        engineer=Engineer._meta.db_table,
        states=", ".join(["%s"] * len(OPEN_STATES)),
        points=", ".join(["%s"] * len(points)),
        people=_PEOPLE_COLUMNS if missing else "",
        people_join=_PEOPLE_JOIN.format(**tables) if missing else "",
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*sorted(OPEN_STATES), day, day, *points])
        rows = cursor.fetchall()
    if missing:
        known.update(_people(rows, points, set(missing)))
    loads = {row[0]: (row[2], bool(row[3])) for row in rows}
    return {
        pk: [RoutedEngineer(engineer, *loads[engineer.pk]) for engineer in known[pk] if engineer.pk in loads]
        for pk in points
    }


def _people(
    rows: list[tuple], points: dict[int, ServicePoint], missing: set[int]
) -> dict[int, list[Engineer]]:
    """The engineers of the `missing` points, built from `_LOADS_SQL`'s rows with their people."""
    alias = connection.alias
    by_point: dict[int, list[Engineer]] = {pk: [] for pk in missing}
    engineer: Any = None  # an Engineer with `line_qualifications`
    for row in rows:
        if row[1] not in missing:
            continue
        if engineer is None or engineer.pk != row[0]:
            engineer = Engineer.from_db(alias, _ENGINEER_FIELDS, (row[0], row[4], row[1], *row[5:7]))
            engineer.user = User.from_db(alias, _USER_FIELDS, (row[4], *row[7:11]))
            engineer.service_point = points[engineer.service_point_id]
            engineer.line_qualifications = []
            by_point[engineer.service_point_id].append(engineer)
        if row[11] is not None:
            engineer.line_qualifications.append(LineQualification(*row[12:15]))
    return by_point


def _engineer_candidate(routed: RoutedEngineer, line: ProductLine | None, day: date) -> EngineerCandidate:
    engineer: Any = routed.engineer  # with `line_qualifications` (see `_people`)
    qualification = None
    if line is not None:
        qualification = next((q for q in engineer.line_qualifications if q.product_line_id == line.pk), None)
    return EngineerCandidate(
        engineer=engineer,
        load=routed.open_load,
        on_leave=routed.is_on_leave,
        day=day,
        line=line,
        qualification=qualification,
    )


def _availability(
    candidate: EngineerCandidate, plan: PointDay, booked: list[Booking], window: scoring.Window | None
) -> None:
    """R12: the engineer's booked visits on the point's service day and whether one overlaps the
    requested window."""
    candidate.service_day, candidate.working_minutes = plan.day, plan.working_minutes
    candidate.booked_minutes = sum(scoring.window_minutes(b.window) for b in booked)
    if window is not None:
        candidate.clash = next((b for b in booked if scoring.overlaps(b.window, window)), None)


def _engineer_candidate_shared(
    shared: dict[tuple[int, int | None], EngineerCandidate],
    routed: RoutedEngineer,
    line: ProductLine | None,
    day: date,
    plan: PointDay | None,
    booked: dict[tuple[int, date], list[Booking]],
    window: scoring.Window | None,
) -> EngineerCandidate:
    """The engineer as a candidate for work of `line`: the same for every work order of one run
    (same day, window and bookings), so built once per engineer and line, read-only after."""
    key = (routed.engineer.pk, line.pk if line is not None else None)
    if key not in shared:
        candidate = _engineer_candidate(routed, line, day)
        if plan is not None:
            _availability(candidate, plan, booked.get((routed.engineer.pk, plan.day), []), window)
        shared[key] = candidate
    return shared[key]


def _point_reasons(candidate: PointCandidate, line: ProductLine | None) -> list[str]:
    point = candidate.point
    reasons = [_("%(point)s: %(region)s") % {"point": point, "region": candidate.region_label}]
    if candidate.distance_km is not None:
        reasons.append(_("%(km)s km away") % {"km": candidate.distance_km})
    elif candidate.covering_km is not None:
        reasons.append(
            _("%(km)s km from the point covering the customer's region") % {"km": candidate.covering_km}
        )
    if line is not None:
        reasons.append(
            _("serves all product lines")
            if candidate.serves_all_lines
            else _("serves %(line)s") % {"line": line}
        )
    plan = candidate.plan
    if plan is not None and plan.shifted:
        reasons.append(
            _("%(date)s is not a working day here: availability on %(day)s")
            % {"date": f"{plan.requested:%Y-%m-%d}", "day": f"{plan.day:%Y-%m-%d}"}
        )
    elif plan is not None and plan.working_minutes == 0:
        reasons.append(_("%(date)s is not a working day here") % {"date": f"{plan.day:%Y-%m-%d}"})
    if candidate.considered:
        if candidate.engineer is None:
            reasons.append(_("no qualified engineer available today"))
        else:
            reasons.append(
                _("%(count)d qualified engineers available") % {"count": candidate.qualified_engineers}
            )
    return reasons


@dataclass
class PartsHeld:
    """R32: the parts a work order needs (its service plan names them) and which of them each
    engineer's van holds: dispatch prefers the engineer holding the most, and says so."""

    needed: list[str]
    by_engineer: dict[int, set[str]]

    @classmethod
    def read(cls, work_order: WorkOrder, staffing: _Staffing) -> PartsHeld | None:
        needed = parts_needed(work_order)
        if not needed:
            return None
        engineer_ids = [e.engineer.pk for rows in staffing.engineers.values() for e in rows]
        return cls(needed, parts_in_vans(engineer_ids, needed))

    def count_by_key(self, candidates: list[EngineerCandidate]) -> dict[int, int]:
        counts = {}
        for key, candidate in enumerate(candidates):
            held = self.by_engineer.get(candidate.engineer.pk, set())
            counts[key] = len(held)
            if held:  # candidates are built afresh for each suggestion
                candidate.parts_held = tuple(sorted(held))
        return counts


def _suggest(
    shared: dict[tuple[int, int | None], EngineerCandidate],
    work_order: WorkOrder,
    candidates: list[PointCandidate],
    engineers: dict[int, list[RoutedEngineer]],
    day: date,
    line: ProductLine | None,
    plans: dict[int, PointDay],
    booked: dict[tuple[int, date], list[Booking]],
    window: scoring.Window | None,
    considered: int = POINTS_CONSIDERED,
    parts: PartsHeld | None = None,
) -> DispatchSuggestion:
    suggestion = DispatchSuggestion(work_order=work_order, day=day, product_line=line, window=window)
    if parts is not None:
        suggestion.reasons.append(
            _("The service plan needs %(parts)s: an engineer whose van holds them comes first")
            % {"parts": ", ".join(parts.needed)}
        )
    suggestion.candidates = candidates
    if window is not None:
        suggestion.reasons.append(
            _("Requested visit: %(date)s %(start)s–%(end)s")
            % {"date": f"{day:%Y-%m-%d}", "start": f"{window[0]:%H:%M}", "end": f"{window[1]:%H:%M}"}
        )
    for candidate in candidates[:considered]:
        candidate.considered = True
        candidate.plan = plans.get(candidate.point.pk)
        candidate.engineers = [
            _engineer_candidate_shared(shared, e, line, day, candidate.plan, booked, window)
            for e in engineers.get(candidate.point.pk, [])
        ]
        facts = [e.facts(i) for i, e in enumerate(candidate.engineers)]
        held = parts.count_by_key(candidate.engineers) if parts is not None else None
        best = scoring.best_engineer(facts, parts_held=held)
        candidate.qualified_engineers = sum(1 for f in facts if f.eligible)
        if best is not None:
            best_engineer = candidate.engineers[best.key]
            candidate.engineer, candidate.load = best_engineer.engineer, best_engineer.load
    for candidate in candidates[:considered]:  # the chosen one is among them
        candidate.reasons = _point_reasons(candidate, line)
    if not candidates:
        suggestion.reasons.append(_("No active service point serves this work order."))
        return suggestion
    staffed = next((c for c in candidates if c.considered and c.engineer is not None), None)
    chosen = staffed or candidates[0]
    suggestion.point, suggestion.engineer = chosen.point, chosen.engineer
    if line is None:
        suggestion.reasons.append(_("No product line known: any engineer may serve it."))
    if chosen is not candidates[0]:
        suggestion.reasons.append(
            _("%(best)s has no qualified engineer available today") % {"best": candidates[0].point}
        )
    if chosen.engineer is None:
        suggestion.reasons.append(_("No qualified engineer is available today; assign one manually."))
    else:
        suggestion.reasons.append(
            _("Suggested: %(engineer)s at %(point)s (qualified and available, lowest load and booked time)")
            % {"engineer": chosen.engineer, "point": chosen.point}
        )
    return suggestion


@dataclass
class _Staffing:
    """The engineers of some candidate points, on one day: with their load, leave and
    qualifications, the points' service days and the visits booked then (4 queries)."""

    day: date
    window: scoring.Window | None
    engineers: dict[int, list[RoutedEngineer]]
    plans: dict[int, PointDay]
    booked: dict[tuple[int, date], list[Booking]]

    @classmethod
    def read(cls, points: dict[int, ServicePoint], day: date, window: scoring.Window | None) -> _Staffing:
        engineers = _engineers(points, day)
        plans = availability.point_days(set(points), day, fixed=window is not None)
        booked = availability.bookings(
            [e.engineer.pk for rows in engineers.values() for e in rows],
            {plan.day for plan in plans.values()},
        )
        return cls(day, window, engineers, plans, booked)

    def add(self, other: _Staffing) -> None:
        self.engineers.update(other.engineers)
        self.plans.update(other.plans)
        self.booked.update(other.booked)

    def suggest(
        self,
        shared: dict[tuple[int, int | None], EngineerCandidate],
        work_order: WorkOrder,
        candidates: list[PointCandidate],
        line: ProductLine | None,
        considered: int = POINTS_CONSIDERED,
        parts: PartsHeld | None = None,
    ) -> DispatchSuggestion:
        return _suggest(
            shared,
            work_order,
            candidates,
            self.engineers,
            self.day,
            line,
            self.plans,
            self.booked,
            self.window,
            considered,
            parts,
        )


@dataclass
class _Ranking:
    """The candidate points of each work order, best first, and what ranking them read."""

    by_id: dict[int, ServicePoint]
    ranked: dict[int, list[PointCandidate]]
    lines: dict[int, ProductLine | None]

    @classmethod
    def read(
        cls,
        work_orders: Sequence[WorkOrder],
        points: QuerySet[ServicePoint] | None,
        origins: dict[int, tuple[float, float]],
        keep: int | None = None,
    ) -> _Ranking:
        facts = _allowed_points(points)
        lines = {wo.pk: wo.product_line for wo in work_orders}
        ranked = {}
        used: dict[int, ServicePoint] = {}
        near: dict[scoring.Region, tuple[float, float] | None] = {}  # once per region, not per row
        for wo in work_orders:
            region = customer_region(wo)
            rows = _points_for(facts, region, lines[wo.pk])
            origin = origins.get(wo.pk) or customer_origin(wo)
            if origin is None and region not in near:
                near[region] = _covering_origin(facts, region)
            covering = near.get(region) if origin is None else None
            ranked[wo.pk] = _point_candidates(wo, rows, lines[wo.pk], origin, covering, keep)
            used.update((c.point.pk, c.point) for c in ranked[wo.pk])
        return cls(used, ranked, lines)

    def points(self, work_orders: Iterable[WorkOrder], ranks: slice) -> dict[int, ServicePoint]:
        """The points at `ranks` of the work orders' rankings."""
        return {c.point.pk: self.by_id[c.point.pk] for wo in work_orders for c in self.ranked[wo.pk][ranks]}


def dispatch_suggest_many(
    work_orders: Sequence[WorkOrder],
    *,
    day: date | None = None,
    window: scoring.Window | None = None,
    points: QuerySet[ServicePoint] | None = None,
    origins: dict[int, tuple[float, float]] | None = None,
) -> dict[int, DispatchSuggestion]:
    """Suggestions for many work orders in a fixed number of queries, each with the engineers of
    its POINTS_CONSIDERED best points and their reasons (the work-order page, the "why" of a row).

    `day` is the day of the visit (default today; on a day off of a point its next working day
    counts), `window` the visit's requested time window on that day (R12); `points` limits the
    candidates (e.g. to a dealer's points); `origins` gives coordinates per work-order id when
    known (else the customer's, when the customer record has them)."""
    if not work_orders:
        return {}
    ranking = _Ranking.read(work_orders, points, origins or {})
    staffing = _Staffing.read(
        ranking.points(work_orders, slice(POINTS_CONSIDERED)),
        day or timezone.localdate(),
        window,
    )
    shared: dict[tuple[int, int | None], EngineerCandidate] = {}
    return {
        wo.pk: staffing.suggest(shared, wo, ranking.ranked[wo.pk], ranking.lines[wo.pk]) for wo in work_orders
    }


def dispatch_route_many(
    work_orders: Sequence[WorkOrder],
    *,
    day: date | None = None,
    window: scoring.Window | None = None,
    points: QuerySet[ServicePoint] | None = None,
    choices: int = 1,
) -> dict[int, DispatchSuggestion]:
    """R5: the choice `dispatch_suggest_many` makes, the best-ranked point with a qualified,
    available engineer and the best engineer there, found with fewer reads: the engineers of each
    work order's best point first, those of its next points (up to POINTS_CONSIDERED) only when
    it has none. Intake and the dispatch board read one point's engineers per work order instead
    of ten; the chosen point's reasons and engineers are the same, the other points' are not read
    (`dispatch_suggest` gives them). With `choices` > 1 (the board's assign choices) the engineers
    of that many best points are read in the first round, so that the other points' qualified
    engineers can be offered after the chosen one's, nearest first."""
    if not work_orders:
        return {}
    day = day or timezone.localdate()
    choices = max(1, min(choices, POINTS_CONSIDERED))
    ranking = _Ranking.read(work_orders, points, {}, keep=POINTS_CONSIDERED)
    staffing = _Staffing.read(ranking.points(work_orders, slice(choices)), day, window)
    shared: dict[tuple[int, int | None], EngineerCandidate] = {}
    result = {
        wo.pk: staffing.suggest(shared, wo, ranking.ranked[wo.pk], ranking.lines[wo.pk], considered=choices)
        for wo in work_orders
    }
    unstaffed = [
        wo for wo in work_orders if result[wo.pk].engineer is None and len(ranking.ranked[wo.pk]) > 1
    ]
    if unstaffed:
        further = {
            pk: point
            for pk, point in ranking.points(unstaffed, slice(choices, POINTS_CONSIDERED)).items()
            if pk not in staffing.plans  # not read in the first round for another work order
        }
        staffing.add(_Staffing.read(further, day, window))
        for wo in unstaffed:
            result[wo.pk] = staffing.suggest(shared, wo, ranking.ranked[wo.pk], ranking.lines[wo.pk])
    return result


def dispatch_suggest(
    work_order: WorkOrder,
    *,
    day: date | None = None,
    window: scoring.Window | None = None,
    points: QuerySet[ServicePoint] | None = None,
    origin: tuple[float, float] | None = None,
) -> DispatchSuggestion:
    """R5: the best service point for the work order and a qualified (R38), available (R12)
    engineer there, with the score breakdown of every candidate and readable reasons."""
    ranking = _Ranking.read([work_order], points, {work_order.pk: origin} if origin is not None else {})
    staffing = _Staffing.read(
        ranking.points([work_order], slice(POINTS_CONSIDERED)),
        day or timezone.localdate(),
        window,
    )
    parts = PartsHeld.read(work_order, staffing)
    return staffing.suggest(
        {}, work_order, ranking.ranked[work_order.pk], ranking.lines[work_order.pk], parts=parts
    )


def dispatch_route(work_order: WorkOrder) -> DispatchSuggestion:
    """R5 at intake: `dispatch_route_many` for one new work order (a create usually reads one
    point's engineers; the explanation is `dispatch_suggest`'s)."""
    return dispatch_route_many([work_order])[work_order.pk]
