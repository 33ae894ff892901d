"""Benchmark: one run of the periodic SLA job (R34) over 100,000 open work orders on PostgreSQL.

    .venv/bin/python bench/sla_job.py
    BENCH_ROWS=20000 BENCH_RUNS=3 .venv/bin/python bench/sla_job.py   # a quicker look

DATABASE_URL picks the database (default: postgres://postgres@127.0.0.1:5432/aftersales_bench_sla,
created when missing; never point it at a database you care about). The first run migrates and
seeds, with bulk inserts, BENCH_ROWS open work orders, each with a running clock: BENCH_DUE_WARN of
them past 75 % of their budget and BENCH_DUE_BREACH past due (not yet warned or escalated), a
backlog already warned (5 %) or escalated (3 %), the rest on track. Each timed run first puts the
due clocks back (new start time, so new idempotency keys), then runs `sla_clocks_check()` once, at
a fixed instant, in embedded mode (tasks in-process: e-mails go to Django's in-memory backend).
Prints each run's time, the median, the queries and what was warned/escalated, the plans of the
two candidate queries, and writes the figures as JSON to bench/results/. See bench/README.md.
"""

from __future__ import annotations

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

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/aftersales_bench_sla")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.config.settings")
os.environ["DEBUG"] = "0"
os.environ.pop("REDIS_URL", None)  # embedded mode: the e-mail jobs run in-process, nothing piles up
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"

from workorder_list import ensure_database, results_write  # noqa: E402  (bench/ is on sys.path when run as a script)

ROWS = int(os.environ.get("BENCH_ROWS", "100000"))
DUE_WARN = int(os.environ.get("BENCH_DUE_WARN", "300"))
DUE_BREACH = int(os.environ.get("BENCH_DUE_BREACH", "100"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
TARGET_S = float(os.environ.get("BENCH_TARGET_S", "5"))
BATCH = 5000
PREFIX = "WS"
# The job runs "at" this instant (`sla_clocks_check(at=...)`), so the seeded clocks stay where they
# were put however long after the seeding the benchmark is run again.
ANCHOR = datetime(2026, 11, 4, 12, tzinfo=UTC)
SEED = 20261104
warnings.filterwarnings("ignore", message="No directory at")


def seed(rows: int) -> None:
    """Service points with dispatchers, engineers, supervisors, customers; `rows` open work orders
    with one running clock each, inserted in batches of 5,000."""
    from django.db import connection, transaction

    from aftersales.accounts.choices import Role
    from aftersales.accounts.models import Dealer, Engineer, ServicePoint, User
    from aftersales.customers.models import Customer
    from aftersales.sla.choices import WARNING_SHARE, MilestoneKind
    from aftersales.sla.models import SlaClock, SlaPolicy
    from aftersales.workorders.choices import Channel, Priority, State, WorkOrderType
    from aftersales.workorders.models import WorkOrder

    existing = WorkOrder.objects.filter(number__startswith=PREFIX).count()
    if existing >= rows:
        print(f"{existing} open work orders with running clocks already seeded")
        return
    rng = random.Random(SEED)
    started = time.perf_counter()
    print(f"seeding {rows - existing} open work orders with running clocks ...", flush=True)
    with transaction.atomic():
        dealers = [
            Dealer.objects.get_or_create(code=f"SD{i}", defaults={"name": f"时效基准经销商{i}"})[0]
            for i in range(3)
        ]
        points = [
            ServicePoint.objects.get_or_create(
                code=f"SSP{i:02d}",
                defaults={
                    "name": f"时效基准网点{i}",
                    "dealer": dealers[i % 3] if i else None,
                    "province": "浙江省",
                    "city": "杭州市",
                },
            )[0]
            for i in range(13)
        ]
        for i, point in enumerate(points):
            User.objects.get_or_create(
                username=f"sla_dispatcher{i}",
                defaults={"role": Role.DISPATCHER, "service_point": point, "email": f"d{i}@bench.example.cn"},
            )
        for i in range(3):
            User.objects.get_or_create(
                username=f"sla_supervisor{i}",
                defaults={"role": Role.SUPERVISOR, "email": f"s{i}@bench.example.cn"},
            )
        engineers = list(Engineer.objects.filter(employee_no__startswith="SE"))
        for i in range(len(engineers), 40):
            user, _ = User.objects.get_or_create(
                username=f"sla_engineer{i}", defaults={"role": Role.ENGINEER, "last_name": f"工程师{i}"}
            )
            engineers.append(
                Engineer.objects.create(user=user, service_point=points[i % 13], employee_no=f"SE{i:04d}")
            )
        Customer.objects.bulk_create(
            [
                Customer(code=f"SC{i:05d}", name=f"杭州基准客户{i}有限公司", phone=f"+86135{i:08d}")
                for i in range(2000)
            ],
            ignore_conflicts=True,
        )
        customer_ids = list(Customer.objects.filter(code__startswith="SC").values_list("pk", flat=True))
    policy_id = SlaPolicy.objects.get(is_default=True).pk
    kinds = {
        State.NEW: MilestoneKind.FIRST_RESPONSE,
        State.ACCEPTED: MilestoneKind.DIAGNOSIS,
        State.ASSIGNED: MilestoneKind.DIAGNOSIS,
        State.IN_SERVICE: MilestoneKind.REPAIR,
    }
    now = ANCHOR
    done = existing
    while done < rows:
        orders, clocks = [], []
        for _ in range(min(BATCH, rows - done)):
            state = rng.choice(list(kinds))
            engineer = rng.choice(engineers) if state in (State.ASSIGNED, State.IN_SERVICE) else None
            target = timedelta(hours=24 if state == State.NEW else 48)
            # Where in its budget the clock is now: the due ones are placed by `reset_due`; of the
            # others 5 % were warned and 3 % escalated by earlier runs, the rest are on track.
            share = rng.random()
            if share < 0.03:
                used = target * rng.uniform(1.1, 3)
            elif share < 0.08:
                used = target * rng.uniform(WARNING_SHARE + 0.01, 0.99)
            else:
                used = target * rng.uniform(0, WARNING_SHARE - 0.05)
            start = now - used
            due = start + target
            orders.append(
                WorkOrder(
                    number=f"{PREFIX}{done:08d}",
                    state=state,
                    channel=rng.choice(Channel.values),
                    type=rng.choice(WorkOrderType.values),
                    priority=rng.choice(Priority.values),
                    customer_id=rng.choice(customer_ids),
                    contact_name="王先生",
                    contact_phone=f"+86139{rng.randint(0, 99_999_999):08d}",
                    device_model_text="HP LaserJet Pro M404",
                    fault_symptom="打印时卡纸",
                    service_point=engineer.service_point if engineer else rng.choice(points),
                    engineer=engineer,
                )
            )
            clocks.append(
                SlaClock(
                    kind=kinds[state],
                    policy_id=policy_id,
                    target=target,
                    business_time=False,
                    started_at=start,
                    warn_at=start + target * WARNING_SHARE,
                    due_at=due,
                    warned_at=now if used >= target * WARNING_SHARE else None,
                    escalated_at=now if due <= now else None,
                    breached_at=due if due <= now else None,
                )
            )
            done += 1
        with transaction.atomic():
            WorkOrder.objects.bulk_create(orders)
            for order, clock in zip(orders, clocks, strict=True):
                clock.work_order_id = order.pk
            SlaClock.objects.bulk_create(clocks)
        print(f"  {done}/{rows}", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"seeded in {time.perf_counter() - started:.1f} s")


def reset_due() -> None:
    """Make the first DUE_BREACH + DUE_WARN seeded clocks due again for a run: past due, or past
    75 % of the budget, not yet escalated or warned. Their start moves one second earlier per run
    ever made on this database (counted from the timeline), so the keys of their notices and
    e-mails are new, as for a new day's clocks."""
    from aftersales.sla.events import SLA
    from aftersales.sla.models import SlaClock
    from aftersales.workorders.models import WorkOrderEvent

    now = ANCHOR
    ids = list(
        SlaClock.objects.filter(work_order__number__startswith=PREFIX)
        .order_by("work_order__number")
        .values_list("pk", flat=True)[: DUE_BREACH + DUE_WARN]
    )
    runs_so_far = WorkOrderEvent.objects.filter(kind=SLA.kind, work_order__number__startswith=PREFIX).count()
    shift = -timedelta(seconds=1 + runs_so_far // max(1, DUE_BREACH + DUE_WARN))
    for chunk, used in ((ids[:DUE_BREACH], 1.2), (ids[DUE_BREACH:], 0.8)):
        start = now - timedelta(hours=48 * used) + shift
        SlaClock.objects.filter(pk__in=chunk).update(
            target=timedelta(hours=48),
            started_at=start,
            warn_at=start + timedelta(hours=36),
            due_at=start + timedelta(hours=48),
            warned_at=None,
            escalated_at=None,
            breached_at=None,
            stopped_at=None,
            paused_at=None,
        )


def plans() -> list[str]:
    """EXPLAIN of the job's two candidate reads: both must be index scans of the partial indexes."""
    from aftersales.sla.services import MAX_CLOCKS_PER_RUN, _running_clocks

    now = ANCHOR
    reads = [
        _running_clocks().filter(escalated_at__isnull=True, due_at__lte=now).order_by("due_at"),
        _running_clocks()
        .filter(warned_at__isnull=True, warn_at__lte=now, due_at__gt=now)
        .order_by("warn_at"),
    ]
    return [read[:MAX_CLOCKS_PER_RUN].explain() for read in reads]


def main() -> int:
    ensure_database()
    import django

    django.setup()
    from django.core import mail
    from django.core.management import call_command
    from django.db import connection

    from aftersales.sla.models import SlaClock
    from aftersales.sla.services import sla_clocks_check

    call_command("migrate", verbosity=0, interactive=False)
    seed(ROWS)
    running = SlaClock.objects.filter(stopped_at__isnull=True, paused_at__isnull=True).count()
    print(f"\n{running} running clocks; each run: {DUE_BREACH} to escalate, {DUE_WARN} to warn\n")
    runs = []
    for run in range(1, RUNS + 1):
        reset_due()
        mail.outbox = []
        queries = 0

        def count(execute, sql, params, many, context):
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            started = time.perf_counter()
            result = sla_clocks_check(at=ANCHOR)
            seconds = time.perf_counter() - started
        row = {
            "run": run,
            "seconds": round(seconds, 3),
            "warned": result.warned,
            "escalated": result.escalated,
            "queries": queries,
            "emails": len(mail.outbox),
        }
        runs.append(row)
        print(
            f"run {run}: {seconds:6.2f} s  warned {result.warned:4}  escalated {result.escalated:4}  "
            f"{queries} queries  {len(mail.outbox)} e-mails",
            flush=True,
        )
        if (result.warned, result.escalated) != (DUE_WARN, DUE_BREACH):
            print("  unexpected counts: is another job running on this database?")
    median = statistics.median(row["seconds"] for row in runs)
    idle_started = time.perf_counter()
    sla_clocks_check(at=ANCHOR)  # the last run left nothing due: the two index reads only
    idle = time.perf_counter() - idle_started
    query_plans = plans()
    print(
        f"\nmedian {median:.2f} s per run ({(DUE_WARN + DUE_BREACH) / median:.0f} clocks/s); "
        f"a run with nothing due: {idle * 1000:.1f} ms"
    )
    for plan in query_plans:
        print("\n" + plan)
    report = {
        "benchmark": "sla_job",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "running_clocks": running,
        "due_per_run": {"warn": DUE_WARN, "escalate": DUE_BREACH},
        "database": f"PostgreSQL {connection.cursor().connection.info.server_version}",
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "target_seconds": TARGET_S,
        "median_seconds": round(median, 3),
        "idle_run_ms": round(idle * 1000, 1),
        "runs": runs,
        "plans": query_plans,
    }
    results_write("sla_job", report)
    if median >= TARGET_S:
        print(f"median over the target of {TARGET_S:.0f} s")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
