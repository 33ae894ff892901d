"""Writes of work orders: intake, edits under optimistic locking, transitions, notes, attachments."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales.accounts.choices import Role
from aftersales.accounts.models import Engineer
from aftersales.accounts.selectors import engineer_qualified_on
from aftersales.core.errors import ConcurrentUpdate, DomainError, NotPermitted, TransitionNotAllowed
from aftersales.core.phones import phone_display, phone_normalize
from aftersales.core.services import changes_record, number_next, snapshot
from aftersales.customers.services import customer_create
from aftersales.notifications.choices import Channel as MessageChannel
from aftersales.notifications.services import message_queue

from . import hooks
from .choices import EventKind, NoteVisibility, State, WaitingReason, WorkOrderType
from .models import AUDITED_FIELDS, Attachment, Note, WorkOrder, WorkOrderEvent
from .transitions import TRANSITIONS, Transition

# Request types about a device: the device model must be known (R2).
DEVICE_TYPES = frozenset(
    {
        WorkOrderType.REPAIR,
        WorkOrderType.INSTALLATION,
        WorkOrderType.MAINTENANCE,
        WorkOrderType.RETURN_EXCHANGE,
    }
)
# Fields a user may edit directly; state, number and version only change through services.
EDITABLE_FIELDS = frozenset(AUDITED_FIELDS) - {"state", "waiting_reason", "engineer"}
ALLOWED_ATTACHMENT_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "application/pdf": "pdf",
}
# R3, R34: the promised feedback time when no app tells one (`hooks.register_feedback_promise`;
# the SLA app gives the first-response due time of the work order's policy and calendar).
FIRST_FEEDBACK_HOURS = 24


def _validate_intake(work_order: WorkOrder) -> None:
    """R2: the data a request must carry, as field errors (nothing is saved when one is missing)."""
    errors: dict[str, list[str]] = {}
    if work_order.type in DEVICE_TYPES and not (
        work_order.device_id or work_order.product_model_id or work_order.device_model_text.strip()
    ):
        errors["product_model"] = [_("Enter the device model, or pick the device by serial number.")]
    if (
        work_order.device_id
        and work_order.customer_id
        and work_order.device.customer_id != work_order.customer_id
    ):
        errors["device"] = [_("This device belongs to another customer.")]
    if (
        work_order.contact_id
        and work_order.customer_id
        and work_order.contact.customer_id != work_order.customer_id
    ):
        errors["contact"] = [_("This contact belongs to another customer.")]
    if (
        work_order.engineer_id
        and work_order.service_point_id
        and (work_order.engineer.service_point_id != work_order.service_point_id)
    ):
        errors["engineer"] = [_("The engineer does not work at this service point.")]
    if errors:
        raise ValidationError(errors)


def _normalize(work_order: WorkOrder) -> None:
    for name in ("contact_name", "fault_symptom"):  # whitespace alone is missing data (R2)
        setattr(work_order, name, (getattr(work_order, name) or "").strip())
    if work_order.contact_phone:
        try:
            work_order.contact_phone = phone_normalize(work_order.contact_phone)
        except ValidationError as error:
            raise ValidationError({"contact_phone": error.messages}) from error
    work_order.serial_number = work_order.serial_number.strip().upper()
    if work_order.device_id:
        device = work_order.device
        work_order.product_model_id = device.product_model_id
        work_order.serial_number = device.serial_number
        work_order.purchase_date = work_order.purchase_date or device.purchase_date


def _validate_all(work_order: WorkOrder, exclude: list[str] | None = None) -> None:
    """Every problem of the input at once, as field errors (R2: nothing is half-saved)."""
    errors: dict[str, list[str]] = {}
    for check in (
        _normalize,
        # created_by is set by the service, and empty for automatic intake (R1: email, portal).
        lambda wo: wo.full_clean(exclude=(exclude or []) + ["created_by"] + list(errors)),
        _validate_intake,
    ):
        try:
            check(work_order)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def event_record(
    work_order: WorkOrder,
    *,
    kind: str,
    actor=None,
    action: str = "",
    from_state: str = "",
    to_state: str = "",
    note: str = "",
) -> WorkOrderEvent:
    """Add a row to the work order's timeline; apps hanging off the work order use it too."""
    return WorkOrderEvent.objects.create(
        work_order=work_order,
        kind=kind,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=to_state,
        note=note,
    )


@transaction.atomic
def workorder_create(*, actor, **fields: Any) -> WorkOrder:
    """Intake (R1, R2, R4, R7): validated as a whole, numbered, and recorded as the first event."""
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    work_order = WorkOrder(created_by=actor, **fields)
    if not work_order.contact_name and work_order.contact_id:
        work_order.contact_name = work_order.contact.name
    if not work_order.contact_phone and work_order.contact_id:
        work_order.contact_phone = work_order.contact.phone
    _validate_all(work_order, exclude=["number"])
    work_order.number = number_next(prefix="WO")
    work_order.save()
    event_record(work_order, kind=EventKind.CREATED, actor=actor, to_state=work_order.state)
    for hook in hooks.intake_hooks:
        hook(work_order=work_order, actor=actor)
    return work_order


def _locked(work_order_id: int, expected_version: int | None) -> WorkOrder:
    work_order = (
        # of=("self",): lock the work-order row only; PostgreSQL refuses FOR UPDATE on the
        # nullable side of the outer join to the engineer.
        WorkOrder.objects.select_for_update(of=("self",))
        .select_related("engineer__user", "customer")
        .get(pk=work_order_id)
    )
    if expected_version is not None and work_order.version != int(expected_version):
        raise ConcurrentUpdate(
            _(
                "Work order %(number)s was changed by someone else since you opened it. "
                "Reload it and apply your change again."
            )
            % {"number": work_order.number},
            field="version",
        )
    return work_order


def _save_with_history(work_order: WorkOrder, before: dict[str, str], actor) -> None:
    work_order.version += 1
    work_order.save()
    changes_record(
        instance=work_order, before=before, after=snapshot(work_order, AUDITED_FIELDS), actor=actor
    )


@transaction.atomic
def workorder_update(*, work_order_id: int, actor, expected_version: int, **fields: Any) -> WorkOrder:
    """Edit data fields; refused with ConcurrentUpdate when someone saved in between."""
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    work_order = _locked(work_order_id, expected_version)
    if not fields:
        return work_order
    if not work_order.is_open and not actor.has_role(Role.SUPERVISOR, Role.HQ_ADMIN, Role.CLERK):
        raise NotPermitted(_("A finished work order can only be edited by a clerk or supervisor."))
    before = snapshot(work_order, AUDITED_FIELDS)
    for name, value in fields.items():
        setattr(work_order, name, value)
    _validate_all(work_order)
    _save_with_history(work_order, before, actor)
    return work_order


def _check_transition(
    work_order: WorkOrder,
    transition: Transition,
    actor,
    *,
    engineer,
    waiting_reason,
    resolution,
    note,
) -> None:
    if not transition.allows_state(work_order.state):
        raise TransitionNotAllowed(
            _("“%(action)s” is not possible while the work order is %(state)s.")
            % {"action": transition.label, "state": work_order.get_state_display()}
        )
    if not transition.allows_type(work_order.type):
        raise TransitionNotAllowed(
            _("“%(action)s” is only possible for consultations.") % {"action": transition.label},
            field="type",
        )
    if not transition.permits(actor, work_order):
        raise NotPermitted(_("You may not “%(action)s” this work order.") % {"action": transition.label})
    if transition.needs_note and not note.strip():
        raise DomainError(_("Give a reason."), code="required", field="note")
    if transition.needs_resolution and not (resolution or work_order.resolution).strip():
        raise DomainError(_("Describe how the request was resolved."), code="required", field="resolution")
    if transition.needs_waiting_reason and waiting_reason not in WaitingReason.values:
        raise DomainError(
            _("Choose what the work order is waiting for."), code="required", field="waiting_reason"
        )
    if transition.needs_engineer:
        _check_engineer(work_order, engineer, actor)


def _check_engineer(work_order: WorkOrder, engineer: Engineer | None, actor) -> None:
    if engineer is None:
        raise DomainError(_("Choose an engineer."), code="required", field="engineer")
    if not engineer.is_active:
        raise DomainError(_("This engineer is not active."), code="inactive", field="engineer")
    if actor.role == Role.DEALER_STAFF and engineer.service_point.dealer_id != actor.dealer_id:
        raise NotPermitted(_("You can only assign engineers of your own dealer."), field="engineer")
    line, day = work_order.product_line, timezone.localdate()
    if line is not None and not engineer_qualified_on(engineer, line, day):
        raise DomainError(
            _("%(engineer)s is not qualified for %(line)s (no valid qualification on %(date)s).")
            % {"engineer": engineer, "line": line, "date": f"{day:%Y-%m-%d}"},
            code="not_qualified",
            field="engineer",
        )


@transaction.atomic
def workorder_transition(
    *,
    work_order_id: int,
    action: str,
    actor,
    expected_version: int | None = None,
    note: str = "",
    engineer: Engineer | None = None,
    waiting_reason: str = "",
    resolution: str = "",
) -> WorkOrder:
    """Run one lifecycle transition: row locked, guarded, recorded as an event and in the history."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise DomainError(_("Unknown action."), code="unknown_action", field="action")
    work_order = _locked(work_order_id, expected_version)
    _check_transition(
        work_order,
        transition,
        actor,
        engineer=engineer,
        waiting_reason=waiting_reason,
        resolution=resolution,
        note=note,
    )
    for guard in hooks.transition_guards:
        guard(work_order=work_order, transition=transition, actor=actor)
    before = snapshot(work_order, AUDITED_FIELDS)
    from_state = work_order.state
    now = timezone.now()
    work_order.state = transition.target
    work_order.waiting_reason = waiting_reason if transition.target == State.WAITING else ""
    if resolution.strip():
        work_order.resolution = resolution.strip()
    if transition.needs_engineer:
        work_order.engineer = engineer
        work_order.service_point = engineer.service_point
    if transition.name == "accept":
        work_order.accepted_at = now
    elif transition.target == State.COMPLETED:
        work_order.completed_at = now
    elif transition.target == State.CLOSED:
        work_order.closed_at = now
        work_order.completed_at = work_order.completed_at or now
    elif transition.name == "reopen":
        work_order.completed_at = None
        work_order.closed_at = None
    event_note = note.strip()
    if transition.needs_engineer:
        event_note = f"{engineer} · {event_note}".rstrip(" ·")
    _save_with_history(work_order, before, actor)
    event_record(
        work_order,
        kind=EventKind.TRANSITION,
        actor=actor,
        action=transition.name,
        from_state=from_state,
        to_state=work_order.state,
        note=event_note,
    )
    if transition.name == "accept":
        acknowledgement_queue(work_order=work_order)
    for hook in hooks.transition_hooks:
        hook(work_order=work_order, transition=transition, actor=actor)
    return work_order


def acknowledgement_queue(*, work_order: WorkOrder) -> None:
    """R3: on acceptance the customer is told the number and when to expect the next feedback.

    Sent by SMS to the contact phone and by email when the customer has an address; queued on
    commit through the outbox, so a rolled-back acceptance sends nothing.
    """
    with translation.override(settings.LANGUAGE_CODE):
        _acknowledgement_queue(work_order)


def _acknowledgement_queue(work_order: WorkOrder) -> None:
    """Written in the company's language, whatever language the agent's screen is in."""
    promised = timezone.localtime(
        hooks.feedback_promise(work_order) or timezone.now() + timedelta(hours=FIRST_FEEDBACK_HOURS)
    )
    subject = _("Your service request %(number)s has been accepted") % {"number": work_order.number}
    body = _(
        "Dear %(name)s, your service request %(number)s has been accepted. "
        "We will get back to you by %(promised)s."
    ) % {
        "name": work_order.contact_name,
        "number": work_order.number,
        "promised": promised.strftime("%Y-%m-%d %H:%M"),
    }
    message_queue(
        channel=MessageChannel.SMS,
        recipient=phone_display(work_order.contact_phone),
        subject=subject,
        body=body,
        key=f"ack:{work_order.number}:sms",
    )
    if work_order.customer.email:
        message_queue(
            channel=MessageChannel.EMAIL,
            recipient=work_order.customer.email,
            subject=subject,
            body=body,
            key=f"ack:{work_order.number}:email",
        )
    event_record(work_order, kind=EventKind.NOTIFICATION, action="acknowledgement", note=body)


@transaction.atomic
def note_add(*, work_order: WorkOrder, actor, body: str, visibility: str = NoteVisibility.INTERNAL) -> Note:
    if not (body or "").strip():
        raise ValidationError({"body": [_("The note is empty.")]})
    note = Note(work_order=work_order, author=actor, body=body.strip(), visibility=visibility)
    note.full_clean()
    note.save()
    event_record(work_order, kind=EventKind.NOTE, actor=actor, action=visibility, note=note.body)
    return note


@transaction.atomic
def attachment_add(
    *, work_order: WorkOrder, actor, upload: UploadedFile, description: str = ""
) -> Attachment:
    """Images and PDFs only, recognised by their content rather than the name; size-limited."""
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            {
                "file": [
                    _("The file is larger than %(limit)d MB.")
                    % {"limit": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)}
                ]
            }
        )
    head = upload.read(261)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_ATTACHMENT_TYPES:
        raise ValidationError({"file": [_("Only images (JPEG, PNG, GIF, WebP) and PDF files are accepted.")]})
    attachment = Attachment(
        work_order=work_order,
        uploaded_by=actor,
        original_name=upload.name[:255],
        content_type=kind.mime,
        size=upload.size,
        description=description,
    )
    upload.name = f"upload.{ALLOWED_ATTACHMENT_TYPES[kind.mime]}"
    attachment.file = upload
    attachment.save()
    event_record(work_order, kind=EventKind.ATTACHMENT, actor=actor, note=attachment.original_name)
    return attachment


class _DryRun(Exception):
    """Raised to roll back a trial intake."""


# Errors of the inline customer are reported under these names, apart from the work order's own.
NEW_CUSTOMER_PREFIX = "new_customer_"


def workorder_intake(
    *,
    actor,
    new_customer: dict[str, Any] | None = None,
    first_contact_resolution: str | None = None,
    dry_run: bool = False,
    **fields: Any,
) -> WorkOrder | None:
    """A phone intake, all or nothing: an inline new customer, the work order and, for a question
    answered on the call, its first-contact resolution (R4).

    With `dry_run` everything runs through the same services and is rolled back, so the read-back
    (R3) shows only data that will be accepted. Errors of the new customer carry field names
    prefixed with `new_customer_`.
    """
    try:
        with transaction.atomic():
            if new_customer is not None:
                try:
                    fields["customer"] = customer_create(actor=actor, **new_customer)
                except ValidationError as error:
                    raise ValidationError(
                        {
                            f"{NEW_CUSTOMER_PREFIX}{name}": messages
                            for name, messages in error.message_dict.items()
                        }
                    ) from error
            work_order = workorder_create(actor=actor, **fields)
            if first_contact_resolution is not None:
                work_order = workorder_transition(
                    work_order_id=work_order.pk,
                    action="resolve",
                    actor=actor,
                    resolution=first_contact_resolution,
                )
            if dry_run:
                raise _DryRun
    except _DryRun:
        return None
    return work_order
