"""Benchmark: the monthly warranty reimbursement batch (R31) over 10,000 old-part lines.

    .venv/bin/python bench/parts_claims.py
    BENCH_OLD_PARTS=2000 .venv/bin/python bench/parts_claims.py      # a quicker look

DATABASE_URL picks the database (default: postgres://postgres@127.0.0.1:5432/aftersales_bench_claims,
created and migrated when missing; never point it at a database you care about). Each run adds a
month of BENCH_OLD_PARTS old parts (default 10,000), reported to HQ, replaced in the month before
the latest month seeded so far, spread over BENCH_DEALERS dealers (default 20, one service point
each) and 1,000 work orders, every 20th one inspected "not faulty" (its line is proposed
rejected); then times `parts.services.claims.claims_build` for that month (one claim per dealer,
one transaction per claim), runs it a second time (it must add nothing), and checks the lines and
totals: one line per old part, claimed total = the sum of the lines. Prints seconds, lines per
second and the statements per claim. Writes bench/results/parts_claims-<time>.json.
"""

from __future__ import annotations

import os
import platform
import random
import sys
import time
import warnings
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
sys.path.insert(0, str(PROJECT_DIR / "src"))

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/aftersales_bench_claims")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.config.settings")
os.environ["DEBUG"] = "0"
os.environ.pop("REDIS_URL", None)

from workorder_list import ensure_database, results_write  # noqa: E402  (bench/ is on sys.path)

OLD_PARTS = int(os.environ.get("BENCH_OLD_PARTS", "10000"))
DEALERS = int(os.environ.get("BENCH_DEALERS", "20"))
WORK_ORDERS = 1000
SEED = 20261207
warnings.filterwarnings("ignore", message="No directory at")


def world():
    """Dealers with a service point each, a customer, parts and 1,000 work orders (once)."""
    from aftersales.accounts.models import Dealer, ServicePoint, User
    from aftersales.catalog.models import Part
    from aftersales.customers.models import Customer
    from aftersales.workorders.models import WorkOrder

    points = list(ServicePoint.objects.filter(code__startswith="BC").order_by("code"))
    if not points:
        dealers = Dealer.objects.bulk_create(
            [Dealer(code=f"BCD{i:02d}", name=f"经销商{i:02d}") for i in range(DEALERS)]
        )
        points = ServicePoint.objects.bulk_create(
            [
                ServicePoint(
                    code=f"BC{i:02d}", name=f"服务网点{i:02d}", dealer=d, province="江苏省", city="南京市"
                )
                for i, d in enumerate(dealers)
            ]
        )
        Part.objects.bulk_create([Part(number=f"BC-{i:04d}", name=f"配件{i:04d}") for i in range(200)])
        customer = Customer.objects.create(name="南京示范客户有限公司", province="江苏省", city="南京市")
        WorkOrder.objects.bulk_create(
            [
                WorkOrder(
                    number=f"WOBC{i:06d}",
                    channel="phone",
                    type="repair",
                    customer=customer,
                    contact_name="王经理",
                    contact_phone="+8613800000000",
                    fault_symptom="卡纸",
                    service_point=points[i % len(points)],
                )
                for i in range(WORK_ORDERS)
            ]
        )
        User.objects.create_user("bench_hq", role="hq_admin")
    parts = list(Part.objects.filter(number__startswith="BC-"))
    orders = list(WorkOrder.objects.filter(number__startswith="WOBC").select_related("service_point"))
    return parts, orders, User.objects.get(username="bench_hq")


def month_to_seed() -> date:
    """The month before the earliest seeded so far (the first run: last month)."""
    from aftersales.parts.models import OldPart

    earliest = OldPart.objects.filter(number__startswith="BJ").order_by("replaced_at").first()
    today = date.today().replace(day=1)
    start = earliest.replaced_at.date().replace(day=1) if earliest else today
    return (start - timedelta(days=1)).replace(day=1)


def seed_month(month: date, parts, orders, actor) -> None:
    from django.utils import timezone

    from aftersales.parts.choices import InspectionResult, OldPartState
    from aftersales.parts.models import OldPart

    rng = random.Random(SEED + month.toordinal())
    rows = []
    for i in range(OLD_PARTS):
        order = orders[i % len(orders)]
        replaced = timezone.make_aware(datetime(month.year, month.month, 1 + i % 28, 10, 0))
        rows.append(
            OldPart(
                number=f"BJ{month:%Y%m}{i:06d}",
                work_order=order,
                part=parts[rng.randrange(len(parts))],
                quantity=1 + i % 2,
                service_point=order.service_point,
                dealer_id=order.service_point.dealer_id,
                state=OldPartState.INSPECTED if i % 20 == 0 else OldPartState.REPORTED,
                inspection_result=InspectionResult.NOT_FAULTY if i % 20 == 0 else "",
                unit_cost=Decimal(rng.randrange(500, 90000)) / 100,
                replaced_at=replaced,
                report_due=replaced.date() + timedelta(days=7),
                reported_at=replaced,
                created_by=actor,
            )
        )
    OldPart.objects.bulk_create(rows, batch_size=2000)


def main() -> None:
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    from aftersales.core.money import total
    from aftersales.parts.models import ClaimLine, ReimbursementClaim
    from aftersales.parts.services.claims import claims_build

    parts, orders, actor = world()
    month = month_to_seed()
    seed_month(month, parts, orders, actor)
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        claims = claims_build(month=month)
        seconds = time.perf_counter() - start
    start = time.perf_counter()
    again = claims_build(month=month)
    again_seconds = time.perf_counter() - start
    lines = ClaimLine.objects.filter(claim__month=month)
    assert lines.count() == OLD_PARTS, lines.count()
    assert len(claims) == DEALERS and again == []
    for claim in ReimbursementClaim.objects.filter(month=month):
        assert claim.claimed_total == total(claim.lines.values_list("amount", flat=True))
    rejected = lines.filter(decision="rejected").count()
    report = {
        "month": f"{month:%Y-%m}",
        "old_parts": OLD_PARTS,
        "dealers": DEALERS,
        "seconds": round(seconds, 2),
        "lines_per_second": round(OLD_PARTS / seconds),
        "statements": len(queries),
        "statements_per_claim": round(len(queries) / DEALERS, 1),
        "second_run_seconds": round(again_seconds, 2),
        "proposed_rejected": rejected,
        "python": platform.python_version(),
    }
    print(
        f"{OLD_PARTS:,} old parts of {month:%Y-%m}, {DEALERS} dealers: claims built in {seconds:.2f} s "
        f"({report['lines_per_second']:,} lines/s, {len(queries)} statements, "
        f"{report['statements_per_claim']} per claim); second run {again_seconds:.2f} s, nothing added; "
        f"{rejected} lines proposed rejected; totals checked"
    )
    results_write("parts_claims", report)


if __name__ == "__main__":
    main()
