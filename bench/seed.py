"""Seed a realistic after-sales backlog on PostgreSQL: three years of a company's work orders.

    .venv/bin/python bench/seed.py --work-orders 100000      # or: make bench-seed
    .venv/bin/python bench/seed.py --work-orders 1000000 --reset

Why: the list, detail, search and dispatch pages must stay fast when years of history pile up,
and only a database shaped like a real one (mostly closed work orders, each with its timeline,
history and service-level clocks; a small open backlog of the last weeks) shows where they don't.

How: every row is generated here from a fixed random seed and a fixed "now" (2027-03-01), then
written with PostgreSQL COPY (psycopg 3 `cursor.copy()`), a batch of work orders and all their
rows at a time; table and column names come from the models' `_meta`, so a renamed field fails
here loudly and a new required field without a default too. Ends with `VACUUM ANALYZE`.

DATABASE_URL picks the database (default postgres://postgres@127.0.0.1:5432/aftersales_bench,
created and migrated when missing). What was seeded is kept in the table `bench_seed`: a later run
with the same size reuses it; `--reset` drops the database and seeds from scratch. See README.md.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import time
import warnings
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
for path in (PROJECT_DIR / "src", BENCH_DIR):  # the app, and seed_*.py beside this file
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from seed_copy import SHANGHAI  # noqa: E402
from seed_reference import seed_reference  # noqa: E402
from seed_workorders import seed_work_orders  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/aftersales_bench"
NOW = datetime(2027, 3, 1, tzinfo=SHANGHAI)  # fixed, so two seeds of one size are identical
SEED = 20270301
PASSWORD = "bench-pass"  # every seeded user's password (one hash, computed once)
SEED_TABLE = "bench_seed"
warnings.filterwarnings("ignore", message="No directory at")


@dataclass(frozen=True)
class Plan:
    """How much to seed; the defaults are the company of issue 9."""

    work_orders: int = 100_000
    dealers: int = 20
    service_points: int = 200
    engineers: int = 2_000
    customers: int = 20_000
    years: float = 3.0
    now: str = NOW.isoformat()

    @property
    def end(self) -> datetime:
        return datetime.fromisoformat(self.now)

    @property
    def start(self) -> datetime:
        return self.end - timedelta(days=round(365 * self.years))


def seeded(connection: Any) -> dict | None:
    """What an earlier run seeded (its plan and counts), if any."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [SEED_TABLE])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(f"SELECT plan, counts, seconds FROM {SEED_TABLE} ORDER BY id DESC LIMIT 1")
        row = cursor.fetchone()
    if row is None:
        return None
    plan, counts, seconds = (json.loads(v) if isinstance(v, str) else v for v in row)
    return {"plan": plan, "counts": counts, "seconds": seconds}


def seed(plan: Plan, *, progress: bool = True) -> dict:
    """Seed `plan` into the default database (Django set up, migrated) unless it holds it already;
    returns what is seeded. Inside a transaction (tests) it skips VACUUM, which cannot run there."""
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection, transaction

    from aftersales.workorders.models import WorkOrder

    if connection.vendor != "postgresql":
        raise RuntimeError("bench/seed.py needs PostgreSQL (DATABASE_URL)")
    found = seeded(connection)
    if found is not None:
        if found["plan"] == asdict(plan):
            if progress:
                print(f"reusing the seed of {found['seconds']:.0f} s: {found['counts']}")
            return found
        raise SystemExit(f"the database holds another seed ({found['plan']}); run with --reset")
    if WorkOrder.objects.exists():
        raise SystemExit("the database has work orders the seeder did not write; run with --reset")
    rng = random.Random(SEED)
    started = time.perf_counter()
    with transaction.atomic():
        with connection.cursor() as cursor:
            # foreign keys checked as the rows arrive, not queued (millions of events) for COMMIT
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        world = seed_reference(connection, plan, rng, make_password(PASSWORD))
        # the customers' and devices' search words, by the app's own code (core.search)
        call_command("search_reindex", index=["customers", "devices"], batch=5000, stdout=io.StringIO())
        if progress:
            print(f"reference data in {time.perf_counter() - started:.1f} s", flush=True)
        counts = seed_work_orders(connection, plan, world, rng, progress)
        with connection.cursor() as cursor:
            # what the SLA app keeps as clocks move: each work order's running clock due next
            cursor.execute(
                "UPDATE workorders_workorder w SET sla_due_at = c.due FROM (SELECT work_order_id, "
                "min(due_at) AS due FROM sla_slaclock WHERE stopped_at IS NULL AND paused_at IS NULL "
                "GROUP BY work_order_id) c WHERE w.id = c.work_order_id"
            )
        counts.update(
            customers=len(world.customers), engineers=plan.engineers, service_points=len(world.point_ids)
        )
        seconds = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {SEED_TABLE} (id serial PRIMARY KEY, plan jsonb NOT NULL, "
                "counts jsonb NOT NULL, seconds double precision NOT NULL, "
                "seeded_at timestamptz NOT NULL DEFAULT now())"
            )
            cursor.execute(
                f"INSERT INTO {SEED_TABLE} (plan, counts, seconds) VALUES (%s, %s, %s)",
                [json.dumps(asdict(plan)), json.dumps(dict(counts)), seconds],
            )
    if not connection.in_atomic_block:
        vacuum_started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # the steady state autovacuum keeps: visibility map set
        if progress:
            print(f"VACUUM ANALYZE in {time.perf_counter() - vacuum_started:.1f} s")
    seconds = time.perf_counter() - started
    if progress:
        print(f"seeded in {seconds:.1f} s: {dict(counts)}")
    return {"plan": asdict(plan), "counts": dict(counts), "seconds": seconds}


# --- command line -------------------------------------------------------------------------------


def database_params() -> tuple[str, dict[str, Any]]:
    """The database name of DATABASE_URL and how to reach its server."""
    import dj_database_url

    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    if config["ENGINE"] != "django.db.backends.postgresql":
        sys.exit(f"bench needs PostgreSQL: DATABASE_URL is {config['ENGINE']}")
    params = {
        "host": config["HOST"] or None,
        "port": config["PORT"] or None,
        "user": config["USER"] or None,
        "password": config["PASSWORD"] or None,
    }
    return config["NAME"], params


def prepare_database(*, reset: bool) -> None:
    """Create the database when missing (drop it first with `reset`), set Django up, migrate."""
    import psycopg

    name, params = database_params()
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        if reset:
            print(f"dropping database {name}")
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            print(f"creating database {name}")
            admin.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def setup_environment() -> None:
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.config.settings")
    os.environ["DEBUG"] = "0"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work-orders", type=int, default=Plan.work_orders)
    parser.add_argument("--service-points", type=int, default=Plan.service_points)
    parser.add_argument("--engineers", type=int, default=Plan.engineers)
    parser.add_argument("--customers", type=int, default=Plan.customers)
    parser.add_argument("--dealers", type=int, default=Plan.dealers)
    parser.add_argument("--reset", action="store_true", help="drop the database and seed from scratch")
    args = parser.parse_args(argv)
    setup_environment()
    plan = Plan(
        work_orders=args.work_orders,
        service_points=args.service_points,
        engineers=args.engineers,
        customers=args.customers,
        dealers=args.dealers,
    )
    started = time.perf_counter()
    prepare_database(reset=args.reset)
    print(f"database ready in {time.perf_counter() - started:.1f} s", flush=True)
    result = seed(plan)
    out_dir = BENCH_DIR / "results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / f"seed-{datetime.now():%Y%m%d-%H%M%S}.json").write_text(
        json.dumps(result, indent=2, default=str)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
