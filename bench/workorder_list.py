"""Benchmark: the work-order list page and list API over 100,000 work orders on PostgreSQL.

    .venv/bin/python bench/workorder_list.py            # or: make bench
    BENCH_ROWS=20000 BENCH_REQUESTS=20 .venv/bin/python bench/workorder_list.py

DATABASE_URL picks the database (default: postgres://postgres@127.0.0.1:5432/aftersales_bench,
created when missing). The first run migrates and seeds BENCH_ROWS work orders with bulk inserts;
later runs reuse them. Each scenario is requested BENCH_REQUESTS times in-process through
django.test.Client as a logged-in user (after a warm-up), timing the server side only (no network,
no browser). Prints median and p95 in ms and the SQL queries per request, and writes the figures
as JSON to bench/results/. See bench/README.md.
"""

from __future__ import annotations

import json
import os
import platform
import random
import statistics
import sys
import time
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
sys.path.insert(0, str(PROJECT_DIR / "src"))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/aftersales_bench"
os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.config.settings")
os.environ["DEBUG"] = "0"  # production-like: no query log, no debug toolbar-style overhead
os.environ.setdefault("CONN_MAX_AGE", "600")

ROWS = int(os.environ.get("BENCH_ROWS", "100000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "50"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "5"))
TARGET_P95_MS = float(os.environ.get("BENCH_TARGET_P95_MS", "100"))
BATCH = 5000
warnings.filterwarnings("ignore", message="No directory at")
SEED = 20261122


def results_write(name: str, report: dict) -> Path:
    """Write a run's figures to bench/results/<name>-<time>.json (not committed); say where."""
    out_dir = BENCH_DIR / "results"
    out_dir.mkdir(exist_ok=True)
    out = out_dir / f"{name}-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    print(f"\nwritten {out.relative_to(PROJECT_DIR)}")
    return out


def ensure_database() -> None:
    """Create the PostgreSQL database named in DATABASE_URL when it does not exist yet."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    if config["ENGINE"] != "django.db.backends.postgresql":
        sys.exit(f"bench needs PostgreSQL: DATABASE_URL is {config['ENGINE']}")
    params = dict(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
    )
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            print(f"creating database {config['NAME']}")
            connection.execute(f'CREATE DATABASE "{config["NAME"]}"')


def seed(rows: int) -> None:
    """Reference data and `rows` work orders spread over a year, every state, 13 service points."""
    from django.db import connection, transaction

    from aftersales.accounts.choices import Role
    from aftersales.accounts.models import Dealer, Engineer, ServicePoint, User
    from aftersales.catalog.models import ProductLine, ProductModel
    from aftersales.customers.models import Customer
    from aftersales.workorders.choices import Channel, Priority, State, WaitingReason, WorkOrderType
    from aftersales.workorders.models import WorkOrder

    existing = WorkOrder.objects.count()
    if existing >= rows:
        print(f"{existing} work orders already seeded")
        return
    rng = random.Random(SEED)
    started = time.perf_counter()
    print(f"seeding {rows - existing} work orders ...", flush=True)

    with transaction.atomic():
        dealers = [
            Dealer.objects.get_or_create(code=f"BD{i}", defaults={"name": f"基准经销商{i}"})[0]
            for i in range(3)
        ]
        points = []
        for i in range(13):
            point, _ = ServicePoint.objects.get_or_create(
                code=f"BSP{i:02d}",
                defaults={
                    "name": f"基准服务网点{i}",
                    "dealer": dealers[i % 3] if i else None,
                    "province": "广东省",
                    "city": "深圳市",
                },
            )
            points.append(point)
        engineers = list(Engineer.objects.filter(employee_no__startswith="BE"))
        for i in range(len(engineers), 40):
            user, _ = User.objects.get_or_create(
                username=f"bench_engineer{i}", defaults={"role": Role.ENGINEER, "last_name": f"工程师{i}"}
            )
            engineers.append(
                Engineer.objects.create(
                    user=user, service_point=points[i % len(points)], employee_no=f"BE{i:04d}"
                )
            )
        line, _ = ProductLine.objects.get_or_create(code="BPL", defaults={"name": "基准打印机"})
        models = [
            ProductModel.objects.get_or_create(
                product_line=line, code=f"BM-{i}", defaults={"name": f"型号{i}"}
            )[0]
            for i in range(20)
        ]
        if Customer.objects.filter(code__startswith="BC").count() < 2000:
            Customer.objects.bulk_create(
                [
                    Customer(code=f"BC{i:05d}", name=f"深圳基准客户{i}有限公司", phone=f"+86135{i:08d}")
                    for i in range(2000)
                ],
                ignore_conflicts=True,
            )
        customer_ids = list(Customer.objects.filter(code__startswith="BC").values_list("pk", flat=True))

    states = [
        (State.NEW, 5),
        (State.ACCEPTED, 5),
        (State.ASSIGNED, 8),
        (State.IN_SERVICE, 10),
        (State.WAITING, 4),
        (State.COMPLETED, 8),
        (State.CLOSED, 55),
        (State.CANCELLED, 5),
    ]
    state_names = [s for s, _ in states]
    state_weights = [w for _, w in states]
    now = datetime.now(UTC)
    created_field = WorkOrder._meta.get_field("created_at")
    created_field.auto_now_add = False  # keep the spread-out creation times given below
    try:
        done = existing
        while done < rows:
            batch = []
            for _ in range(min(BATCH, rows - done)):
                created = now - timedelta(seconds=rng.randint(0, 365 * 24 * 3600))
                day = created.strftime("%Y%m%d")
                state = rng.choices(state_names, state_weights)[0]
                point = rng.choice(points)
                engineer = rng.choice(engineers) if state not in (State.NEW, State.ACCEPTED) else None
                batch.append(
                    WorkOrder(
                        number=f"WB{day}{done:06d}",
                        state=state,
                        waiting_reason=WaitingReason.PARTS if state == State.WAITING else "",
                        channel=rng.choice(Channel.values),
                        type=rng.choice(WorkOrderType.values),
                        priority=rng.choice(Priority.values),
                        customer_id=rng.choice(customer_ids),
                        contact_name="王先生",
                        contact_phone=f"+86139{rng.randint(0, 99_999_999):08d}",
                        product_model=rng.choice(models),
                        serial_number=f"SN{rng.randint(0, 10**9):09d}",
                        fault_symptom="打印时卡纸，面板提示错误代码",
                        service_point=engineer.service_point if engineer else point,
                        engineer=engineer,
                        created_at=created,
                        updated_at=created,
                    )
                )
                done += 1
            WorkOrder.objects.bulk_create(batch, batch_size=BATCH)
            print(f"  {done}/{rows}", flush=True)
    finally:
        created_field.auto_now_add = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # the steady state autovacuum keeps: visibility map set
    print(f"seeded in {time.perf_counter() - started:.1f} s")


def users():
    from aftersales.accounts.choices import Role
    from aftersales.accounts.models import Dealer, User

    agent, _ = User.objects.get_or_create(username="bench_agent", defaults={"role": Role.AGENT})
    dealer_staff, _ = User.objects.get_or_create(
        username="bench_dealer",
        defaults={"role": Role.DEALER_STAFF, "dealer": Dealer.objects.get(code="BD1")},
    )
    return agent, dealer_staff


def scenarios(agent, dealer_staff) -> list[tuple[str, object, str]]:
    from django.urls import NoReverseMatch, reverse

    from aftersales.accounts.models import ServicePoint
    from aftersales.workorders.choices import State

    point = ServicePoint.objects.get(code="BSP01")
    filters = {
        "first page": "",
        "state": f"?state={State.IN_SERVICE}",
        "state + service point": f"?state={State.IN_SERVICE}&service_point={point.pk}",
    }
    found = []
    for kind, name in (("page", "workorders:list"), ("api", "workorder-list")):
        try:
            base = reverse(name)
        except NoReverseMatch:
            print(f"skipping the {kind}: no URL named {name} yet")
            continue
        for label, query in filters.items():
            found.append((f"{kind}: {label}", agent, base + query))
        found.append((f"{kind}: first page, dealer staff", dealer_staff, base))
    return found


def measure(label: str, user, url: str) -> dict:
    from django.db import connection
    from django.test import Client

    client = Client()
    client.force_login(user)
    for _ in range(WARMUP):
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{label}: GET {url} answered {response.status_code}")
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    timings = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    timings.sort()
    p95 = timings[min(len(timings) - 1, max(0, round(0.95 * len(timings)) - 1))]
    return {
        "scenario": label,
        "url": url,
        "requests": REQUESTS,
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(timings[-1], 1),
        "queries": queries,
        "bytes": len(response.content),
    }


def main() -> int:
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    seed(ROWS)
    from aftersales.workorders.models import WorkOrder

    total = WorkOrder.objects.count()
    agent, dealer_staff = users()
    results = []
    print(f"\n{total} work orders, {REQUESTS} requests per scenario (after {WARMUP} warm-up)\n")
    print(f"{'scenario':44} {'median':>8} {'p95':>8} {'max':>8} {'queries':>8}")
    for label, user, url in scenarios(agent, dealer_staff):
        row = measure(label, user, url)
        results.append(row)
        flag = "" if row["p95_ms"] < TARGET_P95_MS else f"  over {TARGET_P95_MS:.0f} ms"
        print(
            f"{label:44} {row['median_ms']:>6.1f}ms {row['p95_ms']:>6.1f}ms {row['max_ms']:>6.1f}ms "
            f"{row['queries']:>8}{flag}"
        )
    report = {
        "benchmark": "workorder_list",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "work_orders": total,
        "database": f"PostgreSQL {connection.cursor().connection.info.server_version}",
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "target_p95_ms": TARGET_P95_MS,
        "results": results,
    }
    results_write("workorder_list", report)
    slow = [row["scenario"] for row in results if row["p95_ms"] >= TARGET_P95_MS]
    if slow:
        print(f"p95 over {TARGET_P95_MS:.0f} ms: {', '.join(slow)}")
    return 1 if slow or not results else 0


if __name__ == "__main__":
    raise SystemExit(main())
