"""Excel import of customers: all rows or none, with a row-by-row error report.

Every row is checked and created through `customer_create` inside its own savepoint. When any
row is invalid the whole import is rolled back, unless the user chose to skip bad rows; then
the valid rows are kept and the report lists the skipped ones.
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

from aftersales.accounts.choices import Role
from aftersales.accounts.models import Dealer
from aftersales.core.excel import xlsx_bytes, xlsx_rows
from aftersales.core.phones import phone_normalize
from aftersales.core.text import CONTROL_CHARACTER_MESSAGE, has_control_characters

from .choices import CustomerKind
from .models import Customer
from .services import customer_create

# Roles allowed to import customers and devices.
IMPORT_ROLES = (Role.HQ_ADMIN, Role.SUPERVISOR, Role.CLERK, Role.AGENT)


def can_import(user) -> bool:
    return user.is_authenticated and user.has_role(*IMPORT_ROLES)


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
    pairs = []
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
) -> ImportReport:
    """Read the sheet and feed each row to `import_row` in a savepoint; all or nothing unless
    `skip_invalid`. `import_row` raises RowInvalid with (column, message) pairs."""
    report = ImportReport(skip_invalid=skip_invalid)
    try:
        headers, rows = xlsx_rows(upload)
    except Exception:  # noqa: BLE001 - any unreadable upload is one clear message
        report.errors.append(RowError(None, "", _("The file is not a readable Excel (.xlsx) workbook.")))
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


# --- customers ---------------------------------------------------------------------------

CUSTOMER_HEADERS = ["客户名称", "类型", "电话", "邮箱", "省", "市", "区", "地址", "联系人", "经销商编码"]
CUSTOMER_REQUIRED = ["客户名称", "电话"]
CUSTOMER_COLUMNS = {
    "name": "客户名称",
    "kind": "类型",
    "phone": "电话",
    "email": "邮箱",
    "province": "省",
    "city": "市",
    "district": "区",
    "address": "地址",
    "contact_name": "联系人",
    "dealer": "经销商编码",
}
KIND_WORDS = {
    "": CustomerKind.COMPANY,
    "企业": CustomerKind.COMPANY,
    "公司": CustomerKind.COMPANY,
    "单位": CustomerKind.COMPANY,
    "company": CustomerKind.COMPANY,
    "个人": CustomerKind.INDIVIDUAL,
    "individual": CustomerKind.INDIVIDUAL,
}


def customer_template() -> bytes:
    return template_bytes(CUSTOMER_HEADERS, "客户导入")


@transaction.atomic
def customers_import(*, upload, skip_invalid: bool, actor) -> ImportReport:
    """Create the customers of an Excel sheet (R37); duplicates (same name and phone) in the file
    or already on file are row errors."""
    seen: dict[tuple[str, str], int] = {}

    def import_row(number: int, values: dict[str, str]) -> None:
        errors: list[tuple[str, str]] = []
        name = values.get("客户名称", "")
        kind = KIND_WORDS.get(values.get("类型", "").lower())
        if kind is None:
            errors.append(("类型", _("Enter 企业 (company) or 个人 (individual).")))
        dealer = None
        dealer_code = values.get("经销商编码", "")
        if dealer_code:
            dealer = Dealer.objects.filter(code__iexact=dealer_code).first()
            if dealer is None:
                errors.append(("经销商编码", _("No dealer with this code.")))
        phone = values.get("电话", "")
        if name and phone:
            try:
                key = (name, phone_normalize(phone))
            except ValidationError:
                key = None  # reported by the service below
            if key is not None:
                if key in seen:
                    errors.append(
                        ("客户名称", _("Duplicate of row %(row)d in this file.") % {"row": seen[key]})
                    )
                elif Customer.objects.filter(name=key[0], phone=key[1]).exists():
                    errors.append(("客户名称", _("This customer is already on file.")))
                seen.setdefault(key, number)
        try:
            customer_create(
                name=name,
                phone=phone,
                kind=kind or CustomerKind.COMPANY,
                email=values.get("邮箱", ""),
                province=values.get("省", ""),
                city=values.get("市", ""),
                district=values.get("区", ""),
                address=values.get("地址", ""),
                contact_name=values.get("联系人", ""),
                dealer=dealer,
                actor=actor,
            )
        except ValidationError as error:
            errors.extend(validation_errors(error, CUSTOMER_COLUMNS, ""))
        if errors:
            raise RowInvalid(errors)

    return run_import(
        upload=upload, required_headers=CUSTOMER_REQUIRED, skip_invalid=skip_invalid, import_row=import_row
    )
