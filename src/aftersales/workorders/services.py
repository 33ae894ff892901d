"""Writes of work orders: intake, edits under optimistic locking, transitions, notes, attachments."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import ForeignKey
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.choices import Role
from aftersales.core.divisions import address_errors
from aftersales.core.errors import NotPermitted
from aftersales.core.phones import phone_normalize
from aftersales.core.services import changes_record, number_next, snapshot
from aftersales.core.transitions import transition_run
from aftersales.customers.services import customer_create

from . import hooks
from .choices import NoteVisibility, WorkOrderType
from .events import ATTACHMENT, CREATED, NOTE, event_build, event_record, events_record
from .models import AUDITED_FIELDS, Attachment, Note, WorkOrder
from .search import workorder_search_new, workorder_search_refresh
from .transitions import WORKORDER

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


def _validate_intake(work_order: WorkOrder) -> None:
    """R2: the data a request must carry, as field errors (nothing is saved when one is missing)."""
    errors: dict[str, list[str]] = {}
    if work_order.type in DEVICE_TYPES and not (
        work_order.device_id or work_order.product_model_id or work_order.device_model_text.strip()
    ):
        errors["product_model"] = [_("Enter the device model, or pick the device by serial number.")]
    device, contact, engineer = work_order.device, work_order.contact, work_order.engineer
    if device is not None and work_order.customer_id and device.customer_id != work_order.customer_id:
        errors["device"] = [_("This device belongs to another customer.")]
    if contact is not None and work_order.customer_id and contact.customer_id != work_order.customer_id:
        errors["contact"] = [_("This contact belongs to another customer.")]
    if (
        engineer is not None
        and work_order.service_point_id
        and engineer.service_point_id != work_order.service_point_id
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
    device = work_order.device
    if device is not None:
        work_order.product_model = device.product_model
        work_order.serial_number = device.serial_number
        work_order.purchase_date = work_order.purchase_date or device.purchase_date


def _loaded_relations(work_order: WorkOrder) -> list[str]:
    """Foreign keys given as objects the form or serializer has just loaded: they exist, so
    full_clean need not query each one again."""
    return [
        field.name
        for field in work_order._meta.concrete_fields
        if isinstance(field, ForeignKey)
        and field.is_cached(work_order)
        and getattr(work_order, field.name) is not None
    ]


def _validate_service_address(work_order: WorkOrder) -> None:
    """R5: a service address other than the customer's names a province, city and district that
    belong together (dispatch routes by them)."""
    parts = (work_order.service_province, work_order.service_city, work_order.service_district)
    if not any(part.strip() for part in parts) and not work_order.service_address.strip():
        return
    errors = address_errors(*(part.strip() for part in parts))
    if errors:
        raise ValidationError({f"service_{level}": [message] for level, message in errors.items()})


def _validate_all(
    work_order: WorkOrder, exclude: list[str] | None = None, checks: tuple[Callable, ...] = ()
) -> None:
    """Every problem of the input at once, as field errors with their codes (R2: nothing is
    half-saved); `checks` are the caller's own, run after the common ones."""
    errors: dict[str, list[ValidationError]] = {}
    for check in (
        _normalize,
        # created_by is set by the service, and empty for automatic intake (R1: email, portal).
        lambda wo: wo.full_clean(
            exclude=(exclude or []) + ["created_by"] + _loaded_relations(wo) + list(errors)
        ),
        _validate_intake,
        _validate_service_address,
        *checks,
    ):
        try:
            check(work_order)
        except ValidationError as error:
            for field, items in error.error_dict.items():
                errors.setdefault(field, []).extend(items)
    if errors:
        raise ValidationError(errors)


def received_at_check(received_at: datetime | None, *, now: datetime) -> datetime:
    """R1, R34: when the request was received, which the clocks started at intake count from: now
    unless given; an earlier time (a voicemail, an e-mail read after a holiday) goes back at most
    `WORKORDER_RECEIVED_BACKDATE_DAYS` days, and never into the future."""
    if received_at is None:
        return now
    days = settings.WORKORDER_RECEIVED_BACKDATE_DAYS
    if received_at > now:
        error = ValidationError(_("The time received cannot be in the future."), code="received_in_future")
    elif received_at < now - timedelta(days=days):
        error = ValidationError(
            _("The time received can go back at most %(days)d days.") % {"days": days},
            code="received_too_early",
        )
    else:
        return received_at
    raise ValidationError({"received_at": [error]})


@transaction.atomic
def workorder_create(*, actor, received_at: datetime | None = None, **fields: Any) -> WorkOrder:
    """Intake (R1, R2, R4, R7): validated as a whole, completed by the intake planners (e.g. the
    service point, R5), numbered, inserted once, and recorded as the first event. `received_at` is
    when the request came in if earlier than now (`received_at_check`); the service-level clocks
    that start at intake count from it (R34).

    The number is taken after validation and planning, just before the insert: on PostgreSQL it
    never waits for another create (`number_next`)."""
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    work_order = WorkOrder(created_by=actor, **fields)
    contact = work_order.contact
    if contact is not None:
        work_order.contact_name = work_order.contact_name or contact.name
        work_order.contact_phone = work_order.contact_phone or contact.phone

    def receive(work_order: WorkOrder) -> None:
        work_order.received_at = received_at_check(received_at, now=timezone.now())

    _validate_all(work_order, exclude=["number", "received_at"], checks=(receive,))
    planned = [planner(work_order=work_order, actor=actor) for planner in hooks.intake_planners]
    work_order.number = number_next(prefix="WO")
    work_order.save(force_insert=True)
    workorder_search_new(work_order)
    created = event_build(work_order, kind=CREATED, actor=actor, to_state=work_order.state)
    events_record(
        [created]
        + [
            event_build(work_order, kind=event.kind, actor=actor, action=event.action, params=event.params)
            for event in planned
            if event is not None
        ]
    )
    for hook in hooks.intake_hooks:
        hook(work_order=work_order, actor=actor)
    return work_order


def _save_with_history(work_order: WorkOrder, before: dict[str, str], actor) -> None:
    work_order.version += 1
    work_order.save()
    changes_record(
        instance=work_order, before=before, after=snapshot(work_order, AUDITED_FIELDS), actor=actor
    )
    workorder_search_refresh([work_order.pk])


@transaction.atomic
def workorder_update(*, work_order_id: int, actor, expected_version: int, **fields: Any) -> WorkOrder:
    """Edit data fields; refused with ConcurrentUpdate when someone saved in between."""
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    work_order = WORKORDER.lock(work_order_id, expected_version)
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


def workorder_transition(
    *, work_order_id: int, action: str, actor, expected_version: int | None = None, **inputs: Any
) -> WorkOrder:
    """Run one lifecycle transition (transitions.py) with its inputs (`note`, `engineer`,
    `waiting_reason`, `resolution` as the transition declares): row locked, guarded, recorded as
    an event and in the history; other apps' guards and hooks run with it."""
    return transition_run(
        WORKORDER,
        pk=work_order_id,
        action=action,
        actor=actor,
        expected_version=expected_version,
        inputs=inputs,
    )


@transaction.atomic
def note_add(*, work_order: WorkOrder, actor, body: str, visibility: str = NoteVisibility.INTERNAL) -> Note:
    if not (body or "").strip():
        raise ValidationError({"body": [_("The note is empty.")]})
    note = Note(work_order=work_order, author=actor, body=body.strip(), visibility=visibility)
    note.full_clean()
    note.save()
    event_record(work_order, kind=NOTE, actor=actor, action=visibility, note=note.body)
    workorder_search_refresh([work_order.pk])
    return note


@transaction.atomic
def attachment_add(
    *, work_order: WorkOrder, actor, upload: UploadedFile, description: str = ""
) -> Attachment:
    """Images and PDFs only, recognised by their content rather than the name; size-limited."""
    size, name = upload.size or 0, upload.name or "upload"
    if size > settings.ATTACHMENT_MAX_BYTES:
        message = _("The file is larger than %(limit)d MB.") % {
            "limit": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
        }
        raise ValidationError({"file": ValidationError(message, code="too_large")})
    head = upload.read(261)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_ATTACHMENT_TYPES:
        message = _("Only images (JPEG, PNG, GIF, WebP) and PDF files are accepted.")
        raise ValidationError({"file": ValidationError(message, code="invalid_type")})
    attachment = Attachment(
        work_order=work_order,
        uploaded_by=actor,
        original_name=name[:255],
        content_type=kind.mime,
        size=size,
        description=description,
    )
    upload.name = f"upload.{ALLOWED_ATTACHMENT_TYPES[kind.mime]}"
    attachment.file = upload
    attachment.save()
    event_record(
        work_order,
        kind=ATTACHMENT,
        actor=actor,
        params={"name": attachment.original_name, "size": filesizeformat(attachment.size)},
    )
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
