"""Demo records of the stock desk (`manage.py demo_seed`, R32): the warehouses of the three tiers
(HQ's central store and its defective location, each service point's store and defective
location, each engineer's van), HQ's purchases at the cost price list (two deliveries per part at
different costs, so the moving average shows), transfers to the service points and on to the vans
(received, one in transit, one drawn up, one cancelled), reorder rules with a few alerts open, a
scrap, and counts (approved with differences, one awaiting approval, one being counted).

Made through the services by the people who run each step, under a clock placed in the past, in
time order (the ledger has no back-dated postings). Deterministic (the seed's `rng`, service points
and parts in code order) and run once (nothing is added once HQ's store holds stock)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from aftersales.accounts.choices import Role
from aftersales.accounts.models import Engineer, ServicePoint, User
from aftersales.catalog.models import Part
from aftersales.catalog.pricing import part_prices
from aftersales.core.demo import simulated_clock

from .choices import WarehouseKind
from .models import StockBalance, StockCount, Warehouse
from .services import stock
from .services.alerts import reorder_rule_create
from .services.counts import count_create, count_lines_set, count_transition
from .services.stock_desk import stock_scrap
from .services.transfers import transfer_create, transfer_transition

HQ_CODE = "HQ-MAIN"
CARRIERS = (("顺丰速运", "SF"), ("京东物流", "JD"), ("德邦快递", "DPK"), ("中通快递", "ZT"))
FALLBACK_COST = Decimal("50.00")

Job = tuple[datetime, int, Callable[[], object]]


def _first(role: str, **filters) -> User | None:
    return User.objects.filter(role=role, is_active=True, **filters).order_by("pk").first()


def _warehouse(code: str, name: str, kind: str, **links) -> Warehouse:
    """The warehouse of `links` (a service point and kind, an engineer), made once."""
    found = Warehouse.objects.filter(kind=kind, **links).first() if links else None
    if found is None:
        found = Warehouse.objects.filter(code=code).first()
    if found is None:
        service_point = links.get("service_point")
        if service_point is None and "engineer" in links:
            service_point = links["engineer"].service_point
        found = Warehouse.objects.create(
            code=code[:32],
            name=name[:128],
            kind=kind,
            service_point=service_point,
            engineer=links.get("engineer"),
        )
    return found


def warehouses_seed() -> tuple[Warehouse, dict[int, Warehouse], dict[int, Warehouse]]:
    """HQ's store and defective location, every service point's, every engineer's van: (HQ's
    store, stores by service point id, vans by engineer id)."""
    hq = _warehouse(HQ_CODE, "总部中心备件库", WarehouseKind.HQ)
    if not Warehouse.objects.filter(kind=WarehouseKind.DEFECTIVE, service_point__isnull=True).exists():
        _warehouse("HQ-DEF", "总部不良品库", WarehouseKind.DEFECTIVE)
    stores = {}
    for point in ServicePoint.objects.filter(is_active=True).order_by("code"):
        stores[point.pk] = _warehouse(
            f"WH-{point.code}", f"{point.name}备件库", WarehouseKind.SERVICE_POINT, service_point=point
        )
        _warehouse(f"{point.code}-DEF", f"{point.name}不良品库", WarehouseKind.DEFECTIVE, service_point=point)
    vans = {}
    engineers = (
        Engineer.objects.filter(is_active=True)
        .select_related("user", "service_point")
        .order_by("employee_no")
    )
    for engineer in engineers:
        vans[engineer.pk] = _warehouse(
            f"VAN-{engineer.employee_no}",
            f"{engineer.user.display_name}的工程车",
            WarehouseKind.VAN,
            engineer=engineer,
        )
    return hq, stores, vans


def seed(*, rng: random.Random, now: datetime) -> None:
    """The stock desk's demo (see the module docstring)."""
    hq, stores, vans = warehouses_seed()
    if StockBalance.objects.filter(warehouse=hq, on_hand__gt=0).exists():
        return
    clerk = _first(Role.PARTS_CLERK) or _first(Role.HQ_ADMIN)
    supervisor = _first(Role.SUPERVISOR) or clerk
    if clerk is None:
        return
    parts = list(Part.objects.filter(is_active=True).order_by("number"))
    if not parts:
        return
    day = timezone.localdate(now)
    costs = {pk: price.cost for pk, price in part_prices([p.pk for p in parts], day=day).items()}
    jobs: list[Job] = []

    def job(moment: datetime, action: Callable[[], object]) -> None:
        jobs.append((moment, len(jobs), action))

    # HQ buys every part twice, the second delivery a little dearer or cheaper.
    for index, part in enumerate(parts):
        cost = costs.get(part.pk, FALLBACK_COST)
        for days, quantity, factor in ((90, rng.randint(90, 140), "1.00"), (45, rng.randint(40, 80), "1.04")):
            unit_cost = (cost * Decimal(factor)).quantize(Decimal("0.01"))

            def receive(part=part, quantity=quantity, unit_cost=unit_cost, days=days, index=index) -> None:
                stock.receive(
                    warehouse=hq,
                    part=part,
                    quantity=quantity,
                    unit_cost=unit_cost,
                    actor=clerk,
                    reference=f"PO{(now - timedelta(days=days)):%Y%m}{index + 1:03d}",
                    note="供应商到货",
                )

            job(now - timedelta(days=days, hours=index % 5), receive)

    points = [point for point in ServicePoint.objects.filter(pk__in=stores).order_by("code")]
    staff_of = {
        user.dealer_id: user
        for user in User.objects.filter(role=Role.DEALER_STAFF, is_active=True).order_by("-pk")
    }
    transfers: list[dict] = []
    # HQ stocks every service point (received), then each store fills its engineers' vans.
    for number, point in enumerate(points):
        chosen = sorted(rng.sample(parts, k=min(len(parts), rng.randint(5, 8))), key=lambda p: p.number)
        lines = [(part, rng.randint(4, 12)) for part in chosen]
        receiver = staff_of.get(point.dealer_id) if point.dealer_id else clerk
        transfers.append(
            {
                "at": now - timedelta(days=80 - number, hours=3),
                "source": hq,
                "destination": stores[point.pk],
                "lines": lines,
                "by": clerk,
                "receiver": receiver or clerk,
                "days": 2,
                "note": "网点首批备件",
            }
        )
        for engineer in Engineer.objects.filter(service_point=point, is_active=True).order_by("employee_no"):
            if engineer.pk not in vans:
                continue
            van_lines = [(part, max(1, quantity // 3)) for part, quantity in lines[: rng.randint(2, 4)]]
            transfers.append(
                {
                    "at": now - timedelta(days=70 - number, hours=1),
                    "source": stores[point.pk],
                    "destination": vans[engineer.pk],
                    "lines": van_lines,
                    "by": receiver or clerk,
                    "receiver": engineer.user,
                    "days": 0,
                    "note": "车载常用备件",
                }
            )
    for index, spec in enumerate(transfers):

        def move(spec=spec, index=index) -> None:
            transfer = transfer_create(
                source=spec["source"],
                destination=spec["destination"],
                lines=spec["lines"],
                actor=spec["by"],
                note=spec["note"],
            )
            carrier, prefix = CARRIERS[index % len(CARRIERS)] if spec["days"] else ("", "")
            transfer_transition(
                transfer_id=transfer.pk,
                action="ship",
                actor=spec["by"],
                carrier=carrier,
                tracking_number=f"{prefix}{rng.randrange(10**9, 10**10)}" if carrier else "",
            )
            with simulated_clock(spec["at"] + timedelta(days=spec["days"], hours=5)):
                transfer_transition(transfer_id=transfer.pk, action="receive", actor=spec["receiver"])

        job(spec["at"], move)

    if points:
        last = points[-1]

        def in_transit() -> None:
            transfer = transfer_create(
                source=hq,
                destination=stores[last.pk],
                lines=[(parts[0], 6), (parts[-1], 3)],
                actor=clerk,
                note="补货",
            )
            transfer_transition(
                transfer_id=transfer.pk,
                action="ship",
                actor=clerk,
                carrier="顺丰速运",
                tracking_number="SF1408826634",
            )

        def drawn_up() -> None:
            transfer_create(
                source=hq, destination=stores[points[0].pk], lines=[(parts[1], 4)], actor=clerk, note="待发货"
            )

        def cancelled() -> None:
            transfer = transfer_create(
                source=hq, destination=stores[points[0].pk], lines=[(parts[2], 2)], actor=clerk
            )
            transfer_transition(
                transfer_id=transfer.pk, action="cancel", actor=clerk, reason="网点已从邻近网点调货"
            )

        job(now - timedelta(days=2, hours=4), in_transit)
        job(now - timedelta(days=1, hours=6), drawn_up)
        job(now - timedelta(days=6), cancelled)

        def scrap() -> None:
            stock_scrap(warehouse=hq, part=parts[-1], quantity=1, reason="仓库搬运时跌落损坏", actor=clerk)

        job(now - timedelta(days=30), scrap)

        # Reorder points: HQ keeps 40 of each part; service points a few of what they hold. Set
        # when the stores are stocked, so the low ones raise their alert then (R32).
        def rules() -> None:
            for part in parts:
                reorder_rule_create(warehouse=hq, part=part, minimum=40, target=150, actor=clerk)
            for point in points[:4]:
                held = StockBalance.objects.filter(warehouse=stores[point.pk], on_hand__gt=0).order_by(
                    "part__number"
                )
                for balance in held[:3]:
                    minimum = balance.on_hand if point == points[0] else max(1, balance.on_hand // 3)
                    reorder_rule_create(
                        warehouse=stores[point.pk],
                        part=balance.part,
                        minimum=minimum,
                        target=minimum + 10,
                        actor=clerk,
                    )

        job(now - timedelta(days=20), rules)

        # Counts: one approved with a shortage and a surplus, one awaiting approval, one counting.
        def counts() -> None:
            for index, point in enumerate(points[:3]):
                store = stores[point.pk]
                counter = staff_of.get(point.dealer_id) if point.dealer_id else clerk
                if StockCount.objects.filter(warehouse=store).exists():
                    continue
                count = count_create(warehouse=store, actor=counter or clerk, note="月度盘点")
                lines = list(count.lines.order_by("part__number"))
                if index == 2:
                    count_lines_set(
                        count_id=count.pk, counted={lines[0].pk: lines[0].expected}, actor=counter or clerk
                    )
                    continue
                counted = {line.pk: line.expected for line in lines}
                counted[lines[0].pk] = max(0, lines[0].expected - 1)
                if len(lines) > 1:
                    counted[lines[1].pk] = lines[1].expected + 1
                count_lines_set(count_id=count.pk, counted=counted, actor=counter or clerk)
                count_transition(count_id=count.pk, action="submit", actor=counter or clerk, note="已复核")
                if index == 0:
                    count_transition(count_id=count.pk, action="approve", actor=supervisor, note="差异已查明")

        job(now - timedelta(days=3), counts)

    for moment, _order, action in sorted(jobs, key=lambda item: (item[0], item[1])):
        with simulated_clock(moment):
            action()
