"""Benchmark: dispatch of one work order among 200 service points and 2,000 engineers (R5, R38).

    .venv/bin/python bench/dispatch.py                      # SQLite file bench/results/dispatch.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dispatch_bench .venv/bin/python bench/dispatch.py

Seeds once (reused on later runs) 200 service points in 10 provinces (coverage rows for half of
them, product lines for a third), 2,000 engineers with qualifications (some expired), leave and
open work orders for load; booked visits for a third of the engineers over the next days (added on
each run that finds none, R12 availability); then times `dispatch_suggest` for one work order
BENCH_RUNS times (default 50, after 5 warm-up runs) and prints median, p95 and queries.
Target: p95 < 50 ms.
Never point DATABASE_URL at a database you care about.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent / "src"))
(BENCH_DIR / "results").mkdir(exist_ok=True)
os.environ.setdefault("DATABASE_URL", f"sqlite:///{BENCH_DIR / 'results' / 'dispatch.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.config.settings")
os.environ["DEBUG"] = "0"

RUNS = int(os.environ.get("BENCH_RUNS", "50"))
WARMUP = 5
TARGET_MS = float(os.environ.get("BENCH_TARGET_MS", "50"))
PROVINCES = [
    "上海市",
    "江苏省",
    "浙江省",
    "广东省",
    "北京市",
    "山东省",
    "四川省",
    "湖北省",
    "河南省",
    "福建省",
]


def ensure_postgres_database() -> None:
    import dj_database_url

    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    if config["ENGINE"] != "django.db.backends.postgresql":
        return
    import psycopg

    params = dict(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
    )
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as connection:
        if not connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone():
            connection.execute(f'CREATE DATABASE "{config["NAME"]}"')


def seed() -> None:
    from django.db import transaction
    from django.utils import timezone

    from aftersales.accounts.choices import Role
    from aftersales.accounts.models import Engineer, Qualification, ServicePoint, User
    from aftersales.catalog.models import ProductLine, ProductModel
    from aftersales.customers.models import Customer
    from aftersales.field.models import EngineerLeave, ServiceArea
    from aftersales.workorders.choices import Channel, State, WorkOrderType
    from aftersales.workorders.models import WorkOrder

    if ServicePoint.objects.filter(code__startswith="BSP").count() >= 200:
        return
    rng = random.Random(20261122)
    today = timezone.localdate()
    print("seeding 200 service points, 2,000 engineers ...")
    with transaction.atomic():
        lines = [
            ProductLine.objects.get_or_create(code=f"BPL{i}", defaults={"name": f"产品线{i}"})[0]
            for i in range(6)
        ]
        ProductModel.objects.get_or_create(
            code="BENCH-M1", defaults={"name": "基准机型", "product_line": lines[0]}
        )
        points = ServicePoint.objects.bulk_create(
            ServicePoint(
                code=f"BSP{i:03d}",
                name=f"基准网点{i}",
                province=PROVINCES[i % 10],
                city=f"城市{i % 7}",
                district=f"区{i % 5}",
                latitude=30 + rng.random() * 8,
                longitude=110 + rng.random() * 10,
            )
            for i in range(200)
        )
        ServiceArea.objects.bulk_create(
            ServiceArea(service_point=p, province=p.province, city=p.city if i % 4 else "")
            for i, p in enumerate(points)
            if i % 2 == 0
        )
        for i, p in enumerate(points):
            if i % 3 == 0:
                p.product_lines.add(*rng.sample(lines, 2))
        users = User.objects.bulk_create(
            User(username=f"bench_eng{i}", last_name="工", first_name=str(i), role=Role.ENGINEER)
            for i in range(2000)
        )
        engineers = Engineer.objects.bulk_create(
            Engineer(user=u, service_point=points[i % 200], employee_no=f"BE{i:05d}")
            for i, u in enumerate(users)
        )
        Qualification.objects.bulk_create(
            Qualification(
                engineer=e,
                product_line=line,
                certified_on=today - timedelta(days=400),
                expires_on=today + timedelta(days=rng.choice([-30, 200, 500])),
            )
            for e in engineers
            for line in rng.sample(lines, 2)
        )
        EngineerLeave.objects.bulk_create(
            EngineerLeave(engineer=e, start=today - timedelta(days=1), end=today + timedelta(days=1))
            for e in engineers[::17]
        )
        customer = Customer.objects.create(
            code="BENCH-C",
            name="基准客户",
            phone="+8613800000000",
            province=PROVINCES[1],
            city="城市1",
            district="区1",
        )
        WorkOrder.objects.bulk_create(
            WorkOrder(
                number=f"BWO{i:06d}",
                channel=Channel.PHONE,
                type=WorkOrderType.REPAIR,
                customer=customer,
                contact_name="李",
                contact_phone="+8613800000000",
                fault_symptom="基准",
                state=rng.choice([State.ASSIGNED, State.IN_SERVICE, State.CLOSED]),
                engineer=rng.choice(engineers),
                service_point=points[0],
            )
            for i in range(6000)
        )


def ensure_bookings() -> None:
    """Two booked visits a day for every third engineer, today and the next 4 days (R12)."""
    from datetime import time as clock

    from django.utils import timezone

    from aftersales.accounts.models import Engineer
    from aftersales.field.models import Appointment
    from aftersales.workorders.models import WorkOrder

    today = timezone.localdate()
    if Appointment.objects.filter(date=today, work_order__number__startswith="BWO").exists():
        return
    engineers = list(Engineer.objects.filter(employee_no__startswith="BE").order_by("employee_no")[::3])
    orders = list(WorkOrder.objects.filter(number__startswith="BWO0").order_by("number")[: len(engineers)])
    Appointment.objects.bulk_create(
        Appointment(
            work_order=order,
            engineer=engineer,
            date=today + timedelta(days=offset),
            window_start=start,
            window_end=end,
        )
        for engineer, order in zip(engineers, orders, strict=False)
        for offset in range(5)
        for start, end in ((clock(9), clock(11)), (clock(14), clock(16)))
    )


def main() -> None:
    ensure_postgres_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    seed()
    ensure_bookings()
    from aftersales.catalog.models import ProductModel
    from aftersales.customers.models import Customer
    from aftersales.field.selectors import dispatch_suggest
    from aftersales.workorders.choices import Channel, State, WorkOrderType
    from aftersales.workorders.models import WorkOrder

    order, _ = WorkOrder.objects.get_or_create(
        number="BWO-TARGET",
        defaults=dict(
            channel=Channel.PHONE,
            type=WorkOrderType.REPAIR,
            customer=Customer.objects.get(code="BENCH-C"),
            contact_name="李",
            contact_phone="+8613800000000",
            fault_symptom="基准",
            state=State.ACCEPTED,
            product_model=ProductModel.objects.get(code="BENCH-M1"),
        ),
    )
    timings = []
    for i in range(WARMUP + RUNS):
        work_order = WorkOrder.objects.select_related("customer", "product_model__product_line").get(
            pk=order.pk
        )
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            suggestion = dispatch_suggest(work_order)
            elapsed = (time.perf_counter() - start) * 1000
        if i >= WARMUP:
            timings.append(elapsed)
    timings.sort()
    p95 = timings[max(0, int(round(0.95 * len(timings))) - 1)]
    print(
        f"database: {connection.vendor}; candidates: {len(suggestion.candidates)}; "
        f"suggested: {suggestion.point} / {suggestion.engineer}"
    )
    print(
        f"dispatch_suggest over {RUNS} runs: median {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms, "
        f"max {timings[-1]:.1f} ms, {len(queries)} queries (target p95 < {TARGET_MS:.0f} ms)"
    )
    sys.exit(0 if p95 < TARGET_MS else 1)


if __name__ == "__main__":
    main()
