"""Excel imports of every app: all rows or none, with a row-by-row error report.

Every row is checked and saved through the app's service inside its own savepoint. When any row is
invalid the whole import is rolled back, unless the user chose to skip bad rows; then the valid
rows are kept and the report lists the skipped ones. The apps (customers, devices, parts) give the
row function and their Chinese column headers; the page is `core.import_views.import_page`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .excel import xlsx_bytes, xlsx_rows
from .text import CONTROL_CHARACTER_MESSAGE, has_control_characters


@dataclass(frozen=True)
class RowError:
    row: int | None  # spreadsheet row number; None for problems with the whole file
    column: str
    message: str


@dataclass
class ImportReport:
    """The outcome of one import: what was created and every problem found, row by row."""

    total_rows: int = 0
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)
    skip_invalid: bool = False

    @property
    def bad_rows(self) -> list[int]:
        return sorted({error.row for error in self.errors if error.row is not None})

    @property
    def file_errors(self) -> list[RowError]:
        return [error for error in self.errors if error.row is None]

    @property
    def committed(self) -> bool:
        return self.imported > 0

    @property
    def ok(self) -> bool:
        return not self.errors


class RowInvalid(Exception):
    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__(errors)
        self.errors = errors


# How a workbook's XML spells a character it cannot hold (ECMA-376 ST_Xstring): `_x0001_`.
EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def cell_text(value: Any) -> str:
    """A cell as text: whole numbers without '.0' (phones typed as numbers), dates as ISO, and
    characters Excel escaped read back as what they are (so a control character is seen and
    refused, not stored as `_x0001_`)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return EXCEL_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), str(value)).strip()


def validation_errors(error: ValidationError, columns: dict[str, str], default: str) -> list[tuple[str, str]]:
    """(column, message) pairs for a service's ValidationError, columns named as in the file."""
    if not hasattr(error, "error_dict"):
        return [(default, message) for message in error.messages]
    pairs: list[tuple[str, str]] = []
    for name, messages in error.message_dict.items():
        column = columns.get(name, default if name == NON_FIELD_ERRORS else name)
        pairs.extend((column, message) for message in messages)
    return pairs


def run_import(
    *,
    upload,
    required_headers: Iterable[str],
    skip_invalid: bool,
    import_row: Callable[[int, dict[str, str]], None],
    read: Callable[[Any], tuple[list[str], list[tuple[int, dict[str, Any]]]]] = xlsx_rows,
    unreadable: str = "",
) -> ImportReport:
    """Read the sheet and feed each row to `import_row` in a savepoint; all or nothing unless
    `skip_invalid`. `import_row` raises RowInvalid with (column, message) pairs. `read` gives the
    headers and numbered rows (an Excel sheet by default; e.g. a CSV file), `unreadable` what to
    say when it fails."""
    report = ImportReport(skip_invalid=skip_invalid)
    try:
        headers, rows = read(upload)
    except Exception:  # noqa: BLE001 - any unreadable upload is one clear message
        message = unreadable or _("The file is not a readable Excel (.xlsx) workbook.")
        report.errors.append(RowError(None, "", message))
        return report
    missing = [header for header in required_headers if header not in headers]
    if missing:
        report.errors.append(
            RowError(1, "", _("Missing columns: %(columns)s.") % {"columns": "、".join(missing)})
        )
        return report
    if not rows:
        report.errors.append(RowError(None, "", _("The file has no data rows.")))
        return report
    report.total_rows = len(rows)
    with transaction.atomic():
        for number, record in rows:
            values = {key: cell_text(value) for key, value in record.items() if key}
            refused = [key for key, text in values.items() if has_control_characters(text)]
            if refused:  # never stored: they would break every later export
                report.errors.extend(RowError(number, key, str(CONTROL_CHARACTER_MESSAGE)) for key in refused)
                continue
            try:
                with transaction.atomic():
                    import_row(number, values)
            except RowInvalid as invalid:
                report.errors.extend(RowError(number, column, message) for column, message in invalid.errors)
            else:
                report.imported += 1
        if report.errors and not skip_invalid:
            transaction.set_rollback(True)
            report.imported = 0
    return report


def template_bytes(headers: list[str], title: str) -> bytes:
    return xlsx_bytes(title=title, headers=headers, rows=[])
