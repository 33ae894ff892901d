"""Issue 9: an export takes about the same memory for 1,000 rows as for 12,000: the workbook is
written row by row to a temporary file and streamed from it (never held whole in memory), and a
list's export reads its rows from the database a chunk at a time (`QuerySet.iterator`)."""

from __future__ import annotations

import gc
import tracemalloc
import weakref
from hashlib import sha256
from io import BytesIO

import pytest
from django.http import FileResponse
from openpyxl import load_workbook

from aftersales.core import lists
from aftersales.core.excel import xlsx_response
from aftersales.workorders import tables
from aftersales.workorders.models import WorkOrder

from .. import factories as f

HEADERS = ["Number", "State", "Hours", "Fault symptom / service need"]


def _rows(count: int):
    for index in range(count):
        # hardly compressible text, so that the workbook is large beside the allocator's noise;
        # formula-like, so that every row takes the literal-text path
        yield [
            f"WO{index:07d}",
            "待派工",
            index,
            f"=SUM(A{index}) " + sha256(str(index).encode()).hexdigest() * 3,
        ]


def _peak(count: int) -> tuple[int, bytes]:
    """(peak bytes allocated while writing a workbook of `count` rows, the workbook)."""
    gc.collect()
    tracemalloc.start()
    try:
        response = xlsx_response(filename="x.xlsx", title="Work orders", headers=HEADERS, rows=_rows(count))
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(response, FileResponse)  # streamed from its file, not bytes in memory
    return peak, response.getvalue()


def test_the_workbook_is_written_and_sent_in_about_constant_memory():
    _peak(10)  # the first workbook loads openpyxl's modules
    small, small_book = _peak(1_000)
    large, large_book = _peak(12_000)
    rows = list(load_workbook(BytesIO(large_book), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 12_001 and rows[-1][0] == "WO0011999" and rows[-1][3].startswith("=SUM(A11999)")
    # Holding the finished workbook in memory even once would add its whole size (about 0.8 MB) to the peak.
    assert len(large_book) - len(small_book) > 500_000
    assert large - small < (len(large_book) - len(small_book)) / 4, (small, large, len(large_book))


@pytest.mark.django_db
def test_a_list_export_holds_one_chunk_of_rows_at_a_time(client, agent, monkeypatch):
    """The work orders are read with `QuerySet.iterator(chunk_size=...)`: however many rows the
    export has, at most about one chunk of them is alive at once."""
    chunk = 50
    monkeypatch.setattr(lists, "EXPORT_CHUNK_SIZE", chunk)
    template = f.WorkOrderFactory()
    shared = {
        name: getattr(template, name) for name in ("customer_id", "service_point_id", "channel", "type")
    }
    WorkOrder.objects.bulk_create(
        WorkOrder(number=f"WO9{index:07d}", contact_phone=f"+8613{index:09d}", **shared)
        for index in range(999)
    )
    alive: weakref.WeakSet[WorkOrder] = weakref.WeakSet()
    most = 0
    export_rows = tables.export_rows

    def watched(work_orders, user):
        nonlocal most
        for work_order in work_orders:
            alive.add(work_order)
            most = max(most, len(alive))
            yield from export_rows([work_order], user)

    monkeypatch.setattr("aftersales.workorders.views.export_rows", watched)
    client.force_login(agent)
    response = client.get("/workorders/", {"export": "xlsx"})
    sheet = load_workbook(BytesIO(response.getvalue()), read_only=True).worksheets[0]
    assert sum(1 for _row in sheet.iter_rows(values_only=True)) == 1 + 1000
    assert most <= 2 * chunk, most
