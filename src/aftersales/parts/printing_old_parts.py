"""Printed old-part labels and the printed claim (R29, R31): one template each for the print view
and its PDF (core.pdf), the page's and the API's, and the claim's lines as a spreadsheet
(core.excel)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core.excel import Sheet
from aftersales.core.lists import selected_ids
from aftersales.core.money import in_words
from aftersales.core.pdf import PrintedForm, printable_record

from .filtersets_old_parts import OldPartLabelFilterSet
from .models import ClaimLine, OldPart, OldPartShipment, ReimbursementClaim
from .selectors_old_parts import (
    claim_get,
    may_read_claims,
    may_read_old_parts,
    may_read_shipments,
    old_part_get,
    old_part_scope,
    shipment_get,
    shipment_old_parts,
)

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


def old_part_label_form(user: Any, old_part_id: int) -> PrintedForm:
    """The label of an old part the user may see (`labels_context`): the print view's and the
    API's. 403 for a role the old-part pages are not for; 404 for an old part out of the user's
    scope (R37)."""
    old_part = printable_record(
        user, old_part_id, allowed=may_read_old_parts, get=old_part_get, missing=OldPart.DoesNotExist
    )
    context = labels_context([old_part], back_url=reverse("parts:old_part_detail", args=[old_part.pk]))
    return PrintedForm(LABEL_TEMPLATE, context, name=f"{context['title']}-{old_part.number}")


def old_part_labels_form(request: HttpRequest) -> PrintedForm:
    """A sheet of labels (at most LABELS_LIMIT, by id) of the old parts in the user's scope that
    the query names: `ids` (repeated or comma-separated; the other filters are then not applied),
    or else the list's filters (`OldPartLabelFilterSet`), e.g. a page of the due list. The print
    view's and the API's; 403 for a role the old-part pages are not for."""
    if not may_read_old_parts(request.user):
        raise PermissionDenied
    rows = old_part_scope(request.user)
    ids = selected_ids(request.GET)
    if ids:
        rows = rows.filter(pk__in=ids)
    else:
        rows = OldPartLabelFilterSet(request.GET, queryset=rows, request=request).qs
    old_parts = list(rows.order_by("pk")[:LABELS_LIMIT])
    context = labels_context(old_parts, back_url=reverse("parts:old_part_list"))
    return PrintedForm(LABEL_TEMPLATE, context, name=str(context["title"]))


def shipment_labels_form(user: Any, shipment_id: int) -> PrintedForm:
    """The labels of every old part in a shipment the user may see: the print view's and the
    API's. 403 for a role the shipment pages are not for; 404 for a shipment out of the user's
    scope (R37)."""
    shipment = printable_record(
        user, shipment_id, allowed=may_read_shipments, get=shipment_get, missing=OldPartShipment.DoesNotExist
    )
    context = labels_context(
        shipment_old_parts(shipment),
        back_url=reverse("parts:old_part_shipment_detail", args=[shipment.pk]),
        number=shipment.number,
    )
    return PrintedForm(LABEL_TEMPLATE, context, name=f"{context['title']}-{shipment.number}")


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


def claim_sheet(user: Any, claim_id: int) -> Sheet:
    """The lines of a claim the user may see as a workbook (`claim_headers`, `claim_rows`): the
    claim page's export and the API's. 403 for a role the claim pages are not for; 404 for a claim
    out of the user's scope (R37)."""
    claim = printable_record(
        user, claim_id, allowed=may_read_claims, get=claim_get, missing=ReimbursementClaim.DoesNotExist
    )
    return Sheet(
        resource=f"claim-{claim.number}",
        title=claim.number,
        headers=claim_headers(),
        rows=claim_rows(claim.lines.all()),
    )
