"""Warranty decisions on a work order (R36): an exclusion charges a line the warranty covers (or
the whole repair) to the customer for a recorded reason; a supervisor's override sets the date
cover counts from or who pays a line, with the reason; a proof of purchase (the invoice's photo)
proves the purchase date. All are kept as they were written and on the timeline;
`warranty.work_order_entitlement` applies them."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.catalog.choices import FeeKind
from aftersales.devices.choices import Payer
from aftersales.devices.entitlement import line_label
from aftersales.workorders.events import event_record
from aftersales.workorders.models import WorkOrder
from aftersales.workorders.services import attachment_add

from ..choices import ExclusionReason
from ..events import WARRANTY
from ..models import PurchaseProof, WarrantyExclusion, WarrantyOverride
from ..transitions import (
    ATTACH_PURCHASE_PROOF,
    EXCLUDE_FROM_WARRANTY,
    OVERRIDE_WARRANTY,
    permission_check,
    required_text,
    work_order_open_check,
)
from ..transitions import WORKORDER as WORK_ORDER_MACHINE


def _line_label(kind: str, part_category: str) -> str:
    return str(line_label(kind, part_category)) if kind else _("every line")


def _line_check(kind: str, part_category: str) -> None:
    if part_category and kind != FeeKind.PART:
        raise ValidationError({"part_category": [_("Only parts have a category.")]})


@transaction.atomic
def warranty_exclusion_record(
    *, work_order: WorkOrder, actor, reason: str, kind: str = "", part_category: str = "", note: str = ""
) -> WarrantyExclusion:
    """R36: the line (or every line, `kind` empty) is charged to the customer although the
    warranty covers it; "other" needs a note saying what happened."""
    work_order_open_check(work_order)
    permission_check(
        WORK_ORDER_MACHINE,
        EXCLUDE_FROM_WARRANTY,
        actor,
        work_order,
        _("You may not record warranty exclusions on this work order."),
    )
    _line_check(kind, part_category)
    note = (note or "").strip()
    if reason == ExclusionReason.OTHER:
        note = required_text(note, "note", _("Say why the warranty does not apply."))
    exclusion = WarrantyExclusion(
        work_order=work_order,
        reason=reason,
        kind=kind,
        part_category=part_category,
        note=note,
        recorded_by=actor,
    )
    exclusion.full_clean()
    exclusion.save()
    event_record(
        work_order,
        kind=WARRANTY,
        actor=actor,
        action="warranty_exclude",
        params={"reason": ExclusionReason(reason).label, "line": _line_label(kind, part_category)},
        note=note,
    )
    return exclusion


@transaction.atomic
def warranty_override_record(
    *,
    work_order: WorkOrder,
    actor,
    reason: str,
    start_on: date | None = None,
    kind: str = "",
    part_category: str = "",
    payer: str = "",
) -> WarrantyOverride:
    """R36: a supervisor sets the date cover counts from (e.g. from the invoice the customer
    showed) or who pays one line; the reason is required and kept with the decision."""
    work_order_open_check(work_order)
    permission_check(
        WORK_ORDER_MACHINE,
        OVERRIDE_WARRANTY,
        actor,
        work_order,
        _("Only a supervisor may override the warranty."),
    )
    reason = required_text(reason, "reason", _("Give the reason for the decision."))
    _line_check(kind, part_category)
    if bool(kind) != bool(payer):
        field = "payer" if kind else "kind"
        raise ValidationError({field: [_("Name both the line and who pays it.")]})
    if start_on is None and not (kind and payer):
        raise ValidationError(
            {"start_on": [_("Set the date the warranty counts from, or a line and who pays it.")]}
        )
    override = WarrantyOverride(
        work_order=work_order,
        start_on=start_on,
        kind=kind,
        part_category=part_category,
        payer=payer,
        reason=reason,
        recorded_by=actor,
    )
    override.full_clean()
    override.save()
    if start_on is not None:
        event_record(
            work_order,
            kind=WARRANTY,
            actor=actor,
            action="warranty_start",
            params={"start": f"{start_on:%Y-%m-%d}"},
            note=reason,
        )
    if payer:
        event_record(
            work_order,
            kind=WARRANTY,
            actor=actor,
            action="warranty_payer",
            params={"line": _line_label(kind, part_category), "payer": Payer(payer).label},
            note=reason,
        )
    return override


@transaction.atomic
def purchase_proof_record(
    *,
    work_order: WorkOrder,
    actor,
    upload: UploadedFile,
    purchased_on: date,
    invoice_number: str = "",
    seller: str = "",
) -> PurchaseProof:
    """R36: the invoice (an image or a PDF) the customer shows, kept with the work order's
    attachments, and the purchase date read off it, from which cover then counts when it runs
    from the purchase. Nothing is kept when the file or the date is refused."""
    work_order_open_check(work_order)
    permission_check(
        WORK_ORDER_MACHINE,
        ATTACH_PURCHASE_PROOF,
        actor,
        work_order,
        _("You may not attach a proof of purchase to this work order."),
    )
    if purchased_on > timezone.localdate():
        raise ValidationError({"purchased_on": [_("The purchase date cannot be in the future.")]})
    attachment = attachment_add(
        work_order=work_order, actor=actor, upload=upload, description=_("Proof of purchase")
    )
    proof = PurchaseProof(
        work_order=work_order,
        attachment=attachment,
        purchased_on=purchased_on,
        invoice_number=(invoice_number or "").strip(),
        seller=(seller or "").strip(),
        recorded_by=actor,
    )
    proof.full_clean()
    proof.save()
    event_record(
        work_order,
        kind=WARRANTY,
        actor=actor,
        action="warranty_proof",
        params={"date": f"{purchased_on:%Y-%m-%d}"},
        note=" · ".join(part for part in (proof.invoice_number, proof.seller) if part),
    )
    return proof
