"""Writes of returns and exchanges (R33): draw a request up (from a work order, a device or a
customer), change its draft, add its photos, run its lifecycle (`transitions.RETURN_REQUEST`),
post a returned part into a defective location, keep the rules, and tell the customer of the
decision and of the replacement's shipment."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.accounts.choices import Role
from aftersales.catalog.models import Part, ProductModel
from aftersales.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from aftersales.core.i18n import stored_params
from aftersales.core.money import ZERO
from aftersales.core.services import changes_record, number_next, snapshot
from aftersales.core.transitions import TransitionRun, transition_run
from aftersales.customers.models import Customer
from aftersales.customers.selectors import customer_scope
from aftersales.devices.models import Device
from aftersales.devices.selectors import device_scope
from aftersales.notifications.services import customer_message_queue
from aftersales.parts.choices import MoveKind
from aftersales.parts.models import Warehouse
from aftersales.parts.services import stock
from aftersales.parts.services.old_parts import defective_location
from aftersales.workorders.events import event_record
from aftersales.workorders.models import WorkOrder
from aftersales.workorders.selectors import workorder_scope

from .choices import ItemCondition, ReturnKind, ReturnReason, ReturnState
from .events import RETURN_REQUEST as RETURN_EVENT
from .models import ReturnEvent, ReturnPhoto, ReturnPolicy, ReturnRequest
from .rules import policy_current
from .transitions import (
    LOGISTICS,
    REQUESTERS,
    RETURN_REQUEST,
    dealer_refusal,
    engineer_user_of,
    may_draw_up,
    may_edit,
    may_keep_policy,
)

NUMBER_PREFIX = "TH"  # 退换
PHOTO_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}
ENDED = (ReturnState.CLOSED, ReturnState.CANCELLED, ReturnState.REFUSED)
# The facts of a draft that change until it is submitted (audited: each change in its history).
EDITABLE = (
    "kind",
    "product_model",
    "product_text",
    "serial_number",
    "reason",
    "reason_text",
    "purchase_date",
    "proof_of_purchase",
    "condition",
    "condition_note",
)


# --- the steps that are not transitions ----------------------------------------------------------


def step_record(
    request: ReturnRequest, *, action: str, actor, note: str = "", params: dict[str, Any] | None = None
) -> ReturnEvent:
    """A step of a request that keeps its state (drawn up, edited, a photo): in its history and on
    its work order's timeline."""
    values = {"kind": ReturnKind(request.kind).label, **(params or {})}
    event = ReturnEvent.objects.create(
        request=request,
        action=action,
        from_state=request.state,
        to_state=request.state,
        note=note,
        params=stored_params(values),
        actor=actor,
        created_at=timezone.now(),
    )
    if request.work_order is not None and action == "create":
        event_record(
            request.work_order,
            kind=RETURN_EVENT,
            actor=actor,
            action="return_request_create",
            params={"record": request.number, "reason": ReturnReason(request.reason).label, **values},
            note=note,
        )
    return event


# --- drawing a request up --------------------------------------------------------------------------


def _invalid(field: str, message: str, code: str = "invalid") -> DomainError:
    return DomainError(message, code=code, field=field)


def _in_scope(actor, work_order: WorkOrder | None, device: Device | None, customer: Customer | None) -> None:
    """R37: what the request names is in the actor's scope (pages and API offer nothing else)."""
    if work_order is not None and not workorder_scope(actor).filter(pk=work_order.pk).exists():
        raise _invalid("work_order", _("Choose one of your work orders."))
    if device is not None and not device_scope(actor).filter(pk=device.pk).exists():
        raise _invalid("device", _("Choose one of your customers' devices."))
    if customer is not None and not customer_scope(actor).filter(pk=customer.pk).exists():
        raise _invalid("customer", _("Choose one of your customers."))


def _linked(
    *, work_order: WorkOrder | None, device: Device | None, customer: Customer | None
) -> tuple[Device | None, Customer]:
    """The device and the customer of a request: the work order's and the device's unless given;
    a work order or device of another customer is refused."""
    if work_order is not None:
        if customer is not None and customer.pk != work_order.customer_id:
            raise _invalid(
                "customer", _("The work order is another customer's."), code="return_customer_mismatch"
            )
        customer = work_order.customer
        if device is None and work_order.device_id:
            device = work_order.device
    if device is not None:
        if customer is not None and customer.pk != device.customer_id:
            raise _invalid("device", _("The device is another customer's."), code="return_customer_mismatch")
        customer = device.customer
    if customer is None:
        raise _invalid(
            "customer", _("Name the customer (or the work order or device)."), code="customer_required"
        )
    return device, customer


def _dealer_of(work_order: WorkOrder | None, customer: Customer) -> int | None:
    """Whose staff see the request: the work order's service point's dealer, else the customer's."""
    point = work_order.service_point if work_order is not None else None
    if point is not None:
        return point.dealer_id
    return customer.dealer_id


def _purchase_date(value: date | None) -> date | None:
    if value is not None and value > timezone.localdate():
        raise _invalid("purchase_date", _("The purchase date cannot be in the future."))
    return value


@transaction.atomic
def return_create(
    *,
    actor,
    kind: str,
    reason: str,
    condition: str,
    customer: Customer | None = None,
    work_order: WorkOrder | None = None,
    device: Device | None = None,
    product_model: ProductModel | None = None,
    product_text: str = "",
    serial_number: str = "",
    reason_text: str = "",
    purchase_date: date | None = None,
    proof_of_purchase: str = "",
    condition_note: str = "",
) -> ReturnRequest:
    """R33: a draft request (numbered TH…) for a customer's product, drawn up from a work order
    (its customer, device, model, serial number and purchase date taken over unless given), a
    device, or a customer alone. The rules are checked when it is submitted."""
    if not may_draw_up(actor, work_order):
        raise NotPermitted(_("You may not draw up a return or exchange request here."))
    _in_scope(actor, work_order, device, customer)
    device, customer = _linked(work_order=work_order, device=device, customer=customer)
    if work_order is not None:
        product_model = product_model or work_order.product_model
        serial_number = serial_number or work_order.serial_number
        purchase_date = purchase_date or work_order.purchase_date
        product_text = product_text or work_order.device_model_text
    if device is not None:
        product_model = product_model or device.product_model
        serial_number = serial_number or device.serial_number
        purchase_date = purchase_date or device.purchase_date
    request = ReturnRequest(
        number=number_next(prefix=NUMBER_PREFIX),
        kind=kind,
        work_order=work_order,
        device=device,
        customer=customer,
        dealer_id=_dealer_of(work_order, customer),
        product_model=product_model,
        product_text=(product_text or "").strip()[:128],
        serial_number=(serial_number or "").strip().upper(),
        reason=reason,
        reason_text=(reason_text or "").strip(),
        purchase_date=_purchase_date(purchase_date),
        proof_of_purchase=(proof_of_purchase or "").strip(),
        condition=condition,
        condition_note=(condition_note or "").strip(),
        requested_by=actor,
    )
    refusal = dealer_refusal(actor, request)
    if refusal is not None:
        raise refusal
    request.full_clean(exclude=["number"])
    request.save()
    step_record(request, action="create", actor=actor, note=request.reason_text)
    return request


def _draft_locked(request_id: int, actor) -> ReturnRequest:
    request = RETURN_REQUEST.lock(request_id)
    if request.state != ReturnState.DRAFT:
        raise TransitionNotAllowed(
            _("The request is %(state)s: its facts no longer change.")
            % {"state": request.get_state_display()},
            code="return_not_draft",
        )
    if not may_edit(actor, request):
        raise NotPermitted(_("You may not change this request."))
    return request


@transaction.atomic
def return_update(*, request_id: int, actor, **fields: Any) -> ReturnRequest:
    """R33: a draft's facts changed (what is left out stays); each change in its history."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    request = _draft_locked(request_id, actor)
    before = snapshot(request, EDITABLE)
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        if name == "serial_number":
            value = value.upper()
        if name == "purchase_date":
            value = _purchase_date(value)
        setattr(request, name, value)
    request.full_clean()
    request.save()
    after = snapshot(request, EDITABLE)
    changed = changes_record(instance=request, before=before, after=after, actor=actor)
    if changed:
        step_record(request, action="edit", actor=actor, note=", ".join(c.field_label for c in changed))
    return request


@transaction.atomic
def return_delete(*, request_id: int, actor) -> None:
    """A draft never submitted is thrown away (a submitted one is cancelled instead)."""
    request = _draft_locked(request_id, actor)
    if request.submitted_at is not None:  # pragma: no cover - a submitted request is never a draft again
        raise TransitionNotAllowed(
            _("This request was submitted: cancel it instead."), code="return_not_draft"
        )
    for photo in request.photos.all():
        photo.file.delete(save=False)
    request.delete()


# --- photos ------------------------------------------------------------------------------------------


def may_add_photos(user, request: ReturnRequest) -> bool:
    """Photos of the product come with the request and at the pickup and inspection: from who may
    draw it up while a draft, then from customer service and the logistics desk (engineers on
    their own work orders' requests, a dealer's staff on their dealer's) until it ends."""
    if not user.is_authenticated or request.state in ENDED:
        return False
    if request.state == ReturnState.DRAFT:
        return may_edit(user, request)
    if not user.has_role(*(REQUESTERS | LOGISTICS)):
        return False
    if user.role == Role.ENGINEER and not user.is_superuser and engineer_user_of(request) != user.pk:
        return False
    return dealer_refusal(user, request) is None


def _photo_checked(upload: UploadedFile) -> tuple[UploadedFile, str]:
    """An image within the attachment size limit, recognised by its content, under a new name."""
    if (upload.size or 0) > settings.ATTACHMENT_MAX_BYTES:
        raise DomainError(
            _("The photo is larger than %(limit)d MB.")
            % {"limit": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)},
            code="return_photo_invalid",
            field="photo",
        )
    kind = filetype.guess(upload.read(261))
    upload.seek(0)
    if kind is None or kind.mime not in PHOTO_TYPES:
        raise DomainError(
            _("Take or choose a photo (JPEG, PNG, GIF or WebP)."), code="return_photo_invalid", field="photo"
        )
    upload.name = f"{uuid.uuid4().hex}.{PHOTO_TYPES[kind.mime]}"
    return upload, kind.mime


@transaction.atomic
def return_photo_add(*, request_id: int, actor, upload: UploadedFile, description: str = "") -> ReturnPhoto:
    """R33: a photo of the product (condition, fault, packaging, invoice)."""
    request = RETURN_REQUEST.lock(request_id)
    if not may_add_photos(actor, request):
        raise NotPermitted(_("You may not add photos to this request now."))
    name, size = (upload.name or "photo")[:255], upload.size or 0
    checked, mime = _photo_checked(upload)
    photo = ReturnPhoto(
        request=request,
        original_name=name,
        content_type=mime,
        size=size,
        description=(description or "").strip()[:255],
        uploaded_by=actor,
    )
    photo.file = checked
    photo.save()
    step_record(request, action="photo", actor=actor, note=photo.description or name)
    return photo


@transaction.atomic
def return_photo_remove(*, photo_id: int, actor) -> ReturnRequest:
    """A photo taken off a draft."""
    photo = ReturnPhoto.objects.get(pk=photo_id)
    request = _draft_locked(photo.request_id, actor)
    photo.file.delete(save=False)
    photo.delete()
    step_record(request, action="photo_remove", actor=actor, note=photo.original_name)
    return request


# --- the lifecycle ----------------------------------------------------------------------------------


def return_transition(*, request_id: int, action: str, actor, **inputs: Any) -> ReturnRequest:
    """R33: one step of the request (`transitions.RETURN_REQUEST`): row locked, refused from another
    state (409), for another role (403) or outside the rules (409 naming the rule), each step in its
    history and on its work order's timeline."""
    return transition_run(RETURN_REQUEST, pk=request_id, action=action, actor=actor, inputs=inputs)


def defective_stock_post(
    *, request: ReturnRequest, part: Part | int | str, quantity: Any, actor
) -> tuple[Warehouse, Part, int]:
    """R33, R32: the part taken back goes into the defective location (不良品) of the work order's
    service point, HQ's without one, at no value (it is not good stock), through the parts app's
    ledger with the request's number as its document."""
    if not isinstance(part, Part):
        try:
            part = Part.objects.get(pk=int(str(part)))
        except (Part.DoesNotExist, ValueError):
            raise DomainError(_("Choose a part of the catalog."), code="invalid", field="part") from None
    count = stock.quantity_checked(quantity)
    point = request.work_order.service_point if request.work_order is not None else None
    warehouse = defective_location(point)
    stock.post(
        [stock.Change(warehouse.pk, part.pk, count, MoveKind.CUSTOMER_RETURN, unit_cost=ZERO, value=ZERO)],
        actor=actor,
        reference=request.number,
        work_order=request.work_order if request.work_order_id else None,
        note=_("Returned by the customer on %(number)s") % {"number": request.number},
    )
    return warehouse, part, count


# --- telling the customer ------------------------------------------------------------------------------

CUSTOMER_NOTICES = {
    "approve": (
        gettext_lazy("Your %(kind)s request %(number)s has been approved"),
        gettext_lazy(
            "Dear customer, your %(kind)s request %(number)s has been approved. We will arrange the "
            "pickup of the product with you."
        ),
    ),
    "refuse": (
        gettext_lazy("Your %(kind)s request %(number)s could not be accepted"),
        gettext_lazy("Dear customer, your %(kind)s request %(number)s could not be accepted: %(reason)s"),
    ),
    "ship_replacement": (
        gettext_lazy("The replacement for %(number)s is on its way"),
        gettext_lazy(
            "Dear customer, the replacement for your request %(number)s has been shipped by %(carrier)s, "
            "tracking number %(tracking)s."
        ),
    ),
}


@RETURN_REQUEST.register_hook
def customer_notified(run: TransitionRun) -> None:
    """R33: the customer hears of the decision (approved, or refused with the reason) and of the
    replacement's shipment (carrier and tracking number), by SMS to the work order's contact (the
    customer's phone without one) and by e-mail when the customer has an address, in the
    company's language, once per step (queued on commit: a rolled-back step sends nothing)."""
    texts = CUSTOMER_NOTICES.get(run.transition.name)
    if texts is None:
        return
    request: ReturnRequest = run.obj
    customer = request.customer
    phone = request.work_order.contact_phone if request.work_order is not None else customer.phone
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "number": request.number,
            "kind": _("exchange") if request.is_exchange else _("return"),
            "reason": request.refusal_reason,
            "carrier": request.replacement_carrier,
            "tracking": request.replacement_tracking_number,
        }
        subject, body = (str(text) % values for text in texts)
    customer_message_queue(
        phone=phone,
        email=customer.email,
        subject=subject,
        body=body,
        key_prefix=f"return:{request.number}:{run.transition.name}",
    )


# --- the rules ------------------------------------------------------------------------------------------

POLICY_FIELDS = (
    "return_days",
    "exchange_days",
    "return_conditions",
    "exchange_conditions",
    "proof_required",
    "follow_up_days",
)


@transaction.atomic
def policy_update(*, actor, **values: Any) -> ReturnPolicy:
    """R33: HQ changes the rules (supervisors and HQ admins); every change in the history (R41).
    Conditions are lists of `ItemCondition` values."""
    if not may_keep_policy(actor):
        raise NotPermitted(_("Only HQ changes the return and exchange rules."))
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise ValueError(f"not a rule: {sorted(unknown)}")
    policy = ReturnPolicy.objects.select_for_update().order_by("pk").first() or policy_current()
    before = snapshot(policy, POLICY_FIELDS) if policy.pk else {}
    for name in ("return_conditions", "exchange_conditions"):
        if name in values:
            chosen = list(dict.fromkeys(values[name] or []))
            if any(value not in ItemCondition.values for value in chosen):
                raise ValidationError({name: [_("Choose among the conditions offered.")]})
            values[name] = [value for value in ItemCondition.values if value in chosen]
    for name, value in values.items():
        setattr(policy, name, value)
    policy.updated_by = actor
    policy.full_clean()
    policy.save()
    changes_record(instance=policy, before=before, after=snapshot(policy, POLICY_FIELDS), actor=actor)
    return policy
