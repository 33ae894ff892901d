"""Printed old-part labels and the printed claim (R29, R31): one template each for the print view
and its PDF (core.pdf), and the claim's lines as a spreadsheet (core.excel)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core.money import in_words
from aftersales.core.pdf import PrintedForm, printable_record

from .models import ClaimLine, OldPart, ReimbursementClaim
from .selectors_old_parts import claim_get, may_read_claims

LABEL_TEMPLATE = "parts/old_parts/labels.html"
CLAIM_TEMPLATE = "parts/old_parts/claim_print.html"
# Labels printed at once at most (a page of the list, a shipment).
LABELS_LIMIT = 200


def labels_context(old_parts: Iterable[OldPart], *, back_url: str, number: str = "") -> dict[str, Any]:
    """R29: a label per old part: its number, part, quantity, serial, work order, point and the
    deadline, with a QR code that opens its record."""
    rows = list(old_parts)
    labels = [
        {"old_part": old_part, "url": reverse("parts:old_part_detail", args=[old_part.pk])}
        for old_part in rows
    ]
    return {
        "title": _("Old-part labels"),
        "number": number or (rows[0].number if len(rows) == 1 else ""),
        "record_url": "",
        "back_url": back_url,
        "labels": labels,
    }


def claim_context(claim: ReimbursementClaim, lines: list[ClaimLine]) -> dict[str, Any]:
    """R31: 保修期内配件费用报销单: the dealer, the month, each old part claimed with its cost and
    HQ's decision, the totals (the approved one also in words)."""
    record_url = reverse("parts:claim_detail", args=[claim.pk])
    return {
        "title": _("Warranty parts reimbursement claim"),
        "number": claim.number,
        "record_url": record_url,
        "back_url": record_url,
        "claim": claim,
        "lines": lines,
        "approved_words": in_words(claim.approved_total),
        "claimed_words": in_words(claim.claimed_total),
    }


def claim_file_name(claim: ReimbursementClaim) -> str:
    return f"{_('Reimbursement claim')}-{claim.number}"


def claim_form(user: Any, claim_id: int) -> PrintedForm:
    """保修期内配件费用报销单 of a claim the user may see (`claim_context`): the print view's and the
    API's. 403 for a role the claim pages are not for; 404 for a claim out of the user's scope
    (R37)."""
    claim = printable_record(
        user, claim_id, allowed=may_read_claims, get=claim_get, missing=ReimbursementClaim.DoesNotExist
    )
    return PrintedForm(
        CLAIM_TEMPLATE, claim_context(claim, list(claim.lines.all())), name=claim_file_name(claim)
    )


CLAIM_HEADERS = (
    "#",
    "Old part",
    "Work order",
    "Service point",
    "Part number",
    "Part",
    "Serial number",
    "Replaced on",
    "Inspection result",
    "Quantity",
    "Unit cost",
    "Amount",
    "Decision",
    "Reason",
)


def claim_headers() -> list[str]:
    labels = {
        "Old part": _("Old part"),
        "Work order": _("Work order"),
        "Service point": _("Service point"),
        "Part number": _("Part number"),
        "Part": _("Part"),
        "Serial number": _("Serial number"),
        "Replaced on": _("Replaced on"),
        "Inspection result": _("Inspection result"),
        "Quantity": _("Quantity"),
        "Unit cost": _("Unit cost"),
        "Amount": _("Amount"),
        "Decision": _("Decision"),
        "Reason": _("Reason"),
    }
    return [labels.get(header, header) for header in CLAIM_HEADERS]


def claim_rows(lines: Iterable[ClaimLine]) -> Iterator[list[Any]]:
    """The claim's lines as spreadsheet rows (amounts as numbers)."""
    for index, line in enumerate(lines, start=1):
        old_part = line.old_part
        yield [
            index,
            old_part.number,
            old_part.work_order.number,
            old_part.service_point.name,
            old_part.part.number,
            old_part.part.name,
            old_part.serial_number,
            timezone.localtime(old_part.replaced_at).date(),
            old_part.get_inspection_result_display(),
            line.quantity,
            line.unit_cost,
            line.amount,
            line.get_decision_display(),
            line.reason,
        ]
