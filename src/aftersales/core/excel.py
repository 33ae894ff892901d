"""Excel in and out: every list exports through `xlsx_response`; imports read with `xlsx_rows`.

An export holds one row at a time, however many it has: openpyxl's write-only workbook writes each
row out as it comes (the lists read theirs with `QuerySet.iterator`), the workbook is saved to an
anonymous temporary file (gone once closed, even if the process dies), and the response streams
that file (`FileResponse`, which closes it when sent).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from typing import IO, Any

from django.http import FileResponse
from django.utils import timezone

from .text import spreadsheet_text

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if value is None:
        return ""
    if isinstance(value, (int, float, str)) or hasattr(value, "isoformat"):
        return value
    return str(value)


def _cell(sheet: Any, value: Any) -> Any:
    """A cell value, or for text that would read as a formula (`=HYPERLINK(...)`, `+1`, `@SUM`) a
    literal text cell with Excel's quote prefix, so it is never evaluated, not even after an
    edit; characters a workbook cannot hold are dropped."""
    value = _value(value)
    if not isinstance(value, str):
        return value
    text, formula_like = spreadsheet_text(value)
    if not formula_like:
        return text
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def xlsx_write(
    target: IO[bytes], *, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """One sheet with a bold header row, written to `target`; rows are streamed, one at a time.
    openpyxl is imported here, not with the module: about 15 MB (with Pillow) that a web worker
    would otherwise carry for every request (issue 9: worker memory)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(str(header)) * 2 + 4)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=str(header))
        cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
    workbook.save(target)


def xlsx_bytes(*, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A small workbook in memory (import templates); exports use `xlsx_response`."""
    buffer = BytesIO()
    xlsx_write(buffer, title=title, headers=headers, rows=rows)
    return buffer.getvalue()


def xlsx_response(
    *, filename: str, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]
) -> FileResponse:
    """The workbook written to a temporary file and streamed from it (see the module docstring)."""
    workbook_file = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - the response closes it
    try:
        xlsx_write(workbook_file, title=title, headers=headers, rows=rows)
        workbook_file.seek(0)
    except BaseException:
        workbook_file.close()
        raise
    return FileResponse(workbook_file, as_attachment=True, filename=filename, content_type=XLSX_MIME)


def export_response(
    *, request, resource: str, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]
) -> FileResponse:
    """A list exported as it is filtered and scoped, with the export logged (who, what, how many
    rows, which filters, from where: R41). Exports hold personal data masked, whatever the role
    (`accounts.privacy`), so they need no reason."""
    from .client import client_ip
    from .models import AccessLog
    from .services import access_log

    exported = 0

    def counted() -> Iterator[Sequence[Any]]:
        nonlocal exported
        for row in rows:
            exported += 1
            yield row

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = xlsx_response(
        filename=f"{resource}-{stamp}.xlsx", title=title, headers=[str(h) for h in headers], rows=counted()
    )
    access_log(
        actor=request.user,
        action=AccessLog.Action.EXPORT,
        resource=resource,
        ip_address=client_ip(request),
        detail=f"{exported} rows; filters: {request.GET.urlencode()}",
    )
    return response


@dataclass(frozen=True)
class Sheet:
    """One record's rows as a workbook (a claim's lines, a month's statement, a count sheet, a price
    list's prices), ready to stream: an app builds it for a record the user may see, and its
    page's export (`?export=xlsx`) and the API's (`core.api.sheet_xlsx`) both serve it
    (`sheet_response`)."""

    resource: str
    title: str
    headers: Sequence[Any]
    rows: Iterable[Sequence[Any]]


def sheet_response(request, sheet: Sheet) -> FileResponse:
    """A record's workbook (`Sheet`) as a download, its export logged (`export_response`, R41)."""
    return export_response(
        request=request,
        resource=sheet.resource,
        title=sheet.title,
        headers=[str(header) for header in sheet.headers],
        rows=sheet.rows,
    )


def xlsx_rows(upload) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """Header names and (row number, {header: value}) for every non-empty row of the first sheet."""
    from openpyxl import load_workbook

    workbook = load_workbook(upload, read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    try:
        headers = [str(value).strip() if value is not None else "" for value in next(rows)]
    except StopIteration:
        return [], []
    records = []
    for number, values in enumerate(rows, start=2):
        if values is None or all(value in (None, "") for value in values):
            continue
        records.append((number, dict(zip(headers, values, strict=False))))
    workbook.close()
    return headers, records
