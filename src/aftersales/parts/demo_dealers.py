"""Demo records of the dealer network (`manage.py demo_seed`, R28-R30): each dealer's account with
its opening balance, credit limit and payments received; part requests in every state, made by
the people who run each step under a clock in the past (one over its dealer's credit limit waiting
for finance, one rejected, one cancelled, two received at the service point); a dealer's local fee
standard awaiting HQ's approval and another rejected. Deterministic (dealers and parts in code
order) and run once (nothing is added when part requests exist)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal

from aftersales.accounts.choices import Role
from aftersales.accounts.models import Dealer, ServicePoint, User
from aftersales.catalog.models import FeeSchedule, Part
from aftersales.catalog.pricing import part_prices
from aftersales.catalog.services import fee_schedule_reject, fee_schedule_submit
from aftersales.core.demo import simulated_clock
from aftersales.core.errors import DomainError

from .choices import EntryKind, PartRequestState, WarehouseKind
from .models import PartRequest, StockBalance, Warehouse
from .services import stock
from .services.accounts import entry_post
from .services.dealer_accounts import credit_limit_set, payment_record
from .services.requests import part_request_create, part_request_transition

S = PartRequestState
# Credit limits of the dealers in code order: the last one is tight, so a request waits for finance.
CREDIT_LIMITS = ("50000.00", "30000.00", "2000.00")
OPENING = ("12800.00", "6500.00", "2600.00")
CARRIERS = (("顺丰速运", "SF"), ("京东物流", "JD"), ("中通快递", "ZT"))
# (dealer index, state reached, [(part index, quantity)], days ago it was drawn up, note)
REQUESTS = (
    (0, S.RECEIVED, [(0, 2), (3, 10)], 48, "定影组件季度备货"),
    (1, S.RECEIVED, [(1, 1), (4, 4)], 41, "成都网点补货"),
    (0, S.SHIPPED, [(5, 3)], 12, "硒鼓库存不足"),
    (1, S.DEBITED, [(2, 2)], 9, ""),
    (0, S.ACCEPTED, [(6, 5)], 6, "碳粉备货"),
    (2, S.ACCEPTED, [(0, 6), (7, 3)], 5, "新网点首批备件"),
    (1, S.CONFIRMED, [(3, 20)], 4, "搓纸轮易损件备货"),
    (0, S.SUBMITTED, [(4, 2), (8, 1)], 2, "客户报修急需"),
    (2, S.DRAFT, [(1, 1)], 1, "待确认型号"),
    (1, S.REJECTED, [(9, 1)], 15, "申请激光器组件"),
    (2, S.CANCELLED, [(5, 2)], 20, "重复申请"),
)
ORDER = (S.SUBMITTED, S.CONFIRMED, S.ACCEPTED, S.DEBITED, S.SHIPPED, S.RECEIVED)


def _first(role: str, **filters) -> User | None:
    return User.objects.filter(role=role, is_active=True, **filters).order_by("pk").first()


def _hq_warehouse() -> Warehouse:
    found = Warehouse.objects.filter(kind=WarehouseKind.HQ, is_active=True).order_by("code").first()
    return found or Warehouse.objects.create(code="HQ-MAIN", name="总部中心备件库", kind=WarehouseKind.HQ)


def _stocked(hq: Warehouse, parts: list[Part], costs: dict[int, Decimal], clerk: User, now: datetime) -> None:
    """HQ holds at least 40 of each demo part (a purchase at the cost price when it holds fewer)."""
    with simulated_clock(now - timedelta(days=60)):
        for part in parts:
            balance = StockBalance.objects.filter(warehouse=hq, part=part).first()
            short = 40 - (balance.on_hand if balance else 0)
            if short > 0:
                stock.receive(
                    warehouse=hq,
                    part=part,
                    quantity=short,
                    unit_cost=costs[part.pk],
                    actor=clerk,
                    note="演示期初库存",
                )


# A thing the demo does at a moment: the ledger has no back-dated postings, so the demo runs them
# all in time order (the balance after each entry is then the balance at its time).
Job = tuple[datetime, int, Callable[[], object]]


def _account_jobs(dealers: list[Dealer], finance: User, now: datetime) -> list[Job]:
    """Each dealer's opening balance and credit limit, then payments received (bank transfers)."""
    jobs: list[Job] = []
    for index, dealer in enumerate(dealers):
        opening = Decimal(OPENING[index % len(OPENING)])

        def open_account(dealer=dealer, index=index, opening=opening) -> None:
            entry_post(
                dealer=dealer,
                kind=EntryKind.ADJUSTMENT,
                amount=opening,
                actor=finance,
                reason="期初往来余额结转",
                reference=f"QC{now:%Y}{index + 1:02d}",
            )
            credit_limit_set(
                dealer=dealer, credit_limit=CREDIT_LIMITS[index % len(CREDIT_LIMITS)], actor=finance
            )

        jobs.append((now - timedelta(days=75, hours=index), len(jobs), open_account))
        for days, share in ((35, "0.5"), (8, "0.3")):

            def pay(dealer=dealer, index=index, days=days, amount=opening * Decimal(share)) -> None:
                payment_record(
                    dealer=dealer,
                    amount=amount.quantize(Decimal("0.01")),
                    actor=finance,
                    reference=f"YH{(now - timedelta(days=days)):%m%d}{index + 1:02d}",
                    note="银行转账回款",
                )

            jobs.append((now - timedelta(days=days, hours=3 - index), len(jobs), pay))
    return jobs


def _request_jobs(
    rng: random.Random,
    *,
    index: int,
    staff: User,
    point: ServicePoint,
    lines: list[tuple[Part, int]],
    state: str,
    started: datetime,
    note: str,
    people: dict[str, User],
    first: int,
) -> list[Job]:
    """One request drawn up at `started` and taken to `state`, a step every few hours by whoever
    does it; one over its dealer's credit limit waits for finance at "accepted", and a step the
    demo's data refuses (no stock left) leaves it where it is."""
    made: dict[str, PartRequest] = {}

    def create() -> None:
        made["pr"] = part_request_create(service_point=point, actor=staff, lines=lines, note=note)

    jobs: list[Job] = [(started, first, create)]
    steps: list[tuple[str, User, dict]] = []
    if state in ORDER or state in (S.REJECTED, S.CANCELLED):
        steps.append(("submit", staff, {}))
    if state == S.REJECTED:
        steps.append(("reject", people["clerk"], {"reason": "该型号激光器组件需返厂维修，不单独供应"}))
    if state == S.CANCELLED:
        steps.append(("cancel", staff, {"note": "与上一张申请单重复"}))
    reached = ORDER.index(state) + 1 if state in ORDER else 0
    carrier, prefix = CARRIERS[index % len(CARRIERS)]
    ship_date = (started + timedelta(days=3)).date()
    tracking = f"{prefix}{rng.randint(10**9, 10**10 - 1)}"
    follow = (
        ("confirm", people["clerk"], {"expected_ship_date": ship_date, "note": "按成本价确认"}),
        ("accept", staff, {}),
        ("debit", people["finance"], {}),
        ("ship", people["clerk"], {"carrier": carrier, "tracking_number": tracking}),
        ("receive", staff, {"note": "已清点入库"}),
    )
    steps.extend(follow[: max(0, reached - 1)])
    moment = started
    for number, (action, actor, inputs) in enumerate(steps, start=1):
        moment += timedelta(hours=rng.randint(2, 20))

        def step(action=action, actor=actor, inputs=inputs) -> None:
            pr = made.get("pr")
            if pr is None or (action == "debit" and pr.needs_credit_approval):
                return
            try:
                made["pr"] = part_request_transition(request_id=pr.pk, action=action, actor=actor, **inputs)
            except DomainError:
                made.pop("pr")  # no further step

        jobs.append((moment, first + number, step))
    return jobs


def _fee_standards(
    dealers: list[Dealer], staff: dict[int, User], hq_admin: User | None, now: datetime
) -> None:
    """R30: the first dealer's local standard awaiting HQ's approval; the second's rejected."""
    today = now.date()
    wanted = (
        (0, "DL-FEE-2026", "本地服务收费标准（2026）", ("80.00", "120.00", "100.00")),
        (1, "DL-FEE-2026B", "川渝地区收费标准（2026）", ("90.00", "150.00", "120.00")),
    )
    for index, code, name, (diagnosis, visit, labour) in wanted:
        if index >= len(dealers) or FeeSchedule.objects.filter(code=code).exists():
            continue
        dealer = dealers[index]
        member = staff.get(dealer.pk)
        if member is None:
            continue
        with simulated_clock(now - timedelta(days=6 - index)):
            schedule = fee_schedule_submit(
                dealer_id=dealer.pk,
                code=code,
                name=name,
                effective_from=date(today.year, 1, 1),
                notes="按当地物价部门指导价制定",
                standards=[
                    {"kind": "diagnosis", "amount": diagnosis, "note": "检测诊断"},
                    {
                        "kind": "visit",
                        "amount": visit,
                        "distance_from_km": Decimal("0"),
                        "distance_to_km": Decimal("30"),
                    },
                    {"kind": "labour", "unit": "per_hour", "amount": labour},
                ],
                actor=member,
            )
        if index == 1 and hq_admin is not None:
            with simulated_clock(now - timedelta(days=3)):
                fee_schedule_reject(
                    schedule_id=schedule.pk,
                    actor=hq_admin,
                    reason="上门费高于总部标准，请按总部标准调整后重新提交",
                )


def seed(*, rng: random.Random, now: datetime) -> None:
    """The dealer network's demo (see the module docstring)."""
    if PartRequest.objects.exists():
        return
    clerk = _first(Role.PARTS_CLERK, dealer__isnull=True)
    finance = _first(Role.FINANCE, dealer__isnull=True)
    hq_admin = _first(Role.HQ_ADMIN, dealer__isnull=True)
    dealers = [
        d for d in Dealer.objects.filter(is_active=True).order_by("code") if d.service_points.exists()
    ][:3]
    staff = {d.pk: member for d in dealers if (member := _first(Role.DEALER_STAFF, dealer=d)) is not None}
    dealers = [d for d in dealers if d.pk in staff]
    parts = list(Part.objects.filter(is_active=True).order_by("number"))
    costs = {pk: price.cost for pk, price in part_prices([p.pk for p in parts], day=now.date()).items()}
    # The ten dearest parts priced at cost, dearest first (a new point's first order is over its limit).
    parts = sorted((part for part in parts if part.pk in costs), key=lambda p: (-costs[p.pk], p.number))[:10]
    if clerk is None or finance is None or not dealers or len(parts) < 10:
        return
    _stocked(_hq_warehouse(), parts, costs, clerk, now)
    people = {"clerk": clerk, "finance": finance}
    jobs = _account_jobs(dealers, finance, now)
    for index, (which, state, lines, days_ago, note) in enumerate(REQUESTS):
        dealer = dealers[which % len(dealers)]
        point = dealer.service_points.filter(is_active=True).order_by("code").first()
        if point is None:
            continue
        jobs += _request_jobs(
            rng,
            index=index,
            staff=staff[dealer.pk],
            point=point,
            lines=[(parts[p], quantity) for p, quantity in lines],
            state=state,
            started=now - timedelta(days=days_ago, hours=rng.randint(1, 6)),
            note=note,
            people=people,
            first=len(jobs),
        )
    for moment, _order, job in sorted(jobs, key=lambda item: (item[0], item[1])):
        with simulated_clock(moment):
            job()
    _fee_standards(dealers, staff, hq_admin, now)
