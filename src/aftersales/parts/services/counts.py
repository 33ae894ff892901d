"""Stock counts (盘点, R32): a count sheet of one warehouse lists what the ledger expects (on hand
when the sheet is made), the counters enter what they find, the sheet is submitted, and HQ
approves it: the differences post as adjustment moves (`transitions.COUNT`). One open count per
warehouse at a time, so no difference is ever posted twice."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.catalog.models import Part
from aftersales.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from aftersales.core.excel import xlsx_rows
from aftersales.core.services import number_next
from aftersales.core.transitions import transition_run

from ..choices import CountState
from ..models import CountEvent, StockBalance, StockCount, StockCountLine, Warehouse
from ..transitions import COUNT, may_write_stock

NUMBER_PREFIX = "PD"  # 盘点
OPEN_STATES = (CountState.DRAFT, CountState.SUBMITTED)


@transaction.atomic
def count_create(
    *, warehouse: Warehouse, actor, parts: Iterable[Part] | None = None, note: str = ""
) -> StockCount:
    """R32: a count sheet (numbered PD…) of `warehouse`: a line for every part it holds, or for the
    `parts` chosen (held or not), each expecting what is on hand now. Refused while another count
    of the warehouse is open (409 `count_open`)."""
    if not may_write_stock(actor, warehouse):
        raise NotPermitted(_("You may not count %(warehouse)s.") % {"warehouse": warehouse.name})
    # The warehouse row locked: two sheets made at once for one warehouse wait for each other.
    Warehouse.objects.select_for_update().filter(pk=warehouse.pk).first()
    open_count = StockCount.objects.filter(warehouse=warehouse, state__in=OPEN_STATES).first()
    if open_count is not None:
        raise TransitionNotAllowed(
            _("%(number)s of this warehouse is still open: finish or cancel it first.")
            % {"number": open_count.number},
            code="count_open",
        )
    on_hand = dict(StockBalance.objects.filter(warehouse=warehouse).values_list("part_id", "on_hand"))
    if parts is None:
        part_ids = sorted(part_id for part_id, quantity in on_hand.items() if quantity > 0)
    else:
        part_ids = sorted({part.pk for part in parts})
    if not part_ids:
        raise DomainError(
            _("There is nothing to count: choose the parts."), code="count_empty", field="parts"
        )
    count = StockCount.objects.create(
        number=number_next(prefix=NUMBER_PREFIX),
        warehouse=warehouse,
        note=(note or "").strip(),
        created_by=actor,
    )
    StockCountLine.objects.bulk_create(
        [
            StockCountLine(count=count, part_id=part_id, expected=on_hand.get(part_id, 0))
            for part_id in part_ids
        ]
    )
    CountEvent.objects.create(
        count=count,
        action="create",
        to_state=count.state,
        note=count.note,
        actor=actor,
        created_at=timezone.now(),
    )
    return count


def _counted(value: Any, field: str) -> int | None:
    """A counted quantity: a whole number of at least 0 (an int, or its digits as text)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise DomainError(_("Enter a whole number of at least 0."), code="invalid_quantity", field=field)


@transaction.atomic
def count_lines_set(*, count_id: int, counted: Mapping[int, Any], actor) -> StockCount:
    """R32: what was found, by line id (None or "" clears a line), on a sheet still being counted;
    all or nothing. A line of another sheet is refused, naming it."""
    count = COUNT.lock(count_id)
    if count.state != CountState.DRAFT:
        raise TransitionNotAllowed(
            _("The count is no longer being counted: its quantities are final."), code="count_not_draft"
        )
    if not may_write_stock(actor, count.warehouse):
        raise NotPermitted(_("You may not count %(warehouse)s.") % {"warehouse": count.warehouse.name})
    lines = {line.pk: line for line in StockCountLine.objects.filter(count=count, pk__in=list(counted))}
    changed = []
    for line_id, value in counted.items():
        line = lines.get(int(line_id))
        if line is None:
            raise DomainError(_("No such line on this count."), code="invalid", field=f"lines.{line_id}")
        line.counted = _counted(value, f"lines.{line_id}")
        changed.append(line)
    StockCountLine.objects.bulk_update(changed, ["counted"])
    StockCount.objects.filter(pk=count.pk).update(updated_at=timezone.now())
    return count


# The count sheet as a spreadsheet (its Excel export, filled in and imported back).
SHEET_HEADERS = (
    gettext_lazy("Part number"),
    gettext_lazy("Part"),
    gettext_lazy("Expected"),
    gettext_lazy("Counted"),
    gettext_lazy("Difference"),
)
# Rows one import reads at most (a sheet lists the parts a warehouse holds).
IMPORT_MAX_ROWS = 5000


def _column(headers: list[str], english: str) -> str | None:
    """The header naming a column, in the reader's language or in English."""
    wanted = {english.casefold(), _(english).casefold()}
    return next((header for header in headers if header.strip().casefold() in wanted), None)


def count_sheet_import(*, count_id: int, upload: Any, actor) -> int:
    """R32: counted quantities from the sheet's Excel export, filled in: its rows by part number,
    "Counted" empty leaves a line as it is; all or nothing, a row naming a part not on the sheet
    or a quantity that is not a whole number is refused naming its row. Returns the lines set."""
    try:
        headers, rows = xlsx_rows(upload)
    except Exception as error:  # noqa: BLE001 - any unreadable upload is the same refusal
        raise DomainError(
            _("This is not an Excel workbook (.xlsx)."), code="import_file_invalid", field="file"
        ) from error
    number_column, counted_column = _column(headers, "Part number"), _column(headers, "Counted")
    if number_column is None or counted_column is None:
        raise DomainError(
            _("The sheet needs the columns “%(number)s” and “%(counted)s” (export the count to get it).")
            % {"number": _("Part number"), "counted": _("Counted")},
            code="import_file_invalid",
            field="file",
        )
    if len(rows) > IMPORT_MAX_ROWS:
        raise DomainError(_("The sheet has too many rows."), code="import_file_invalid", field="file")
    lines = {
        number.upper(): pk
        for pk, number in StockCountLine.objects.filter(count_id=count_id).values_list("pk", "part__number")
    }
    counted: dict[int, Any] = {}
    for row_number, row in rows:
        value = row.get(counted_column)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        number = str(row.get(number_column) or "").strip().upper()
        if number not in lines:
            raise DomainError(
                _("Row %(row)s: %(number)s is not on this count sheet.")
                % {"row": row_number, "number": number},
                code="import_row_invalid",
                field="file",
            )
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        try:
            counted[lines[number]] = _counted(value, "file")
        except DomainError:
            raise DomainError(
                _("Row %(row)s: enter a whole number of at least 0.") % {"row": row_number},
                code="invalid_quantity",
                field="file",
            ) from None
    if counted:
        count_lines_set(count_id=count_id, counted=counted, actor=actor)
    return len(counted)


def count_transition(*, count_id: int, action: str, actor, **inputs) -> StockCount:
    """R32: submit (every line counted), approve (posts the differences), send back for a
    recount or cancel (with the reason). Row locked, refused steps change nothing, each step
    recorded."""
    return transition_run(COUNT, pk=count_id, action=action, actor=actor, inputs=inputs)
