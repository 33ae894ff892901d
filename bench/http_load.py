"""HTTP load benchmark: gunicorn (2 sync workers, DEBUG off) on the seeded database, a closed-loop
client at concurrency 1 and 4, logged in as seeded users.

    .venv/bin/python bench/seed.py                        # first: the seeded backlog
    .venv/bin/python bench/http_load.py                   # or: make bench-http
    .venv/bin/python bench/http_load.py --requests 50 --concurrency 1,4 --scenarios list_page,search

Why: `workorder_list.py` times the Django stack in-process; this measures what a user gets from
the real server (WSGI, worker processes, sockets) while others use it at the same time, and how
much memory the workers take.

Each scenario (`--scenarios`, default all) runs `--requests` requests per concurrency level after
`--warmup` requests, each client thread sending its next request as soon as the last one is
answered. Reported per scenario and level: p50/p95/p99 latency (ms), throughput (req/s), SQL
statements per request (the `X-SQL-Count` header of bench/settings.py), errors, and the peak RSS
of the gunicorn workers (VmRSS from /proc). Writes JSON to bench/results/; exits 1 on any HTTP
error. Gunicorn is stopped on exit, Ctrl-C included. See README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
sys.path.insert(0, str(PROJECT_DIR / "src"))
sys.path.insert(0, str(BENCH_DIR))

from seed import DEFAULT_DATABASE_URL, PASSWORD  # noqa: E402

HOST = "127.0.0.1"
SCENARIOS = (
    "create_api",
    "list_page",
    "list_filtered",
    "list_api",
    "detail_page",
    "detail_tab",
    "detail_api",
    "search",
    "search_words",
    "global_search",
    "customer_page",
    "device_page",
    "dispatch_board",
)

# The work-order page's tabs that load when opened (HTMX asks for one tab's content).
LAZY_TABS = ("service", "money", "feedback", "documents", "timeline")


# --- the server ---------------------------------------------------------------------------------


class Server:
    """Gunicorn in its own process group, stopped (the whole group) however the benchmark ends.

    The defaults serve this project with bench/settings.py; bench/peer_helpdesk.py passes its own
    gunicorn (another virtualenv), WSGI app, environment, folder and a page that answers 200."""

    def __init__(
        self,
        workers: int,
        port: int,
        log: Path,
        *,
        gunicorn: Path | None = None,
        app: str = "aftersales.config.wsgi:application",
        env: dict[str, str] | None = None,
        chdir: Path = PROJECT_DIR,
        ready_path: str = "/accounts/login/",
    ) -> None:
        self.port = port
        self.ready_path = ready_path
        if env is None:
            env = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "bench.settings",
                "DEBUG": "0",
                "PYTHONPATH": os.pathsep.join([str(PROJECT_DIR / "src"), str(PROJECT_DIR)]),
            }
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [
                str(gunicorn or Path(sys.executable).parent / "gunicorn"),
                app,
                f"--workers={workers}",
                "--worker-class=sync",
                f"--bind={HOST}:{port}",
                "--timeout=120",
                f"--chdir={chdir}",
            ],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited ({self.process.returncode}); see {self.log.name}")
            try:
                status, _, _ = request("GET", self.ready_path, port=self.port)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit(f"gunicorn did not answer in {timeout:.0f} s; see {self.log.name}")

    def worker_pids(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except OSError:
            return []

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def rss_kib(pid: int) -> int:
    """Resident set size of a process (VmRSS, KiB); 0 when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class RssSampler(threading.Thread):
    """Samples the workers' RSS every 100 ms; `peak()` is the largest single worker and the
    largest sum since the last `reset()`."""

    def __init__(self, server: Server) -> None:
        super().__init__(daemon=True)
        self.server = server
        self.stopped = threading.Event()
        self.lock = threading.Lock()
        self.max_worker = self.max_total = 0

    def run(self) -> None:
        while not self.stopped.wait(0.1):
            sizes = [rss_kib(pid) for pid in self.server.worker_pids()]
            with self.lock:
                self.max_worker = max(self.max_worker, *sizes, 0)
                self.max_total = max(self.max_total, sum(sizes))

    def reset(self) -> None:
        with self.lock:
            self.max_worker = self.max_total = 0

    def peak(self) -> tuple[float, float]:
        with self.lock:
            return self.max_worker / 1024, self.max_total / 1024


# --- the client ---------------------------------------------------------------------------------


def request(
    method: str, path: str, *, port: int, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One request on a fresh connection (sync workers close each connection after answering)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=120)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def session_login(username: str, port: int) -> dict[str, str]:
    """Log in through the login page (CSRF cookie and token); the headers of a logged-in browser."""
    status, headers, body = request("GET", "/accounts/login/", port=port)
    cookies = SimpleCookie()
    for value in headers.get_all("Set-Cookie") or []:
        cookies.load(value)
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or match is None or "csrftoken" not in cookies:
        raise SystemExit(f"login page: {status}, no CSRF token")
    form = urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": match.group(1)})
    status, headers, _ = request(
        "POST",
        "/accounts/login/",
        port=port,
        body=form.encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookies['csrftoken'].value}",
        },
    )
    for value in headers.get_all("Set-Cookie") or []:
        cookies.load(value)
    if status != 302 or "sessionid" not in cookies:
        raise SystemExit(f"login of {username} failed: {status}")
    return {"Cookie": f"sessionid={cookies['sessionid'].value}; csrftoken={cookies['csrftoken'].value}"}


def token_login(username: str, port: int) -> dict[str, str]:
    """An API token for the user (POST /api/auth/token/): the headers of an API client. The
    client name is this benchmark's, so each run replaces the previous run's token."""
    body = json.dumps({"username": username, "password": PASSWORD, "client": "bench http_load"}).encode()
    status, _, answer = request(
        "POST", "/api/auth/token/", port=port, body=body, headers={"Content-Type": "application/json"}
    )
    if status != 201:
        raise SystemExit(f"token of {username}: {status} {answer[:200]!r}")
    return {"Authorization": f"Bearer {json.loads(answer)['token']}", "Accept": "application/json"}


@dataclass
class Scenario:
    """A named request maker: the i-th request's method, path and body, the status expected."""

    name: str
    make: Callable[[int], tuple[str, str, bytes | None]]
    headers: dict[str, str]
    expect: int = 200


@dataclass
class Sample:
    ms: float
    status: int
    sql: int | None


@dataclass
class Phase:
    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def run_phase(
    scenario: Scenario, *, requests: int, concurrency: int, port: int
) -> tuple[list[Sample], float]:
    """`requests` requests from `concurrency` client threads in a closed loop; the samples and the
    wall time."""
    phase = Phase()
    counter = itertools.count()

    def client() -> None:
        while (i := next(counter)) < requests:
            method, path, body = scenario.make(i)
            headers = dict(scenario.headers)
            if body is not None:
                headers["Content-Type"] = "application/json"
            started = time.perf_counter()
            try:
                status, answer_headers, _ = request(method, path, port=port, body=body, headers=headers)
                sql = answer_headers.get("X-SQL-Count")
            except OSError:
                status, sql = 0, None
            sample = Sample((time.perf_counter() - started) * 1000, status, int(sql) if sql else None)
            with phase.lock:
                phase.samples.append(sample)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return phase.samples, time.perf_counter() - started


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    rank = max(1, round(share * len(sorted_values) + 0.5 - 1e-9))
    return sorted_values[min(rank, len(sorted_values)) - 1]


# --- the scenarios ------------------------------------------------------------------------------


def scenario_data() -> dict[str, Any]:
    """What the scenarios ask for, read from the seeded database: work orders to open (open and
    closed, spread over the years), the busiest service point, search terms, a customer to file
    new work orders for. The database is migrated first: a seed made before the latest
    migrations would answer pages that read new columns with 500s."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Count

    call_command("migrate", verbosity=0, interactive=False)

    from aftersales.customers.models import Contact
    from aftersales.workorders.models import WorkOrder

    total = WorkOrder.objects.count()
    if total == 0:
        raise SystemExit("no work orders: run bench/seed.py first")
    ids = list(WorkOrder.objects.order_by("id").values_list("id", flat=True)[:: max(1, total // 200)])
    open_ids = list(
        WorkOrder.objects.filter(state__in=["in_service", "waiting", "assigned"]).values_list(
            "id", flat=True
        )[:50]
    )
    busiest = (
        WorkOrder.objects.filter(state="in_service")
        .values("service_point")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    sample = list(WorkOrder.objects.filter(id__in=ids[:20]).select_related("customer"))
    terms = []
    for wo in sample:
        terms += [wo.number, wo.customer.name[:4], wo.contact_phone[-8:]]
    # words of what customers said and engineers wrote (core.search), and people's names
    words = ["卡纸", "异响", "联网", "定影组件", "黑色竖线", "齿轮磨损", "13.B2", "搓纸轮 卡纸"]
    words += [wo.contact_name for wo in sample[:8]]
    contacts = list(
        Contact.objects.filter(customer__province__gt="", is_primary=True)
        .order_by("id")
        .values_list("customer_id", "id")[:100]
    )
    product_model = (
        WorkOrder.objects.exclude(product_model=None).values_list("product_model", flat=True).first()
    )
    return {
        "work_orders": total,
        "detail_ids": [pk for pair in itertools.zip_longest(ids, open_ids) for pk in pair if pk],
        "service_point": busiest["service_point"] if busiest else None,
        "terms": terms,
        "words": words,
        # the customers with the most work orders and their devices: the 360 pages' worst case
        "customers": list(
            WorkOrder.objects.values_list("customer_id", flat=True)
            .annotate(n=Count("id"))
            .order_by("-n")[:20]
        ),
        "devices": list(
            WorkOrder.objects.filter(device__isnull=False)
            .values_list("device_id", flat=True)
            .annotate(n=Count("id"))
            .order_by("-n")[:20]
        ),
        "contacts": contacts,
        "product_model": product_model,
    }


def scenarios(data: dict[str, Any], port: int) -> dict[str, Scenario]:
    agent_page = session_login("bench_agent", port)
    agent_api = token_login("bench_agent", port)
    dispatcher = session_login("bench_dispatcher", port)
    ids, terms, words, contacts = data["detail_ids"], data["terms"], data["words"], data["contacts"]
    customers, devices = data["customers"], data["devices"]

    def create(i: int) -> tuple[str, str, bytes]:
        customer, contact = contacts[i % len(contacts)]
        payload = {
            "customer": customer,
            "contact": contact,
            "type": "repair",
            "channel": "api",
            "priority": "normal",
            "product_model": data["product_model"],
            "serial_number": f"LOAD{i:08d}",
            "fault_symptom": "打印时卡纸，面板提示错误代码 13.B2（负载测试）",
        }
        return "POST", "/api/workorders/", json.dumps(payload, ensure_ascii=False).encode()

    def get(path: Callable[[int], str]) -> Callable[[int], tuple[str, str, None]]:
        return lambda i: ("GET", path(i), None)

    filtered = f"/workorders/?state=in_service&service_point={data['service_point']}"
    return {
        "create_api": Scenario("create_api", create, agent_api, expect=201),
        "list_page": Scenario("list_page", get(lambda i: "/workorders/"), agent_page),
        "list_filtered": Scenario("list_filtered", get(lambda i: filtered), agent_page),
        "list_api": Scenario("list_api", get(lambda i: "/api/workorders/"), agent_api),
        "detail_page": Scenario(
            "detail_page", get(lambda i: f"/workorders/{ids[i % len(ids)]}/"), agent_page
        ),
        "detail_tab": Scenario(
            "detail_tab",
            get(lambda i: f"/workorders/{ids[i % len(ids)]}/?tab={LAZY_TABS[i % len(LAZY_TABS)]}"),
            {**agent_page, "HX-Request": "true"},
        ),
        "detail_api": Scenario(
            "detail_api", get(lambda i: f"/api/workorders/{ids[i % len(ids)]}/"), agent_api
        ),
        "search": Scenario(
            "search", get(lambda i: "/workorders/?" + urlencode({"q": terms[i % len(terms)]})), agent_page
        ),
        "search_words": Scenario(
            "search_words",
            get(lambda i: "/workorders/?" + urlencode({"q": words[i % len(words)]})),
            agent_page,
        ),
        "global_search": Scenario(
            "global_search",
            get(lambda i: "/workorders/search/?" + urlencode({"q": words[i % len(words)]})),
            agent_page,
        ),
        "customer_page": Scenario(
            "customer_page", get(lambda i: f"/customers/{customers[i % len(customers)]}/"), agent_page
        ),
        "device_page": Scenario(
            "device_page", get(lambda i: f"/devices/{devices[i % len(devices)]}/"), agent_page
        ),
        "dispatch_board": Scenario("dispatch_board", get(lambda i: "/field/dispatch/"), dispatcher),
    }


# --- main ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def summarise(
    name: str, concurrency: int, samples: list[Sample], seconds: float, rss: tuple[float, float], expect: int
) -> dict:
    times = sorted(s.ms for s in samples)
    sql = [s.sql for s in samples if s.sql is not None]
    errors = [s.status for s in samples if s.status != expect]
    return {
        "scenario": name,
        "concurrency": concurrency,
        "requests": len(samples),
        "p50_ms": round(percentile(times, 0.50), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "p99_ms": round(percentile(times, 0.99), 1),
        "max_ms": round(times[-1], 1),
        "req_per_s": round(len(samples) / seconds, 1),
        "sql_median": statistics.median(sql) if sql else None,
        "sql_max": max(sql) if sql else None,
        "errors": len(errors),
        "error_statuses": sorted(set(errors)),
        "rss_peak_worker_mb": round(rss[0], 1),
        "rss_peak_total_mb": round(rss[1], 1),
    }


def print_row(row: dict, width: int = 16) -> None:
    """One line of the results table (`summarise`'s row)."""
    sql = "" if row["sql_median"] is None else f"{row['sql_median']:g}"
    print(
        f"{row['scenario']:{width}} {row['concurrency']:>2} {row['p50_ms']:>6.1f}ms {row['p95_ms']:>6.1f}ms "
        f"{row['p99_ms']:>6.1f}ms {row['req_per_s']:>7.1f} {sql:>5} {row['errors']:>4} "
        f"{row['rss_peak_worker_mb']:>5.0f} ({row['rss_peak_total_mb']:>4.0f})",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--requests", type=int, default=100, help="per scenario and concurrency (default 100)"
    )
    parser.add_argument("--warmup", type=int, default=5, help="per scenario, not timed (default 5)")
    parser.add_argument("--concurrency", default="1,4", help="comma-separated levels (default 1,4)")
    parser.add_argument(
        "--scenarios", default=",".join(SCENARIOS), help=f"comma-separated, of {', '.join(SCENARIOS)}"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.scenarios.split(",") if name.strip()]
    unknown = set(chosen) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    levels = [int(level) for level in args.concurrency.split(",")]

    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.config.settings")
    os.environ["DEBUG"] = "0"
    data = scenario_data()
    from django.db import connection

    version = connection.cursor().connection.info.server_version  # e.g. 150020
    database = f"PostgreSQL {version // 10000}.{version % 10000}"
    connection.close()

    out_dir = BENCH_DIR / "results"
    out_dir.mkdir(exist_ok=True)
    stamp = f"{datetime.now():%Y%m%d-%H%M%S}"
    server = Server(args.workers, free_port(), out_dir / f"gunicorn-{stamp}.log")
    # Ctrl-C and SIGTERM end the run through `finally`, which stops gunicorn
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started in the background
    results = []
    try:
        server.wait_ready()
        sampler = RssSampler(server)
        sampler.start()
        made = scenarios(data, server.port)
        print(
            f"\n{data['work_orders']:,} work orders; {args.requests} requests per scenario and level "
            f"(after {args.warmup} warm-up), gunicorn {args.workers} sync workers\n"
        )
        print(
            f"{'scenario':16} {'c':>2} {'p50':>8} {'p95':>8} {'p99':>8} {'req/s':>7} {'SQL':>5} {'err':>4}",
            end="",
        )
        print(f" {'RSS MB':>13}")
        for name in chosen:
            scenario = made[name]
            run_phase(scenario, requests=args.warmup, concurrency=1, port=server.port)
            for level in levels:
                sampler.reset()
                samples, seconds = run_phase(
                    scenario, requests=args.requests, concurrency=level, port=server.port
                )
                row = summarise(name, level, samples, seconds, sampler.peak(), scenario.expect)
                results.append(row)
                print_row(row)
        sampler.stopped.set()
    except KeyboardInterrupt:
        print("\ninterrupted")
        return 130
    finally:
        server.stop()
    report = {
        "benchmark": "http_load",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "work_orders": data["work_orders"],
        "database": database,
        "server": f"gunicorn, {args.workers} sync workers, bench.settings (DEBUG off)",
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "results": results,
    }
    out = out_dir / f"http_load-{stamp}.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(
        f"\nRSS: peak of the largest worker (of all workers together); written {out.relative_to(PROJECT_DIR)}"
    )
    failed = [f"{r['scenario']} c={r['concurrency']}: {r['error_statuses']}" for r in results if r["errors"]]
    if failed:
        print("HTTP errors: " + "; ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
