"""Benchmark: memory of the Excel export of 100,000 work orders on PostgreSQL (issue 9).

    .venv/bin/python bench/export_memory.py
    BENCH_TRACEMALLOC=0 .venv/bin/python bench/export_memory.py     # RSS only (faster)

DATABASE_URL picks the database (default: postgres://postgres@127.0.0.1:5432/aftersales_bench, the
database of bench/workorder_list.py, whose seeding function fills it when it has fewer than
BENCH_ROWS work orders). Exports a part of the work-order list (the cancelled ones), then all of
it (`/workorders/?export=xlsx`, as a company-wide agent), in-process through django.test.Client,
reading each streamed workbook to the end; prints the workbooks' sizes, the times, how much the
process's peak RSS grew exporting everything over exporting the part, and (unless
BENCH_TRACEMALLOC=0; tracing makes an export about five times slower) the peak of Python
allocations of each export. Writes the figures as JSON to bench/results/. See bench/README.md.
"""

from __future__ import annotations

import gc
import os
import platform
import resource
import time
import tracemalloc
from datetime import UTC, datetime

from workorder_list import ROWS, ensure_database, results_write, seed

TRACE = os.environ.get("BENCH_TRACEMALLOC", "1") != "0"
# A part of the list exported first (about 5 % of the seeded rows are cancelled).
SMALL_URL = os.environ.get("BENCH_PART_URL", "/workorders/?export=xlsx&state=cancelled")
# The export must not grow with the rows: its peak RSS over the baseline stays under this.
TARGET_RSS_MB = float(os.environ.get("BENCH_TARGET_RSS_MB", "100"))


def peak_rss_mb() -> float:
    """The process's peak resident set size so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def export(client, url: str) -> tuple[int, int, float]:
    """(status, workbook bytes, seconds) of one export, its streamed body read to the end."""
    started = time.perf_counter()
    response = client.get(url)
    size = sum(len(block) for block in response.streaming_content)
    response.close()
    return response.status_code, size, time.perf_counter() - started


def count_rows(client, url: str) -> int:
    from io import BytesIO

    from openpyxl import load_workbook

    response = client.get(url)
    sheet = load_workbook(BytesIO(response.getvalue()), read_only=True).worksheets[0]
    return sum(1 for _row in sheet.iter_rows(values_only=True)) - 1


def main() -> int:
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from aftersales.accounts.choices import Role
    from aftersales.accounts.models import User
    from aftersales.workorders.models import WorkOrder

    call_command("migrate", verbosity=0, interactive=False)
    seed(ROWS)
    total = WorkOrder.objects.count()
    agent = User.objects.get_or_create(username="bench_agent", defaults={"role": Role.AGENT})[0]
    client = Client()
    client.force_login(agent)
    url = "/workorders/?export=xlsx"

    # Warm up (modules, templates, catalogues, connection) with the export of a small part of the
    # list; the peak RSS after it is the baseline: an export that grew with its rows would need
    # more memory for all of them than for the part.
    status, small_size, small_seconds = export(client, SMALL_URL)
    assert status == 200, status
    gc.collect()
    baseline = peak_rss_mb()
    status, size, seconds = export(client, url)
    assert status == 200, status
    rss_growth = peak_rss_mb() - baseline
    print(f"{total} work orders: workbook {size / 1e6:.1f} MB in {seconds:.1f} s")
    print(f"the part ({SMALL_URL}): workbook {small_size / 1e6:.1f} MB in {small_seconds:.1f} s")
    print(f"peak RSS {baseline:.0f} MB after exporting the part, +{rss_growth:.1f} MB exporting everything")

    traced: dict[str, float] = {}
    if TRACE:
        for label, traced_url in (("part", SMALL_URL), ("all", url)):
            gc.collect()
            tracemalloc.start()
            status, _size, traced_seconds = export(client, traced_url)
            traced[label] = tracemalloc.get_traced_memory()[1] / 1e6
            tracemalloc.stop()
            print(f"tracemalloc peak, {label}: {traced[label]:.1f} MB ({traced_seconds:.0f} s traced)")
    rows = count_rows(client, url) if os.environ.get("BENCH_COUNT_ROWS", "1") != "0" else None
    if rows is not None:
        print(f"rows in the workbook: {rows}")

    report = {
        "benchmark": "export_memory",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "work_orders": total,
        "rows_exported": rows,
        "workbook_mb": round(size / 1e6, 2),
        "seconds": round(seconds, 1),
        "peak_rss_baseline_mb": round(baseline, 1),
        "peak_rss_growth_mb": round(rss_growth, 1),
        "part_url": SMALL_URL,
        "part_workbook_mb": round(small_size / 1e6, 2),
        "tracemalloc_peak_mb": {label: round(peak, 2) for label, peak in traced.items()},
        "database": f"PostgreSQL {connection.cursor().connection.info.server_version}",
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "target_rss_growth_mb": TARGET_RSS_MB,
    }
    results_write("export_memory", report)
    if rss_growth >= TARGET_RSS_MB:
        print(f"peak RSS grew {rss_growth:.0f} MB, over {TARGET_RSS_MB:.0f} MB")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
