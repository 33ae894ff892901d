"""Demo visits (`manage.py demo_seed`): done visits with the customer's sign-off and supervision
cards for some completed work orders, a refused sign-off keeping one work order open (R17), and
visits booked with the customers (R12) for today and the coming working days, so the calendar and
the schedule board have work on them; the demo engineer `engineer` has visits today. Only work
handled on site gets visits (`workorders.demo.hands_on`), in working hours, between the work
order's start and completion. Deterministic (the seed's `rng`) and through the services under a
simulated clock; only the on-site start of visits of already completed work, which the lifecycle no
longer allows, is written directly."""

from __future__ import annotations

import base64
import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.core.demo import (
    WORKDAY_START,
    last_working_moment,
    previous_working_day,
    simulated_clock,
    working_after,
    working_days_from,
    working_moment,
)
from aftersales.core.services import number_next
from aftersales.workorders.choices import State
from aftersales.workorders.demo import hands_on
from aftersales.workorders.models import WorkOrder

from .choices import VisitState
from .models import SupervisionCard, Visit
from .selectors import self_check_labels
from .services import (
    VISIT_NUMBER_PREFIX,
    appointment_book,
    signed_forms_render_pending,
    supervision_transition,
    visit_create,
    visit_internal_update,
    visit_part_add,
    visit_record,
    visit_sign,
    visit_signoff_refuse,
    visit_transition,
)

DONE_VISITS = 8  # each renders its signed service form (a PDF): keep the seed fast
BOOKING_DAYS = 4  # today and the next three working days
MAX_BOOKINGS = 24
# The windows offered to customers, in working hours; an engineer takes one visit a window.
WINDOWS = ((time(9, 0), time(11, 0)), (time(13, 30), time(15, 30)), (time(15, 30), time(17, 30)))
FINDINGS = [
    ("定影组件老化导致卡纸，已更换定影组件并清洁进纸通道，试打印 20 页正常。", "RM1-2337", "定影组件"),
    ("搓纸轮磨损，进纸不畅，已更换搓纸轮，调整纸盒导板。", "RL1-1443", "搓纸轮"),
    ("激光器脏污造成打印浓度不均，已清洁激光器并校准浓度。", "", ""),
    ("主板供电接口松动，已重新紧固并更换排线。", "RM2-5630", "主板排线"),
    ("硒鼓非原装，芯片识别异常，已更换原装硒鼓并告知用户使用注意事项。", "CF248A", "原装硒鼓"),
]
CAUSES = [
    ("长期高负荷使用，部件正常老化", "更换老化部件，建议季度保养"),
    ("用户使用非原装耗材", "更换原装耗材，已告知保修条款"),
    ("运输颠簸导致接口松动", "紧固接口，更换排线"),
]


def _signature_png(rng: random.Random) -> str:
    """A small scribble as a PNG data URL (no imaging library): a few dark strokes on white."""
    import struct
    import zlib

    width, height = 120, 40
    pixels = [[255] * width for _ in range(height)]
    y = rng.randint(12, 28)
    for x in range(8, width - 8):
        y = max(4, min(height - 5, y + rng.choice((-1, 0, 1))))
        for dy in (0, 1):
            pixels[y + dy][x] = 0
    raw = b"".join(b"\x00" + bytes(row) for row in pixels)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    return "data:image/png;base64," + base64.b64encode(png).decode()


def _on_site(work_order, *, arrived: datetime) -> Visit:
    """A visit of a work order already completed: checked in `arrived` (written directly)."""
    visit = Visit(
        work_order=work_order,
        engineer=work_order.engineer,
        planned_date=timezone.localdate(arrived),
        state=VisitState.ON_SITE,
        departed_at=arrived - timedelta(minutes=40),
        arrived_at=arrived,
        checklist=[{"label": label, "ok": False} for label in self_check_labels(work_order)],
        number=number_next(prefix=VISIT_NUMBER_PREFIX, day=timezone.localdate(arrived)),
        created_by=work_order.engineer.user,
    )
    visit.full_clean()
    visit.save()
    return visit


def _record(visit: Visit, rng: random.Random, actor) -> None:
    findings, part_number, part_name = rng.choice(FINDINGS)
    visit_record(visit_id=visit.pk, actor=actor, findings=findings, checked=range(len(visit.checklist)))
    if part_number:
        visit_part_add(visit_id=visit.pk, actor=actor, part_number=part_number, name=part_name)


def _started_at(work_order: WorkOrder) -> datetime:
    return work_order.events.filter(kind="transition", action="start").order_by("created_at")[0].created_at


def _on_site_span(work_order: WorkOrder, rng: random.Random) -> tuple[datetime, datetime] | None:
    """When the engineer arrived and left: in working hours, after the work started and before it
    was completed (an hour or two before); None when the work took too little time for a visit."""
    completed = work_order.completed_at
    opening = timezone.make_aware(datetime.combine(timezone.localdate(completed), WORKDAY_START))
    arrived = max(_started_at(work_order), opening, completed - timedelta(minutes=rng.randint(90, 180)))
    left = completed - timedelta(minutes=rng.randint(5, 15))
    if left - arrived < timedelta(minutes=45):
        return None
    return arrived, left


def _done_visit(
    work_order, span: tuple[datetime, datetime], rng: random.Random, clerk: User | None, now: datetime
) -> None:
    actor = work_order.engineer.user
    arrived, left = span
    with simulated_clock(arrived):
        visit = _on_site(work_order, arrived=arrived)
    with simulated_clock(arrived + (left - arrived) / 3):
        _record(visit, rng, actor)
    with simulated_clock(left - timedelta(minutes=5)):
        visit_sign(
            visit_id=visit.pk,
            actor=actor,
            quality_rating=rng.choice((4, 5, 5, 5)),
            attitude_rating=rng.choice((4, 5, 5)),
            satisfied=True,
            signer_name=work_order.contact_name,
            drawn_signature=_signature_png(rng),
        )
    cause, measures = rng.choice(CAUSES)
    with simulated_clock(left):
        visit_transition(visit_id=visit.pk, action="leave", actor=actor)
    if work_order.state == State.COMPLETED:  # closed work is final (R16): nothing to add any more
        with simulated_clock(working_after(left, 1, not_after=now)):
            visit_internal_update(visit_id=visit.pk, actor=actor, fault_cause=cause, repair_measures=measures)
    card = SupervisionCard.objects.get(visit=visit)
    roll = rng.random()
    if roll < 0.15:
        return  # never submitted: a late card for the service centre to chase (R19)
    submitted = working_moment(
        left
        + (timedelta(hours=rng.randint(14, 30)) if roll < 0.3 else timedelta(minutes=rng.randint(20, 180)))
    )
    if submitted >= now:
        return
    with simulated_clock(submitted):
        card = supervision_transition(
            card_id=card.pk,
            action="submit",
            actor=actor,
            summary=visit.findings if visit.findings else "已完成",
        )
    verified = working_moment(submitted + timedelta(hours=rng.randint(2, 20)))
    if clerk is not None and verified < now and rng.random() < 0.7:
        with simulated_clock(verified):
            supervision_transition(card_id=card.pk, action="verify", actor=clerk, note="已电话核实")


def _refused_visit(work_order, day: date, rng: random.Random) -> None:
    """R17: the customer refused to sign on `day`; the work order stays open for follow-up."""
    actor = work_order.engineer.user
    opening = timezone.make_aware(datetime.combine(day, WORKDAY_START))
    arrived = opening + timedelta(minutes=rng.randint(60, 300))
    with simulated_clock(opening):
        visit = visit_create(work_order=work_order, actor=actor, planned_date=day)
    with simulated_clock(arrived):
        visit_transition(
            visit_id=visit.pk, action="arrive", actor=actor, latitude="31.2304", longitude="121.4737"
        )
    with simulated_clock(arrived + timedelta(minutes=40)):
        _record(Visit.objects.get(pk=visit.pk), rng, actor)
        visit_signoff_refuse(
            visit_id=visit.pk, actor=actor, reason="故障未彻底排除，客户要求观察两天后再签字", satisfied=False
        )
    with simulated_clock(arrived + timedelta(minutes=50)):
        visit_transition(visit_id=visit.pk, action="leave", actor=actor)


def _bookings(rng: random.Random, now: datetime, open_orders: list[WorkOrder]) -> None:
    """R12: visits booked with the customers for today and the coming working days, one window
    each, spread so that every day has several engineers on the road. The demo engineer
    comes first, today (their visits of today are planned: the phone's `/field/today/`); then
    assigned work (its first visit), then work in service (a follow-up visit). A third of the open
    work is left unbooked (for the depot and the dispatchers). Booked by the dispatcher in working
    hours of the last two days, after the assignment; today's windows already over are not used."""
    dispatcher = User.objects.filter(username="dispatcher").first()
    days = working_days_from(timezone.localdate(now), BOOKING_DAYS)

    def is_demo_engineer(work_order: WorkOrder) -> bool:
        return work_order.engineer.user.username == "engineer"

    order = sorted(open_orders, key=lambda wo: (not is_demo_engineer(wo), wo.state != State.ASSIGNED, wo.pk))
    on_the_road: dict[date, set[int]] = {day: set() for day in days}
    taken: set[tuple[int, date, time]] = set()
    for work_order in order[: min(MAX_BOOKINGS, len(order) * 2 // 3)]:
        engineer_id = work_order.engineer_id
        free = {
            day: [
                window
                for window in WINDOWS
                if timezone.make_aware(datetime.combine(day, window[1])) > now
                and (engineer_id, day, window[0]) not in taken
            ]
            for day in days
        }
        open_days = [day for day in days if free[day]]
        if not open_days:
            continue
        if is_demo_engineer(work_order):
            day, (start, end) = open_days[0], free[open_days[0]][0]
        else:  # the day with the fewest engineers on the road, this one not among them
            day = min(open_days, key=lambda d: (engineer_id in on_the_road[d], len(on_the_road[d])))
            start, end = rng.choice(free[day])
        on_the_road[day].add(engineer_id)
        taken.add((work_order.engineer_id, day, start))
        assigned = work_order.events.filter(kind="transition", action="assign").order_by("-created_at")[0]
        booked_at = working_moment(now - timedelta(hours=rng.uniform(2, 48)), not_after=now)
        with simulated_clock(max(booked_at, assigned.created_at)):
            appointment = appointment_book(
                work_order=work_order,
                engineer=work_order.engineer,
                day=day,
                window_start=start,
                window_end=end,
                actor=dispatcher or work_order.engineer.user,
            )
            if day == days[0] and is_demo_engineer(work_order):
                visit_create(work_order=work_order, actor=work_order.engineer.user, appointment=appointment)


def seed(*, rng: random.Random, now: datetime) -> None:
    clerk = User.objects.filter(username="clerk").first()
    completed = list(
        WorkOrder.objects.filter(
            hands_on(),
            state__in=[State.COMPLETED, State.CLOSED],
            engineer__isnull=False,
            completed_at__isnull=False,
        )
        .select_related("engineer__user", "customer")
        .order_by("id")
    )
    spans = {wo.pk: span for wo in completed if (span := _on_site_span(wo, rng)) is not None}
    visited = [wo for wo in completed if wo.pk in spans]
    for work_order in rng.sample(visited, min(DONE_VISITS, len(visited))):
        _done_visit(work_order, spans[work_order.pk], rng, clerk, now)
    open_orders = list(
        WorkOrder.objects.filter(
            hands_on(), state__in=[State.ASSIGNED, State.IN_SERVICE], engineer__isnull=False
        )
        .select_related("engineer__user")
        .order_by("id")
    )
    # The refusal was yesterday, at the first work in service another engineer started before then.
    yesterday = previous_working_day(timezone.localdate(now))
    refused = next(
        (
            wo
            for wo in open_orders
            if wo.state == State.IN_SERVICE
            and wo.engineer.user.username != "engineer"
            and timezone.localdate(_started_at(wo)) < yesterday
        ),
        None,
    )
    if refused is not None:
        _refused_visit(refused, yesterday, rng)
    _bookings(rng, now, [wo for wo in open_orders if wo is not refused])
    # The signed forms the job would render (R15, R21): the demo opens with them ready.
    with simulated_clock(last_working_moment(now)):
        signed_forms_render_pending(limit=DONE_VISITS, grace=timedelta(0))
