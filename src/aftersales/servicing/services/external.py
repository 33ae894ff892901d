"""External repair (R14): a depot-repair device sent to a vendor, only in warranty (to the maker)
or for a fault beyond local ability, after the vendor agreed, with the pickup voucher kept;
followed up on a schedule until it is back, re-checked, done, or re-sent to another vendor when
unrepairable. While the device is away its work order waits for the vendor (SLA paused) and
resumes once it is back."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.core.errors import TransitionNotAllowed
from aftersales.core.phones import phone_display
from aftersales.core.transitions import TransitionRun, transition_run
from aftersales.notifications.choices import Channel as MessageChannel
from aftersales.notifications.services import message_queue
from aftersales.workorders.choices import State, WaitingReason
from aftersales.workorders.events import event_record
from aftersales.workorders.models import WorkOrder
from aftersales.workorders.services import attachment_add, workorder_transition

from ..choices import ExternalState, FollowUpKind, SendOutReason, WarrantyState
from ..events import REPAIR
from ..models import DepotRepair, ExternalRepair, ExternalRepairFollowUp, RepairLogEntry, Vendor
from ..transitions import DEPOT, EXTERNAL, FOLLOW_UP_VENDOR, permission_check, required_text
from ..warranty import warranty_check
from .plans import company_language

# --- sending out ------------------------------------------------------------------------------------


def _send_out_check(
    depot: DepotRepair, *, vendor: Vendor | None, reason: str, tried: set[int]
) -> tuple[str, dict[str, list[str]]]:
    """The warranty state and every objection to this send-out, as field errors."""
    errors: dict[str, list[str]] = {}
    line = depot.work_order.product_line
    if vendor is None:
        errors["vendor"] = [_("Choose the vendor.")]
    elif not vendor.is_active:
        errors["vendor"] = [_("This vendor is no longer active.")]
    elif vendor.pk in tried:
        errors["vendor"] = [_("The device was already at this vendor; choose another one.")]
    elif (
        line is not None
        and vendor.product_lines.exists()
        and not vendor.product_lines.filter(pk=line.pk).exists()
    ):
        errors["vendor"] = [_("%(vendor)s does not repair %(line)s.") % {"vendor": vendor, "line": line}]
    status = warranty_check(depot.work_order)
    if reason not in SendOutReason.values:
        errors["reason"] = [_("Say why the device goes out: in warranty, or beyond local ability.")]
    elif reason == SendOutReason.IN_WARRANTY and status.state != WarrantyState.IN:
        errors["reason"] = [
            _(
                "Only in-warranty devices go out for that reason, and this one is “%(warranty)s” "
                "(%(why)s). Send it out as a fault beyond local ability, or correct the purchase date."
            )
            % {"warranty": status.label, "why": status.reason}
        ]
    return status.state, errors


def _voucher_photo(work_order: WorkOrder, actor, upload: UploadedFile, description: str):
    """The voucher photo through the work order's attachment service; its errors land on the field."""
    try:
        return attachment_add(work_order=work_order, actor=actor, upload=upload, description=description)
    except ValidationError as error:
        raise ValidationError({"voucher_photo": error.messages}) from error


def _send_out(depot: DepotRepair, *, actor, inputs: dict[str, Any], previous: ExternalRepair | None) -> None:
    """R14: the send-out (every objection at once as field errors), on the timeline; a work order
    in service waits for the vendor while the device is away."""
    vendor: Vendor | None = inputs.get("vendor")
    reason = inputs.get("reason") or ""
    vendor_contact = (inputs.get("vendor_contact") or "").strip()
    voucher_number = (inputs.get("voucher_number") or "").strip()
    tried = set(depot.external_repairs.values_list("vendor_id", flat=True))
    warranty, errors = _send_out_check(depot, vendor=vendor, reason=reason, tried=tried)
    for field, value, message in (
        ("vendor_contact", vendor_contact, _("Who at the vendor agreed to take the device?")),
        ("voucher_number", voucher_number, _("Enter the number of the pickup voucher.")),
    ):
        if not value:
            errors[field] = [message]
    if errors:
        raise ValidationError(errors)
    assert vendor is not None
    work_order = depot.work_order
    now = timezone.now()
    external = ExternalRepair(
        work_order=work_order,
        depot_repair=depot,
        vendor=vendor,
        previous=previous,
        reason=reason,
        warranty=warranty,
        vendor_contact=vendor_contact,
        voucher_number=voucher_number,
        sent_by=actor,
        sent_at=now,
        expected_back_on=timezone.localdate(now) + timedelta(days=vendor.lead_time_days),
    )
    if inputs.get("voucher_photo") is not None:
        external.voucher_photo = _voucher_photo(
            work_order,
            actor,
            inputs["voucher_photo"],
            _("Pickup voucher %(voucher)s, %(vendor)s") % {"voucher": voucher_number, "vendor": vendor},
        )
    external.full_clean()
    external.save()
    event_record(
        work_order,
        kind=REPAIR,
        actor=actor,
        action="external_send",
        params={
            "record": str(external),
            "vendor": str(vendor),
            "reason": SendOutReason(reason).label,
            "voucher": external.voucher_number,
            "date": external.expected_back_on,
        },
    )
    current = WorkOrder.objects.get(pk=work_order.pk)
    if current.state == State.IN_SERVICE:
        workorder_transition(
            work_order_id=current.pk, action="wait", actor=actor, waiting_reason=WaitingReason.VENDOR
        )


@DEPOT.register_hook
def _sent_out(run: TransitionRun) -> None:
    """R13 → R14: "send_out" creates the external repair."""
    if run.transition.name == "send_out":
        _send_out(run.obj, actor=run.actor, inputs=run.inputs, previous=None)


@EXTERNAL.register_hook
def _resent(run: TransitionRun) -> None:
    """R14: "resend" creates a new send-out of the same depot repair, linked to this one."""
    if run.transition.name == "resend":
        depot = DEPOT.lock(run.obj.depot_repair_id)
        _send_out(depot, actor=run.actor, inputs=run.inputs, previous=run.obj)


def external_repair_send(
    *,
    repair_id: int,
    actor,
    vendor: Vendor | None,
    reason: str,
    vendor_contact: str,
    voucher_number: str,
    voucher_photo: UploadedFile | None = None,
) -> ExternalRepair:
    """R13 → R14: the decision to send the device out: only in warranty (to the maker) or beyond
    local ability, which one recorded; the vendor contacted first; the pickup voucher kept.
    Returns the new send-out."""
    inputs = {
        "vendor": vendor,
        "reason": reason,
        "vendor_contact": vendor_contact,
        "voucher_number": voucher_number,
        "voucher_photo": voucher_photo,
    }
    with transaction.atomic():
        depot = transition_run(DEPOT, pk=repair_id, action="send_out", actor=actor, inputs=inputs)
        return depot.external_repairs.order_by("-pk").first()


def external_repair_resend(
    *,
    external_repair_id: int,
    actor,
    vendor: Vendor | None,
    reason: str,
    vendor_contact: str,
    voucher_number: str,
    voucher_photo: UploadedFile | None = None,
) -> ExternalRepair:
    """R14: an unrepairable device goes to another vendor (never one it was already at): a new
    send-out linked to this one, which is returned."""
    inputs = {
        "vendor": vendor,
        "reason": reason,
        "vendor_contact": vendor_contact,
        "voucher_number": voucher_number,
        "voucher_photo": voucher_photo,
    }
    with transaction.atomic():
        transition_run(EXTERNAL, pk=external_repair_id, action="resend", actor=actor, inputs=inputs)
        return ExternalRepair.objects.get(previous_id=external_repair_id)


# --- back from the vendor ---------------------------------------------------------------------------


def external_repair_receive(
    *, external_repair_id: int, actor, vendor_report: str = "", cost: Decimal | str | None = None
) -> ExternalRepair:
    """R14: the device is back from the vendor with its report (and the cost, CNY); the work order
    resumes if it was waiting for the vendor."""
    return transition_run(
        EXTERNAL,
        pk=external_repair_id,
        action="receive",
        actor=actor,
        inputs={"vendor_report": vendor_report, "cost": cost},
    )


def external_repair_recheck(*, external_repair_id: int, actor, result: str) -> ExternalRepair:
    """R14: the returned device is re-checked before it goes on."""
    return transition_run(
        EXTERNAL, pk=external_repair_id, action="recheck", actor=actor, inputs={"result": result}
    )


def external_repair_unrepairable(
    *, external_repair_id: int, actor, reason: str, cost: Decimal | str | None = None
) -> ExternalRepair:
    """R14: the vendor could not repair it (or it failed the re-check); it can be re-sent to
    another vendor, or taken back unrepaired ("done")."""
    return transition_run(
        EXTERNAL,
        pk=external_repair_id,
        action="unrepairable",
        actor=actor,
        inputs={"reason": reason, "cost": cost},
    )


def external_repair_complete(
    *, external_repair_id: int, actor, cost: Decimal | str | None = None
) -> ExternalRepair:
    """R14 → R13: the send-out is over; the device is back in the depot repair (a line in its
    process record says how it came back), which goes on to its own re-check and hand-back."""
    return transition_run(
        EXTERNAL, pk=external_repair_id, action="complete", actor=actor, inputs={"cost": cost}
    )


@EXTERNAL.register_hook
def _work_order_resumes(run: TransitionRun) -> None:
    """R14: the device is back ("receive", "unrepairable"): a work order waiting for the vendor
    resumes, unless another of its devices is still out."""
    if run.transition.name not in ("receive", "unrepairable"):
        return
    external = run.obj
    current = WorkOrder.objects.get(pk=external.work_order_id)
    still_out = current.external_repairs.filter(state=ExternalState.SENT).exclude(pk=external.pk).exists()
    if current.state == State.WAITING and current.waiting_reason == WaitingReason.VENDOR and not still_out:
        workorder_transition(work_order_id=current.pk, action="resume", actor=run.actor)


@EXTERNAL.register_hook
def _back_in_the_depot(run: TransitionRun) -> None:
    """R14 → R13: "complete" writes how the device came back into the depot repair's process record,
    and the depot repair goes on repairing."""
    if run.transition.name != "complete":
        return
    external = run.obj
    values = {
        "vendor": external.vendor,
        "report": external.vendor_report or "—",
        "reason": external.unrepairable_reason,
    }
    RepairLogEntry.objects.create(
        depot_repair_id=external.depot_repair_id,
        performed_at=run.now,
        performed_by=run.actor,
        work_done=(
            _("Back from %(vendor)s, repaired: %(report)s") % values
            if run.from_state == ExternalState.RECHECKED
            else _("Back from %(vendor)s, not repaired: %(reason)s") % values
        ),
        measurements=external.recheck_result,
    )
    transition_run(DEPOT, pk=external.depot_repair_id, action="vendor_return", actor=run.actor)


# --- follow-ups -------------------------------------------------------------------------------------


def follow_up_interval() -> timedelta:
    """How often a device at a vendor is followed up (default every 2 days)."""
    return timedelta(days=settings.SERVICING_FOLLOW_UP_DAYS)


@transaction.atomic
def external_repair_follow_up_log(*, external_repair_id: int, actor, note: str) -> ExternalRepairFollowUp:
    """R14: staff record a contact with the vendor about a device still there."""
    external = EXTERNAL.lock(external_repair_id)
    permission_check(
        EXTERNAL,
        FOLLOW_UP_VENDOR,
        actor,
        external,
        _("You may not follow up the vendors of this work order."),
    )
    if external.state != ExternalState.SENT:
        raise TransitionNotAllowed(_("Follow-ups are for devices still at the vendor."), code="not_at_vendor")
    sequence = external.follow_ups.filter(kind=FollowUpKind.CONTACT).count() + 1
    follow_up = ExternalRepairFollowUp.objects.create(
        external_repair=external,
        kind=FollowUpKind.CONTACT,
        key=f"ext:{external.pk}:contact:{sequence}",
        sequence=sequence,
        note=required_text(note, "note", _("What did the vendor say?")),
        actor=actor,
    )
    event_record(
        external.work_order,
        kind=REPAIR,
        actor=actor,
        action="external_follow_up",
        params={"record": str(external), "vendor": str(external.vendor)},
        note=follow_up.note,
    )
    return follow_up


@transaction.atomic
def external_repair_remind(
    *, external_repair_id: int, now: datetime | None = None
) -> ExternalRepairFollowUp | None:
    """R14: the scheduled follow-up due now, written once (key `ext:<id>:reminder:<n>`, n counting
    intervals since sending), on the timeline and to the sender by SMS. None when the device is
    back, nothing is due yet, or this reminder was already written (idempotent)."""
    now = now or timezone.now()
    external = EXTERNAL.lock(external_repair_id)
    sequence = int((now - external.sent_at) / follow_up_interval())
    if external.state != ExternalState.SENT or sequence < 1:
        return None
    key = f"ext:{external.pk}:reminder:{sequence}"
    if ExternalRepairFollowUp.objects.filter(key=key).exists():
        return None
    vendor = external.vendor
    overdue = timezone.localtime(now).date() > external.expected_back_on
    values = {
        "n": sequence,
        "number": external.work_order.number,
        "vendor": vendor,
        "contact": vendor.contact_name,
        "phone": vendor.phone,
        "voucher": external.voucher_number,
        "date": f"{external.expected_back_on:%Y-%m-%d}",
    }
    with company_language():
        note = (
            _(
                "Follow-up %(n)s for %(number)s: ask %(vendor)s (%(contact)s, %(phone)s) about voucher "
                "%(voucher)s, expected back on %(date)s."
            )
            % values
        )
        if overdue:
            note = " ".join((note, _("Overdue.")))
        subject = _("Follow up with the repair vendor")
    follow_up = ExternalRepairFollowUp.objects.create(
        external_repair=external, kind=FollowUpKind.REMINDER, key=key, sequence=sequence, note=note
    )
    event_record(
        external.work_order,
        kind=REPAIR,
        action="external_reminder",
        params={
            **values,
            "record": str(external),
            "vendor": str(vendor),
            "overdue": gettext_lazy("Overdue.") if overdue else "",
        },
    )
    if external.sent_by.phone:
        message_queue(
            channel=MessageChannel.SMS,
            recipient=phone_display(external.sent_by.phone),
            subject=subject,
            body=note,
            key=key,
        )
    return follow_up


def external_repairs_remind_due(*, now: datetime | None = None) -> int:
    """The periodic job's work: every device at a vendor for at least one interval gets its due
    reminder (each in its own transaction, so one failure does not hold back the others)."""
    now = now or timezone.now()
    ids = list(
        ExternalRepair.objects.filter(state=ExternalState.SENT, sent_at__lte=now - follow_up_interval())
        .order_by("sent_at")
        .values_list("pk", flat=True)
    )
    return sum(1 for pk in ids if external_repair_remind(external_repair_id=pk, now=now) is not None)
