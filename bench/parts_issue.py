"""Benchmark: issuing parts at concurrency 4 on PostgreSQL (R32), then the ledger invariant.

    .venv/bin/python bench/parts_issue.py
    BENCH_ISSUES=500 .venv/bin/python bench/parts_issue.py          # a quicker look

DATABASE_URL picks the database (default: postgres://postgres@127.0.0.1:5432/aftersales_bench_parts,
created and migrated when missing; never point it at a database you care about). The first run
seeds 4 warehouses (HQ's store, two service points' stores, a van) and 50 parts, each with a reorder
rule, so every posting also runs the alert check as in production. Each run first tops every
(warehouse, part) up by BENCH_TOP_UP units (not timed), then BENCH_THREADS threads (default 4),
each with its own database connection, issue BENCH_ISSUES one-unit issues in all (default 2,000),
spread at random over the 200 (warehouse, part) balances, through `services.stock.issue` (row
lock, guarded decrement, ledger row, alert check). Prints the moves per second, the latency of one
issue (median, p95), the issues refused for want of stock, and then checks, in one GROUP BY query,
that every balance equals the sum of its moves and that none went negative. Writes the figures to
bench/results/parts_issue-<time>.json. See bench/README.md.
"""

from __future__ import annotations

import os
import platform
import random
import statistics
import sys
import threading
import time
import warnings
from decimal import Decimal
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
sys.path.insert(0, str(PROJECT_DIR / "src"))

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/aftersales_bench_parts")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.config.settings")
os.environ["DEBUG"] = "0"
os.environ.pop("REDIS_URL", None)  # embedded mode: alert e-mails stay in the outbox, nothing is sent
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"

from workorder_list import ensure_database, results_write  # noqa: E402  (bench/ is on sys.path when run as a script)

THREADS = int(os.environ.get("BENCH_THREADS", "4"))
ISSUES = int(os.environ.get("BENCH_ISSUES", "2000"))
TOP_UP = int(os.environ.get("BENCH_TOP_UP", "20"))
PARTS = 50
SEED = 20261207
warnings.filterwarnings("ignore", message="No directory at")


def seed():
    """The bench's warehouses, parts, reorder rules and parts clerk (once)."""
    from django.db import transaction

    from aftersales.accounts.choices import Role
    from aftersales.accounts.models import Dealer, Engineer, ServicePoint, User
    from aftersales.catalog.models import Part
    from aftersales.parts.choices import WarehouseKind
    from aftersales.parts.models import ReorderRule, Warehouse

    with transaction.atomic():
        clerk, _created = User.objects.get_or_create(
            username="bench-parts",
            defaults={"role": Role.PARTS_CLERK, "last_name": "备件", "first_name": "基准"},
        )
        dealer, _created = Dealer.objects.get_or_create(code="BENCH-D", defaults={"name": "基准经销商"})
        points = [
            ServicePoint.objects.get_or_create(
                code=f"BENCH-SP{i}",
                defaults={"name": f"基准网点{i}", "dealer": dealer, "province": "上海市", "city": "上海市"},
            )[0]
            for i in (1, 2)
        ]
        engineer_user, _created = User.objects.get_or_create(
            username="bench-engineer",
            defaults={"role": Role.ENGINEER, "last_name": "工程", "first_name": "师"},
        )
        engineer, _created = Engineer.objects.get_or_create(
            user=engineer_user, defaults={"service_point": points[0], "employee_no": "BENCH-E1"}
        )
        specs = [
            ("BENCH-HQ", "基准总部库", WarehouseKind.HQ, {}),
            ("BENCH-W1", "基准网点1库", WarehouseKind.SERVICE_POINT, {"service_point": points[0]}),
            ("BENCH-W2", "基准网点2库", WarehouseKind.SERVICE_POINT, {"service_point": points[1]}),
            (
                "BENCH-VAN",
                "基准工程车",
                WarehouseKind.VAN,
                {"service_point": points[0], "engineer": engineer},
            ),
        ]
        warehouses = [
            Warehouse.objects.get_or_create(code=code, defaults={"name": name, "kind": kind, **links})[0]
            for code, name, kind, links in specs
        ]
        parts = [
            Part.objects.get_or_create(number=f"BP-{n:03d}", defaults={"name": f"基准配件{n}"})[0]
            for n in range(1, PARTS + 1)
        ]
        for warehouse in warehouses:
            for part in parts:
                ReorderRule.objects.get_or_create(
                    warehouse=warehouse, part=part, defaults={"minimum": 3, "target": 30}
                )
    return clerk, warehouses, parts


def top_up(clerk, warehouses, parts) -> None:
    from aftersales.parts.services import stock

    for warehouse in warehouses:
        for part in parts:
            stock.receive(
                warehouse=warehouse, part=part, quantity=TOP_UP, unit_cost=Decimal("12.34"), actor=clerk
            )


def issue_all(clerk, plan: list[tuple]) -> tuple[float, list[float], int, int]:
    """Run `plan` (warehouse, part) one-unit issues over THREADS threads; returns the wall time,
    each issue's latency, how many were issued and how many refused."""
    from django.db import connection

    from aftersales.parts.errors import InsufficientStock
    from aftersales.parts.services import stock

    chunks = [plan[i::THREADS] for i in range(THREADS)]
    latencies: list[float] = []
    counts = {"issued": 0, "refused": 0}
    lock = threading.Lock()
    start = threading.Barrier(THREADS + 1)

    def worker(chunk):
        mine, issued, refused = [], 0, 0
        try:
            connection.ensure_connection()  # each thread has its own connection
            start.wait()
            for warehouse, part in chunk:
                began = time.perf_counter()
                try:
                    stock.issue(warehouse=warehouse, part=part, quantity=1, actor=clerk, reference="BENCH")
                    issued += 1
                except InsufficientStock:
                    refused += 1
                mine.append(time.perf_counter() - began)
        finally:
            connection.close()
        with lock:
            latencies.extend(mine)
            counts["issued"] += issued
            counts["refused"] += refused

    threads = [threading.Thread(target=worker, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began, latencies, counts["issued"], counts["refused"]


def main() -> None:
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from aftersales.parts.models import StockAlert, StockBalance, StockMove
    from aftersales.parts.selectors_stock import ledger_mismatches

    call_command("migrate", verbosity=0)
    clerk, warehouses, parts = seed()
    top_up(clerk, warehouses, parts)
    rng = random.Random(SEED + StockMove.objects.count())
    plan = [(rng.choice(warehouses), rng.choice(parts)) for _ in range(ISSUES)]
    moves_before = StockMove.objects.count()
    alerts_before = StockAlert.objects.count()

    print(
        f"{ISSUES} one-unit issues over {len(parts)} parts in {len(warehouses)} warehouses, {THREADS} threads"
    )
    wall, latencies, issued, refused = issue_all(clerk, plan)
    latencies.sort()
    moves = StockMove.objects.count() - moves_before
    report = {
        "threads": THREADS,
        "issues": ISSUES,
        "issued": issued,
        "refused": refused,
        "moves_written": moves,
        "seconds": round(wall, 3),
        "moves_per_second": round(moves / wall, 1) if wall else None,
        "latency_ms_median": round(statistics.median(latencies) * 1000, 2),
        "latency_ms_p95": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 2),
        "alerts_opened": StockAlert.objects.count() - alerts_before,
    }
    print(
        f"  {moves} moves in {wall:.2f} s: {report['moves_per_second']} moves/s; one issue "
        f"{report['latency_ms_median']} ms median, {report['latency_ms_p95']} ms p95; "
        f"{refused} refused for want of stock; {report['alerts_opened']} alerts opened"
    )

    began = time.perf_counter()
    mismatches = ledger_mismatches()
    check = time.perf_counter() - began
    negative = StockBalance.objects.filter(on_hand__lt=0).count()
    report.update(
        {
            "balances": StockBalance.objects.count(),
            "ledger_rows": StockMove.objects.count(),
            "ledger_check_seconds": round(check, 3),
            "ledger_mismatches": len(mismatches),
            "negative_balances": negative,
            "consistent_issue_count": moves == issued,
            "postgres": connection.pg_version,
            "python": platform.python_version(),
            "machine": platform.node(),
        }
    )
    ok = not mismatches and not negative and moves == issued
    print(
        f"  ledger invariant ({report['balances']} balances, {report['ledger_rows']} moves, one GROUP BY "
        f"in {check * 1000:.0f} ms): {'holds' if ok else 'BROKEN'}; "
        f"{len(mismatches)} mismatches, {negative} negative balances"
    )
    results_write("parts_issue", report)
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
