"""Writes of depot repairs (R13) and external repairs (R14), the services of `services.py`'s
kind for the repair lifecycles: the row locked, the state machine checked, a REPAIR event on the
work order's timeline. While a device is at a vendor, a work order that was in service waits
with reason "vendor" (its SLA clocks pause) and resumes when the device is back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core.errors import DomainError, TransitionNotAllowed
from aftersales.core.phones import phone_display
from aftersales.core.services import changes_record, number_next, snapshot
from aftersales.notifications.choices import Channel as MessageChannel
from aftersales.notifications.services import message_queue
from aftersales.workorders.choices import State, WaitingReason
from aftersales.workorders.events import event_record
from aftersales.workorders.models import Attachment, WorkOrder
from aftersales.workorders.services import attachment_add, workorder_transition

from .choices import DepotState, ExternalState, FollowUpKind, SendOutReason, WarrantyState
from .events import REPAIR
from .models import DepotRepair, ExternalRepair, ExternalRepairFollowUp, RepairLogEntry, Vendor
from .services import (
    company_language,
    locked,
    money,
    require_open,
    require_permission,
    required_text,
    transition_begin,
    transition_finish,
)
from .transitions import DEPOT, EXTERNAL
from .warranty import warranty_check

# States in which the process record takes entries.
LOG_STATES = frozenset({DepotState.INSPECTED, DepotState.REPAIRING, DepotState.EXTERNAL})


def _finish(obj, transition, actor, note: str = "") -> None:
    prefix = "depot" if isinstance(obj, DepotRepair) else "external"
    transition_finish(obj, transition, actor, kind=REPAIR, prefix=prefix, note=note)


def _attach(
    work_order: WorkOrder, actor, upload: UploadedFile, *, field: str, description: str
) -> Attachment:
    """A photo through the work order's attachment service; its errors land on `field`."""
    try:
        return attachment_add(work_order=work_order, actor=actor, upload=upload, description=description)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error


# --- depot repair (R13) ------------------------------------------------------------------------


@transaction.atomic
def depot_repair_receive(*, work_order: WorkOrder, actor, accessories: str = "") -> DepotRepair:
    """R13: the device is taken in at the service point with what came with it; a repair order
    (维修服务单) is numbered. One open depot repair per work order."""
    require_open(work_order)
    require_permission(DEPOT["hand_back"], actor, work_order)
    if work_order.depot_repairs.exclude(state=DepotState.HANDED_BACK).exists():
        raise DomainError(_("The device of this work order is already in for repair."), code="open_repair")
    repair = DepotRepair(
        work_order=work_order,
        number=number_next(prefix="DR"),
        accessories=(accessories or "").strip(),
        received_by=actor,
        received_at=timezone.now(),
    )
    repair.full_clean()
    repair.save()
    event_record(
        work_order,
        kind=REPAIR,
        actor=actor,
        action="depot_receive",
        note=" · ".join(part for part in (str(repair), repair.accessories) if part),
    )
    return repair


@transaction.atomic
def depot_repair_inspect(
    *,
    repair_id: int,
    actor,
    appearance: str,
    configuration: str,
    fault_found: str = "",
    photos: Sequence[UploadedFile] = (),
) -> DepotRepair:
    """R13: intake inspection of appearance and configuration, with photos kept as the work
    order's attachments; the warranty check is recorded as it stands today."""
    repair = locked(DepotRepair, repair_id)
    transition = transition_begin(repair, DEPOT, "inspect", actor)
    errors: dict[str, list[str]] = {}
    for field, value, message in (
        ("appearance", appearance, _("Describe the appearance.")),
        ("configuration", configuration, _("Describe the configuration.")),
    ):
        try:
            setattr(repair, field, required_text(value, field, message))
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    repair.fault_found = (fault_found or "").strip()
    for upload in photos:
        repair.photos.add(
            _attach(
                repair.work_order,
                actor,
                upload,
                field="photos",
                description=_("Intake inspection photo, %(number)s") % {"number": repair.number},
            )
        )
    status = warranty_check(repair.work_order)
    repair.warranty, repair.warranty_until = status.state, status.until
    repair.inspected_at, repair.inspected_by = timezone.now(), actor
    _finish(repair, transition, actor, note=f"{status.label}. {status.reason}")
    return repair


@transaction.atomic
def depot_repair_start(*, repair_id: int, actor) -> DepotRepair:
    """R13, R8: the repair is work, so it starts only on a work order in service (which in turn
    starts only once the customer confirmed the service plan)."""
    repair = locked(DepotRepair, repair_id)
    transition = transition_begin(repair, DEPOT, "start_repair", actor)
    if repair.work_order.state != State.IN_SERVICE:
        raise TransitionNotAllowed(
            _(
                "Start the service on the work order first (work begins once the customer has "
                "confirmed the service plan)."
            ),
            code="work_order_not_in_service",
        )
    repair.repair_started_at, repair.repaired_by = timezone.now(), actor
    _finish(repair, transition, actor)
    return repair


@transaction.atomic
def depot_repair_log(
    *, repair_id: int, actor, work_done: str, measurements: str = "", performed_at: datetime | None = None
) -> RepairLogEntry:
    """R13: one entry of the product repair process record: when, who, what was done and measured."""
    repair = locked(DepotRepair, repair_id)
    require_permission(DEPOT["recheck"], actor, repair.work_order)
    if repair.state not in LOG_STATES:
        raise TransitionNotAllowed(
            _("The process record takes entries between the inspection and the re-check."),
            code="not_repairing",
        )
    now = timezone.now()
    if performed_at is not None and performed_at > now + timedelta(minutes=5):
        raise ValidationError({"performed_at": [_("The time cannot be in the future.")]})
    entry = RepairLogEntry(
        depot_repair=repair,
        performed_at=performed_at or now,
        performed_by=actor,
        work_done=required_text(work_done, "work_done", _("Describe what was done.")),
        measurements=(measurements or "").strip(),
    )
    entry.full_clean()
    entry.save()
    note = " · ".join(part for part in (entry.work_done, entry.measurements) if part)
    event_record(repair.work_order, kind=REPAIR, actor=actor, action="depot_log", note=note)
    return entry


@transaction.atomic
def depot_repair_recheck(*, repair_id: int, actor, result: str) -> DepotRepair:
    """R13: the engineer's own re-check before the device is handed back."""
    repair = locked(DepotRepair, repair_id)
    transition = transition_begin(repair, DEPOT, "recheck", actor)
    repair.recheck_result = required_text(result, "result", _("Describe the re-check."))
    repair.rechecked_at, repair.rechecked_by = timezone.now(), actor
    _finish(repair, transition, actor, note=repair.recheck_result)
    return repair


@transaction.atomic
def depot_repair_hand_back(
    *, repair_id: int, actor, handed_back_to: str, confirmation_method: str
) -> DepotRepair:
    """R13: the customer takes the device back and confirms it (who, how); this closes the repair."""
    repair = locked(DepotRepair, repair_id)
    transition = transition_begin(repair, DEPOT, "hand_back", actor)
    repair.handed_back_to = required_text(handed_back_to, "handed_back_to", _("Who took the device back?"))
    if not confirmation_method:
        raise ValidationError({"confirmation_method": [_("How did the customer confirm?")]})
    repair.handover_method = confirmation_method
    repair.handed_back_at = timezone.now()
    _finish(
        repair, transition, actor, note=f"{repair.handed_back_to} · {repair.get_handover_method_display()}"
    )
    return repair


# --- external repair (R14) ---------------------------------------------------------------------


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


def _send_out(
    depot: DepotRepair,
    *,
    actor,
    vendor: Vendor | None,
    reason: str,
    vendor_contact: str,
    voucher_number: str,
    voucher_photo: UploadedFile | None,
    previous: ExternalRepair | None = None,
) -> ExternalRepair:
    tried = set(depot.external_repairs.values_list("vendor_id", flat=True))
    warranty, errors = _send_out_check(depot, vendor=vendor, reason=reason, tried=tried)
    for field, value, message in (
        ("vendor_contact", vendor_contact, _("Who at the vendor agreed to take the device?")),
        ("voucher_number", voucher_number, _("Enter the number of the pickup voucher.")),
    ):
        if not (value or "").strip():
            errors[field] = [message]
    if errors:
        raise ValidationError(errors)
    assert vendor is not None
    work_order = depot.work_order
    external = ExternalRepair(
        work_order=work_order,
        depot_repair=depot,
        vendor=vendor,
        previous=previous,
        reason=reason,
        warranty=warranty,
        vendor_contact=vendor_contact.strip(),
        voucher_number=voucher_number.strip(),
        sent_by=actor,
        sent_at=timezone.now(),
        expected_back_on=timezone.localdate() + timedelta(days=vendor.lead_time_days),
    )
    if voucher_photo is not None:
        external.voucher_photo = _attach(
            work_order,
            actor,
            voucher_photo,
            field="voucher_photo",
            description=_("Pickup voucher %(voucher)s, %(vendor)s")
            % {"voucher": external.voucher_number, "vendor": vendor},
        )
    external.full_clean()
    external.save()
    event_record(
        work_order,
        kind=REPAIR,
        actor=actor,
        action="external_send",
        note=_("Sent to %(vendor)s (%(reason)s), voucher %(voucher)s, expected back on %(date)s")
        % {
            "vendor": vendor,
            "reason": external.get_reason_display(),
            "voucher": external.voucher_number,
            "date": f"{external.expected_back_on:%Y-%m-%d}",
        },
    )
    _hold_work_order(work_order, actor, vendor)
    return external


def _hold_work_order(work_order: WorkOrder, actor, vendor: Vendor) -> None:
    """A work order in service waits for the vendor while the device is away (SLA paused)."""
    current = WorkOrder.objects.get(pk=work_order.pk)
    if current.state == State.IN_SERVICE:
        workorder_transition(
            work_order_id=current.pk,
            action="wait",
            actor=actor,
            waiting_reason=WaitingReason.VENDOR,
            note=_("Device at %(vendor)s") % {"vendor": vendor},
        )


def _release_work_order(external: ExternalRepair, actor) -> None:
    """The device is back: a work order waiting for the vendor resumes, unless another of its
    devices is still out."""
    current = WorkOrder.objects.get(pk=external.work_order_id)
    still_out = current.external_repairs.filter(state=ExternalState.SENT).exclude(pk=external.pk).exists()
    if current.state == State.WAITING and current.waiting_reason == WaitingReason.VENDOR and not still_out:
        workorder_transition(
            work_order_id=current.pk,
            action="resume",
            actor=actor,
            note=_("Device back from %(vendor)s") % {"vendor": external.vendor},
        )


@transaction.atomic
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
    local ability, which one recorded; the vendor contacted first; the pickup voucher kept."""
    depot = locked(DepotRepair, repair_id)
    transition = transition_begin(depot, DEPOT, "send_out", actor)
    external = _send_out(
        depot,
        actor=actor,
        vendor=vendor,
        reason=reason,
        vendor_contact=vendor_contact,
        voucher_number=voucher_number,
        voucher_photo=voucher_photo,
    )
    _finish(depot, transition, actor, note=str(external))
    return external


@transaction.atomic
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
    send-out linked to this one."""
    old = locked(ExternalRepair, external_repair_id)
    transition = transition_begin(old, EXTERNAL, "resend", actor)
    depot = (
        DepotRepair.objects.select_for_update(of=("self",))
        .select_related("work_order")
        .get(pk=old.depot_repair_id)
    )
    external = _send_out(
        depot,
        actor=actor,
        vendor=vendor,
        reason=reason,
        vendor_contact=vendor_contact,
        voucher_number=voucher_number,
        voucher_photo=voucher_photo,
        previous=old,
    )
    _finish(old, transition, actor, note=str(external))
    return external


def _cost_set(external: ExternalRepair, cost: Decimal | str | None) -> dict[str, str]:
    """Set the vendor's cost when given; returns the history snapshot taken before (R41)."""
    before = snapshot(external, ["cost"])
    amount = money(cost, "cost")
    if amount is not None:
        external.cost = amount
    return before


def _cost_record(external: ExternalRepair, before: dict[str, str], actor) -> None:
    changes_record(instance=external, before=before, after=snapshot(external, ["cost"]), actor=actor)


@transaction.atomic
def external_repair_receive(
    *, external_repair_id: int, actor, vendor_report: str = "", cost: Decimal | str | None = None
) -> ExternalRepair:
    """R14: the device is back from the vendor with its report (and the cost, CNY); the work order
    resumes if it was waiting for the vendor."""
    external = locked(ExternalRepair, external_repair_id)
    transition = transition_begin(external, EXTERNAL, "receive", actor)
    before = _cost_set(external, cost)
    external.vendor_report = (vendor_report or "").strip()
    external.returned_at = timezone.now()
    _finish(external, transition, actor, note=external.vendor_report)
    _cost_record(external, before, actor)
    _release_work_order(external, actor)
    return external


@transaction.atomic
def external_repair_recheck(*, external_repair_id: int, actor, result: str) -> ExternalRepair:
    """R14: the returned device is re-checked before it goes on."""
    external = locked(ExternalRepair, external_repair_id)
    transition = transition_begin(external, EXTERNAL, "recheck", actor)
    external.recheck_result = required_text(result, "result", _("Describe the re-check."))
    external.rechecked_at = timezone.now()
    _finish(external, transition, actor, note=external.recheck_result)
    return external


@transaction.atomic
def external_repair_unrepairable(
    *, external_repair_id: int, actor, reason: str, cost: Decimal | str | None = None
) -> ExternalRepair:
    """R14: the vendor could not repair it (or it failed the re-check); it can be re-sent to
    another vendor, or taken back unrepaired ("done")."""
    external = locked(ExternalRepair, external_repair_id)
    transition = transition_begin(external, EXTERNAL, "unrepairable", actor)
    before = _cost_set(external, cost)
    external.unrepairable_reason = required_text(reason, "reason", _("Why can it not be repaired?"))
    external.returned_at = external.returned_at or timezone.now()
    _finish(external, transition, actor, note=external.unrepairable_reason)
    _cost_record(external, before, actor)
    _release_work_order(external, actor)
    return external


@transaction.atomic
def external_repair_complete(
    *, external_repair_id: int, actor, cost: Decimal | str | None = None
) -> ExternalRepair:
    """R14 → R13: the send-out is over; the device is back in the depot repair (a line in its
    process record says how it came back), which goes on to its own re-check and hand-back."""
    external = locked(ExternalRepair, external_repair_id)
    transition = transition_begin(external, EXTERNAL, "complete", actor)
    before = _cost_set(external, cost)
    repaired = external.state == ExternalState.RECHECKED
    external.done_at = timezone.now()
    _finish(external, transition, actor)
    _cost_record(external, before, actor)
    depot = locked(DepotRepair, external.depot_repair_id)
    back = transition_begin(depot, DEPOT, "vendor_return", actor)
    values = {
        "vendor": external.vendor,
        "report": external.vendor_report or "—",
        "reason": external.unrepairable_reason,
    }
    RepairLogEntry.objects.create(
        depot_repair=depot,
        performed_at=timezone.now(),
        performed_by=actor,
        work_done=(
            _("Back from %(vendor)s, repaired: %(report)s") % values
            if repaired
            else _("Back from %(vendor)s, not repaired: %(reason)s") % values
        ),
        measurements=external.recheck_result,
    )
    _finish(depot, back, actor, note=str(external.vendor))
    return external


# --- follow-ups (R14) --------------------------------------------------------------------------


def follow_up_interval() -> timedelta:
    """How often a device at a vendor is followed up (default every 2 days)."""
    return timedelta(days=settings.SERVICING_FOLLOW_UP_DAYS)


@transaction.atomic
def external_repair_follow_up_log(*, external_repair_id: int, actor, note: str) -> ExternalRepairFollowUp:
    """R14: staff record a contact with the vendor about a device still there."""
    external = locked(ExternalRepair, external_repair_id)
    require_permission(EXTERNAL["complete"], actor, external.work_order)
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
        note=f"{external.vendor}: {follow_up.note}",
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
    external = (
        ExternalRepair.objects.select_for_update(of=("self",))
        .select_related("vendor", "sent_by", "work_order")
        .get(pk=external_repair_id)
    )
    sequence = int((now - external.sent_at) / follow_up_interval())
    if external.state != ExternalState.SENT or sequence < 1:
        return None
    key = f"ext:{external.pk}:reminder:{sequence}"
    if ExternalRepairFollowUp.objects.filter(key=key).exists():
        return None
    vendor = external.vendor
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
        if timezone.localtime(now).date() > external.expected_back_on:
            note = " ".join((note, _("Overdue.")))
        subject = _("Follow up with the repair vendor")
    follow_up = ExternalRepairFollowUp.objects.create(
        external_repair=external, kind=FollowUpKind.REMINDER, key=key, sequence=sequence, note=note
    )
    event_record(external.work_order, kind=REPAIR, action="external_reminder", note=note)
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
