"""Import of the official holiday schedule of a coming year (R34): an Excel (.xlsx) or CSV file
with the columns date, kind (holiday / workday), name, one row per day. Every row is checked and
the whole file is saved or nothing is (the report lists each bad row); the rows are written by
`services.official_day_set`. The all-or-nothing machinery and its report are `core.importing`'s."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.core.errors import NotPermitted
from aftersales.core.excel import xlsx_rows
from aftersales.core.importing import ImportReport, RowInvalid, run_import, template_bytes, validation_errors

from .choices import OfficialDayKind
from .services import may_edit_official_schedule, official_day_set

HEADERS = ["date", "kind", "name"]
# Header names accepted for each column (the Chinese ones of an office's own sheet).
HEADER_ALIASES = {
    "date": "date",
    "日期": "date",
    "kind": "kind",
    "type": "kind",
    "类型": "kind",
    "name": "name",
    "名称": "name",
    "节日": "name",
}
KIND_WORDS = {
    "holiday": OfficialDayKind.HOLIDAY,
    "假日": OfficialDayKind.HOLIDAY,
    "节假日": OfficialDayKind.HOLIDAY,
    "放假": OfficialDayKind.HOLIDAY,
    "休": OfficialDayKind.HOLIDAY,
    "workday": OfficialDayKind.WORKDAY,
    "班": OfficialDayKind.WORKDAY,
    "上班": OfficialDayKind.WORKDAY,
    "补班": OfficialDayKind.WORKDAY,
    "调休": OfficialDayKind.WORKDAY,
    "调休上班": OfficialDayKind.WORKDAY,
}
DATE_FORMS = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
# The largest file an import reads.
MAX_BYTES = 1024 * 1024


def _canonical(headers: list[str]) -> list[str]:
    return [HEADER_ALIASES.get(header.strip().lower(), header.strip()) for header in headers]


def csv_rows(upload) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """Headers and (line number, {header: text}) of every non-empty line of a CSV file in UTF-8
    (with or without the BOM Excel writes) or, failing that, GB18030 (Chinese Excel's default)."""
    raw = upload.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030")
    lines = list(csv.reader(io.StringIO(text)))
    if not lines:
        return [], []
    headers = _canonical(lines[0])
    rows = [
        (number, dict(zip(headers, values, strict=False)))
        for number, values in enumerate(lines[1:], start=2)
        if any(value.strip() for value in values)
    ]
    return headers, rows


def sheet_rows(upload) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """The rows of an .xlsx (read by openpyxl, loaded only now) or a .csv upload."""
    name = (getattr(upload, "name", "") or "").lower()
    if name.endswith(".csv"):
        return csv_rows(upload)
    if not name.endswith(".xlsx"):
        raise ValueError("neither .xlsx nor .csv")
    headers, rows = xlsx_rows(upload)
    canonical = _canonical(headers)
    renamed = dict(zip(headers, canonical, strict=True))
    return canonical, [(number, {renamed.get(k, k): v for k, v in row.items()}) for number, row in rows]


def parse_day(text: str) -> date | None:
    """2027-10-01, 2027/10/1, 2027.10.01 or 2027年10月1日; None when it is none of them or no
    real date."""
    match = DATE_FORMS.match(text.strip())
    if match is None:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def official_template() -> bytes:
    return template_bytes(HEADERS, "official schedule")


@transaction.atomic
def official_days_import(*, upload, actor) -> ImportReport:
    """R34: save every day of the file, or none when any row is bad (unreadable date, unknown kind,
    no name, a date twice, a year the holiday package already knows)."""
    if not may_edit_official_schedule(actor):
        raise NotPermitted(_("Only an HQ admin may change the official holiday schedule."))
    seen: dict[date, int] = {}

    def import_row(number: int, values: dict[str, str]) -> None:
        errors: list[tuple[str, str]] = []
        day = parse_day(values.get("date", ""))
        if day is None:
            errors.append(("date", _("Enter the date as YYYY-MM-DD, e.g. 2027-10-01.")))
        elif day in seen:
            errors.append(("date", _("Duplicate of row %(row)d in this file.") % {"row": seen[day]}))
        else:
            seen[day] = number
        kind = KIND_WORDS.get(values.get("kind", "").strip().lower())
        if kind is None:
            errors.append(("kind", _("Enter holiday or workday (a make-up working day, 调休).")))
        name = values.get("name", "").strip()
        if not name:
            errors.append(("name", _("Enter the holiday's name, e.g. 国庆节.")))
        if not errors and day is not None and kind is not None:
            try:
                official_day_set(day=day, kind=kind, name=name, actor=actor)
            except ValidationError as error:
                errors.extend(validation_errors(error, {}, "date"))
        if errors:
            raise RowInvalid(errors)

    return run_import(
        upload=upload,
        required_headers=HEADERS,
        skip_invalid=False,
        import_row=import_row,
        read=sheet_rows,
        unreadable=_("The file is not a readable Excel (.xlsx) or CSV file."),
    )
