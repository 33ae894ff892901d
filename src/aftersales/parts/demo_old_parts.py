"""Demo old parts and reimbursement claims (`manage.py demo_seed`, R29, R31), made through the
services by the people who run each step, under a clock placed in the past:

- the month before last: two old parts of the first dealer went to HQ, were found faulty, claimed,
  approved and credited to its account;
- last month: the first dealer's parts were inspected (one not faulty, so its line is proposed
  rejected) and the second dealer's are on their way to HQ: both claims wait in review;
- this month: an old part just registered, one reported and waiting for a shipment, one received
  at HQ awaiting inspection, one not reported in time and charged, one charged and reversed on
  appeal (then reported), and one of a point HQ runs that is overdue but not charged.

People's steps happen in working hours; a part is replaced on work handled on site
(`workorders.demo.hands_on`) after that work started. Deterministic (dealers by code, work orders by
number, parts by number) and run once (nothing is added when claims or shipments exist)."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.db.models import Min, Q
from django.utils import timezone

from aftersales.accounts.choices import Role
from aftersales.accounts.models import Dealer, User
from aftersales.catalog.models import Part
from aftersales.core.demo import WORKDAY_START, last_working_moment, simulated_clock, working_moment
from aftersales.workorders.demo import hands_on
from aftersales.workorders.models import WorkOrder

from .choices import InspectionResult, LineDecision
from .models import OldPart, OldPartShipment, ReimbursementClaim
from .services.claims import claim_line_decide, claim_transition, claims_build, month_start, previous_month
from .services.old_parts import (
    old_part_penalties_charge,
    old_part_penalty_reverse,
    old_part_register,
    old_part_transition,
    report_days,
    shipment_create,
    shipment_transition,
)

CONDITIONS = (
    "定影膜破损",
    "齿轮断齿",
    "加热灯管不亮",
    "外壳完好，通电无反应",
    "激光器光斑异常",
    "搓纸轮磨损严重",
)
CARRIERS = (("顺丰速运", "SF"), ("京东物流", "JD"), ("中通快递", "ZT"))


class _Demo:
    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng, self.now = rng, now
        self.clerk = _user(Role.PARTS_CLERK) or _user(Role.SUPERVISOR) or _user(Role.HQ_ADMIN)
        self.finance = _user(Role.FINANCE) or self.clerk
        self.quality = _user(Role.QUALITY) or self.clerk
        self.parts = list(
            Part.objects.filter(is_active=True, serialised=False, prices__isnull=False)
            .distinct()
            .order_by("number")[:12]
        )
        self.orders: dict[int | None, list[WorkOrder]] = {}
        self.used = 0

    def day(self, month: datetime | None, day: int, hour: int = 10) -> datetime:
        """A moment on `day` of the month of `month` (people's: from then in working hours; a
        night job's at `hour`), never after now."""
        base = month or self.now
        moment = timezone.make_aware(datetime.combine(base.date().replace(day=day), time(hour, 0)))
        if time(hour) < WORKDAY_START:
            return min(moment, self.now - timedelta(minutes=5))
        return working_moment(moment, not_after=self.now - timedelta(minutes=5))

    def ago(self, days: float) -> datetime:
        """The last working moment at least `days` ago (a deadline counted from it has passed)."""
        return last_working_moment(self.now - timedelta(days=days))

    def staff_of(self, dealer_id: int | None) -> User:
        staff = (
            User.objects.filter(role=Role.DEALER_STAFF, dealer_id=dealer_id, is_active=True)
            .order_by("username")
            .first()
            if dealer_id is not None
            else None
        )
        return staff or self.clerk

    def work_order(
        self, dealer_id: int | None, replaced_at: datetime, point_id: int | None = None
    ) -> WorkOrder:
        """The dealer's work orders handled on site in turn (of one service point when `point_id`
        is given), those started by `replaced_at` when there are such."""
        orders = self.orders.get(dealer_id)
        if orders is None:
            point = (
                Q(service_point__dealer_id=dealer_id) if dealer_id else Q(service_point__dealer__isnull=True)
            )
            started = Q(events__kind="transition", events__action="start")
            orders = list(
                WorkOrder.objects.filter(
                    hands_on(), point, service_point__isnull=False, engineer__isnull=False
                )
                .annotate(started_at=Min("events__created_at", filter=started))
                .select_related("engineer__user", "service_point")
                .order_by("number")[:40]
            )
            self.orders[dealer_id] = orders
        of_point = [o for o in orders if point_id is None or o.service_point_id == point_id] or orders
        started = [o for o in of_point if o.started_at is not None and o.started_at <= replaced_at]
        candidates = started or of_point  # (a small company may have no work started by then)
        order = candidates[self.used % len(candidates)]
        self.used += 1
        return order

    def register(
        self, dealer_id: int | None, moment: datetime, quantity: int = 1, point_id: int | None = None
    ) -> OldPart:
        order = self.work_order(dealer_id, moment, point_id)
        part = self.parts[self.used % len(self.parts)]
        with simulated_clock(moment):
            return old_part_register(
                work_order=order,
                part=part,
                quantity=quantity,
                serial_number="",
                actor=order.engineer.user,
                replaced_at=moment,
                condition=self.rng.choice(CONDITIONS),
            )

    def report(self, old_part: OldPart, moment: datetime) -> None:
        with simulated_clock(moment):
            old_part_transition(
                old_part_id=old_part.pk,
                action="report",
                actor=self.staff_of(old_part.dealer_id),
                note="已拍照上报",
            )

    def ship(self, old_parts: list[OldPart], moment: datetime) -> OldPartShipment:
        staff = self.staff_of(old_parts[0].dealer_id)
        carrier, prefix = self.rng.choice(CARRIERS)
        with simulated_clock(moment):
            shipment = shipment_create(
                service_point=old_parts[0].service_point, old_part_ids=[o.pk for o in old_parts], actor=staff
            )
            return shipment_transition(
                shipment_id=shipment.pk,
                action="ship",
                actor=staff,
                carrier=carrier,
                tracking_number=f"{prefix}{self.rng.randrange(10**11, 10**12)}",
            )

    def receive(self, shipment: OldPartShipment, moment: datetime) -> None:
        with simulated_clock(moment):
            shipment_transition(
                shipment_id=shipment.pk, action="receive", actor=self.clerk, note="已清点入库"
            )

    def inspect(self, old_part: OldPart, moment: datetime, result: str, note: str) -> None:
        with simulated_clock(moment):
            old_part_transition(
                old_part_id=old_part.pk,
                action="inspect",
                actor=self.quality,
                inspection_result=result,
                note=note,
            )

    def returned(
        self, dealer_id: int | None, replaced: datetime, results: list[tuple[str, str]]
    ) -> list[OldPart]:
        """Old parts replaced on `replaced` (a day apart), reported, shipped, received and, for each
        result given, inspected."""
        old_parts = [self.register(dealer_id, replaced)]
        for index in range(1, len(results)):  # a shipment leaves one service point
            point = old_parts[0].service_point_id
            old_parts.append(self.register(dealer_id, replaced + timedelta(days=index), point_id=point))
        for old_part in old_parts:
            self.report(old_part, old_part.replaced_at + timedelta(days=1))
        shipment = self.ship(old_parts, replaced + timedelta(days=3))
        self.receive(shipment, replaced + timedelta(days=6))
        for old_part, (result, note) in zip(old_parts, results, strict=True):
            if result:
                self.inspect(old_part, replaced + timedelta(days=8), result, note)
        return old_parts


def _user(role: str) -> User | None:
    return User.objects.filter(role=role, is_active=True).order_by("username").first()


def seed(*, rng: random.Random, now: datetime) -> None:
    if ReimbursementClaim.objects.exists() or OldPartShipment.objects.exists():
        return
    demo = _Demo(rng, now)
    dealers = [
        dealer.pk
        for dealer in Dealer.objects.filter(is_active=True).order_by("code")
        if WorkOrder.objects.filter(service_point__dealer=dealer, engineer__isnull=False).exists()
    ]
    if len(dealers) < 2 or demo.clerk is None or not demo.parts:
        return
    first, second = dealers[0], dealers[1]
    this_month = timezone.localtime(now)
    last = timezone.make_aware(datetime.combine(previous_month(this_month.date()), time(10)))
    before_last = timezone.make_aware(datetime.combine(previous_month(last.date()), time(10)))

    # The month before last: faulty, claimed, approved and credited.
    faulty = InspectionResult.FAULTY
    demo.returned(first, demo.day(before_last, 9), [(faulty, "确认故障"), (faulty, "确认故障，齿轮断裂")])
    with simulated_clock(demo.day(last, 3, hour=2)):
        claims_build(month=before_last.date())
    credited = ReimbursementClaim.objects.get(dealer_id=first, month=month_start(before_last.date()))
    with simulated_clock(demo.day(last, 5)):
        for line in credited.lines.all():
            claim_line_decide(line_id=line.pk, decision=LineDecision.APPROVED, actor=demo.finance)
        claim_transition(
            claim_id=credited.pk, action="approve", actor=demo.finance, note="旧件检测均为故障件"
        )
    with simulated_clock(demo.day(last, 6)):
        claim_transition(claim_id=credited.pk, action="credit", actor=demo.finance)

    # Last month: inspected (one not faulty), and another dealer's still on their way: in review.
    demo.returned(
        first,
        demo.day(last, 4),
        [(faulty, "确认故障"), (InspectionResult.NOT_FAULTY, "通电测试正常，非故障件")],
    )
    in_transit = [demo.register(second, demo.day(last, 18))]
    demo.report(in_transit[0], demo.day(last, 19))
    demo.ship(in_transit, demo.day(last, 20))

    # This month (and the days before): every state at the service points and at HQ.
    demo.register(first, demo.ago(1))  # just registered
    waiting = demo.register(second, demo.ago(3), quantity=2)
    demo.report(waiting, demo.ago(2))  # reported, waiting for a shipment
    demo.returned(second, demo.ago(9), [("", "")])  # received at HQ, awaiting inspection
    appealed = demo.register(first, demo.ago(15))
    # The nightly job charges it once its deadline has passed; finance reverses it the next day.
    deadline = appealed.replaced_at + timedelta(days=report_days() + 1)  # overdue the day after
    charged_at = max(now - timedelta(days=7), deadline)
    with simulated_clock(charged_at):
        old_part_penalties_charge()
    appeal_at = max(
        working_moment(charged_at + timedelta(days=1), not_after=now - timedelta(minutes=10)), charged_at
    )
    with simulated_clock(appeal_at):
        old_part_penalty_reverse(
            old_part_id=appealed.pk, actor=demo.finance, reason="经核实系统故障未能上报，免于扣款"
        )
    demo.report(appealed, appeal_at)
    demo.register(second, demo.ago(12))  # not reported in time: charged below
    if WorkOrder.objects.filter(service_point__dealer__isnull=True, engineer__isnull=False).exists():
        demo.register(None, demo.ago(10))  # HQ's own point: overdue, not charged
    with simulated_clock(now - timedelta(minutes=2)):
        old_part_penalties_charge()
    # Built on the 3rd (or just now, early in the month): last month's claims wait in review.
    with simulated_clock(min(demo.day(this_month, 3, hour=2), now - timedelta(minutes=1))):
        claims_build(month=last.date())
