"""Writes for on-site visits (R12), their sign-off (R15-R17) and supervision cards (R19)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales.accounts.choices import Role
from aftersales.core.errors import ConcurrentUpdate, DomainError, NotPermitted, TransitionNotAllowed
from aftersales.core.pdf import render_pdf
from aftersales.core.services import number_next
from aftersales.workorders.choices import State
from aftersales.workorders.events import event_record
from aftersales.workorders.models import Attachment, WorkOrder
from aftersales.workorders.services import attachment_add, workorder_transition
from aftersales.workorders.transitions import WORKORDER

from ..choices import ACTIVE_VISIT_STATES, SignatureKind, SignOffOutcome, VisitState
from ..events import SIGNOFF, VISIT
from ..models import Appointment, AppointmentState, SignOff, SupervisionCard, Visit, VisitPart
from ..selectors import (
    self_check_labels,
    service_form_context,
)
from ..transitions import FIELD_LEADS, SUPERVISION_TRANSITIONS, VISIT_TRANSITIONS
from .appointments import appointment_cancel

VISIT_NUMBER_PREFIX = "SV"
SIGNATURE_MAX_BYTES = 2 * 1024 * 1024
SIGNATURE_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}
SERVICE_FORM_TEMPLATE = "field/forms/service_form.html"


def _visit_event(visit: Visit, *, actor, action: str, note: str, kind: str = VISIT) -> None:
    event_record(visit.work_order, kind=kind, actor=actor, action=action, note=f"{visit.number} · {note}")


def _visit_locked(visit_id: int, expected_version: int | None) -> Visit:
    visit = (
        Visit.objects.select_for_update(of=("self",))
        .select_related("work_order__customer", "engineer__user", "appointment")
        .get(pk=visit_id)
    )
    if expected_version is not None and visit.version != int(expected_version):
        raise ConcurrentUpdate(
            _("Visit %(number)s was changed by someone else meanwhile; reload it and try again.")
            % {"number": visit.number},
            field="version",
        )
    return visit


def _visit_check_actor(visit: Visit, actor) -> None:
    """The field steps are for the visit's engineer and for supervisors (R12)."""
    if not VISIT_TRANSITIONS["arrive"].permits(actor, visit.engineer):
        raise NotPermitted(_("Only the visit's engineer or a supervisor may do this."))


def _visit_check_on_site(visit: Visit) -> None:
    """What the customer sees and signs is recorded on site and frozen by the signature."""
    if visit.state != VisitState.ON_SITE:
        raise TransitionNotAllowed(_("Check in first: the visit record is kept while on site."))
    if SignOff.objects.filter(visit=visit).exists():
        raise TransitionNotAllowed(
            _("The customer has already signed off this visit; its record can no longer change.")
        )


def _visit_save(visit: Visit, *fields: str) -> None:
    visit.version += 1
    visit.full_clean()
    visit.save(update_fields=[*fields, "version", "updated_at"])


@transaction.atomic
def visit_create(
    *,
    work_order: WorkOrder,
    actor,
    appointment: Appointment | None = None,
    planned_date: date | None = None,
) -> Visit:
    """R12: plan a visit of the engineer assigned to the work order, from a booked appointment
    (its day, window and engineer; one visit per appointment) or for a day (today by default).

    The work order must be assigned and open; dispatch roles, supervisors and the assigned engineer
    may plan it. The self-check list configured at that time is copied onto the visit."""
    work_order = (
        WorkOrder.objects.select_for_update(of=("self",)).select_related("engineer").get(pk=work_order.pk)
    )
    if (
        work_order.state not in (State.ASSIGNED, State.IN_SERVICE, State.WAITING)
        or work_order.engineer is None
    ):
        raise TransitionNotAllowed(
            _("A visit can be planned only for an assigned, open work order."), code="not_assigned"
        )
    own = actor.role == Role.ENGINEER and work_order.engineer.user_id == actor.pk
    if not (own or actor.dispatches or actor.has_role(*FIELD_LEADS)):
        raise NotPermitted(_("Only dispatchers, supervisors and the assigned engineer may plan a visit."))
    visit = Visit(work_order=work_order, engineer=work_order.engineer, created_by=actor)
    if appointment is not None:
        if appointment.work_order_id != work_order.pk or appointment.state != AppointmentState.BOOKED:
            raise DomainError(_("Only a booked appointment of this work order can become a visit."))
        if Visit.objects.filter(appointment=appointment).exists():
            raise DomainError(_("This appointment already has its visit."), code="duplicate")
        visit.appointment = appointment
        visit.engineer = appointment.engineer
        visit.planned_date = appointment.date
        visit.window_start, visit.window_end = appointment.window_start, appointment.window_end
    else:
        visit.planned_date = planned_date or timezone.localdate()
    visit.checklist = [{"label": label, "ok": False} for label in self_check_labels(work_order)]
    visit.number = number_next(prefix=VISIT_NUMBER_PREFIX)
    visit.full_clean()
    visit.save()
    window = f" {visit.window_start:%H:%M}–{visit.window_end:%H:%M}" if visit.window_start else ""
    _visit_event(
        visit,
        actor=actor,
        action="visit_plan",
        note=_("Visit planned for %(date)s%(window)s with %(engineer)s")
        % {"date": f"{visit.planned_date:%Y-%m-%d}", "window": window, "engineer": visit.engineer},
    )
    return visit


@transaction.atomic
def visits_follow_engineer(*, work_order: WorkOrder, actor) -> list[Visit]:
    """R12, R5: after a reassignment, the work order's visits not started yet go to the new
    engineer with their appointment; one whose appointment had to be cancelled is cancelled too.
    Each change is on the timeline. Returns the visits changed."""
    engineer = work_order.engineer
    if engineer is None:
        return []
    pending = (
        Visit.objects.select_for_update(of=("self",))
        .select_related("work_order", "engineer__user", "appointment")
        .filter(work_order=work_order, state=VisitState.BOOKED)
        .exclude(engineer=engineer)
        .order_by("id")
    )
    changed = []
    for visit in pending:
        names = {"before": visit.engineer, "after": engineer}
        if visit.appointment is not None and visit.appointment.state == AppointmentState.CANCELLED:
            visit.state, visit.cancel_reason = VisitState.CANCELLED, visit.appointment.reason
            note = _("Visit cancelled: %(reason)s") % {"reason": visit.cancel_reason}
        else:
            visit.engineer = engineer
            note = _("Engineer changed from %(before)s to %(after)s") % names
        _visit_save(visit, "state", "cancel_reason", "engineer")
        _visit_event(visit, actor=actor, action="visit_engineer", note=note)
        changed.append(visit)
    return changed


def _decimal(value, *, field: str, limit: int, places: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation as error:
        raise DomainError(_("The location is not a number."), code="invalid_location", field=field) from error
    if not number.is_finite() or abs(number) > limit:
        raise DomainError(_("The location is out of range."), code="invalid_location", field=field)
    return number.quantize(Decimal(places))


def _location(latitude, longitude, accuracy) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """The browser's position (WGS-84 degrees, accuracy in metres) when it gave one; both or none."""
    lat = _decimal(latitude, field="latitude", limit=90, places="0.000001")
    lng = _decimal(longitude, field="longitude", limit=180, places="0.000001")
    if (lat is None) != (lng is None):
        raise DomainError(_("Give both latitude and longitude."), code="invalid_location", field="latitude")
    if lat is None:
        return None, None, None
    acc = _decimal(accuracy, field="accuracy", limit=9_999_999, places="0.1")
    return lat, lng, (abs(acc) if acc is not None else None)


def _location_text(lat, lng, acc) -> str:
    if lat is None:
        return _("no location")
    accuracy = f" ±{acc:.0f} m" if acc is not None else ""
    return f"{lat}, {lng}{accuracy}"


def _visit_starts_work_order(visit: Visit, actor) -> None:
    """The first trip or check-in starts the service of an assigned work order, unless a guard of
    the lifecycle holds it back."""
    work_order = visit.work_order
    if work_order.state != State.ASSIGNED or not WORKORDER.permits(WORKORDER["start"], actor, work_order):
        return
    try:
        with transaction.atomic():
            workorder_transition(
                work_order_id=work_order.pk,
                action="start",
                actor=actor,
                note=_("On-site visit %(number)s") % {"number": visit.number},
            )
    except TransitionNotAllowed:
        pass  # e.g. the service plan is not confirmed yet (R8): the visit goes on, the work waits


def supervision_due(visit: Visit) -> datetime:
    """R19: the card is due by the end of the visit's day (local time)."""
    day = visit.day + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


@transaction.atomic
def visit_transition(
    *,
    visit_id: int,
    action: str,
    actor,
    expected_version: int | None = None,
    reason: str = "",
    latitude=None,
    longitude=None,
    accuracy=None,
) -> Visit:
    """R12: run one step of the visit's lifecycle (`transitions.VISIT_TRANSITIONS`).

    Row locked; refused from other states (409) or for other people (403). Start trip and check-in
    record the time, check-in and check-out also the location when the phone gave it; the first
    of them starts an assigned work order. Check-out needs the customer's sign-off or recorded
    refusal (R15, R17) and opens the day's supervision card (R19). Cancelling needs a reason and
    cancels the booked appointment (the customer is told). Each step is on the timeline."""
    transition = VISIT_TRANSITIONS.get(action)
    if transition is None:
        raise DomainError(_("Unknown action."), code="unknown_action", field="action")
    visit = _visit_locked(visit_id, expected_version)
    if not transition.allows_state(visit.state):
        raise TransitionNotAllowed(
            _("“%(action)s” is not possible while the visit is %(state)s.")
            % {"action": transition.label, "state": visit.get_state_display()}
        )
    if not transition.permits(actor, visit.engineer):
        raise NotPermitted(_("You may not “%(action)s” this visit.") % {"action": transition.label})
    reason = (reason or "").strip()
    if transition.needs_reason and not reason:
        raise DomainError(_("Give a reason."), code="required", field="reason")
    now = timezone.now()
    lat, lng, acc = _location(latitude, longitude, accuracy)
    note = transition.label
    changed = ["state"]
    if action == "depart":
        visit.departed_at = now
        changed.append("departed_at")
    elif action == "arrive":
        visit.arrived_at = now
        visit.checkin_latitude, visit.checkin_longitude, visit.checkin_accuracy = lat, lng, acc
        changed += ["arrived_at", "checkin_latitude", "checkin_longitude", "checkin_accuracy"]
        note = _("Checked in at %(time)s (%(where)s)") % {
            "time": f"{timezone.localtime(now):%H:%M}",
            "where": _location_text(lat, lng, acc),
        }
    elif action == "leave":
        if not SignOff.objects.filter(visit=visit).exists():
            raise DomainError(
                _("Have the customer sign off the visit, or record the refusal, before checking out."),
                code="signoff_missing",
            )
        visit.left_at = now
        visit.checkout_latitude, visit.checkout_longitude, visit.checkout_accuracy = lat, lng, acc
        changed += ["left_at", "checkout_latitude", "checkout_longitude", "checkout_accuracy"]
        note = _("Checked out at %(time)s (%(where)s)") % {
            "time": f"{timezone.localtime(now):%H:%M}",
            "where": _location_text(lat, lng, acc),
        }
    elif action == "cancel":
        visit.cancel_reason = reason
        changed.append("cancel_reason")
        note = _("Visit cancelled: %(reason)s") % {"reason": reason}
    visit.state = transition.target
    _visit_save(visit, *changed)
    _visit_event(visit, actor=actor, action=f"visit_{action}", note=note)
    if action in ("depart", "arrive"):
        _visit_starts_work_order(visit, actor)
    elif action == "leave":
        SupervisionCard.objects.create(visit=visit, due_at=supervision_due(visit))
        if visit.appointment is not None and visit.appointment.is_booked:
            Appointment.objects.filter(pk=visit.appointment.pk).update(state=AppointmentState.DONE)
    elif action == "cancel" and visit.appointment is not None and visit.appointment.is_booked:
        appointment_cancel(appointment_id=visit.appointment.pk, reason=reason, actor=actor)
    return visit


@transaction.atomic
def visit_record(
    *,
    visit_id: int,
    actor,
    findings: str,
    checked: Iterable[int] = (),
    plan_change: str = "",
    plan_change_agreed: bool | None = None,
    expected_version: int | None = None,
) -> Visit:
    """R12, R15: what the engineer found and did, the self-check items done (by position), and new
    findings that change the plan with whether the customer agreed to the change. Kept on site
    only, until the customer signs; a changed plan is written to the timeline."""
    visit = _visit_locked(visit_id, expected_version)
    _visit_check_actor(visit, actor)
    _visit_check_on_site(visit)
    plan_change = (plan_change or "").strip()
    if plan_change and plan_change_agreed is None:
        raise ValidationError(
            {"plan_change_agreed": [_("Record whether the customer agreed to the change.")]}
        )
    checked = {int(i) for i in checked}
    plan_before = (visit.plan_change, visit.plan_change_agreed)
    visit.findings = (findings or "").strip()
    visit.checklist = [{"label": item["label"], "ok": i in checked} for i, item in enumerate(visit.checklist)]
    visit.plan_change = plan_change
    visit.plan_change_agreed = plan_change_agreed if plan_change else None
    _visit_save(visit, "findings", "checklist", "plan_change", "plan_change_agreed")
    if plan_change and (visit.plan_change, visit.plan_change_agreed) != plan_before:
        agreed = _("the customer agreed") if plan_change_agreed else _("the customer did not agree")
        _visit_event(
            visit,
            actor=actor,
            action="visit_plan_change",
            note=_("New findings change the plan (%(agreed)s): %(change)s")
            % {"agreed": agreed, "change": plan_change},
        )
    return visit


@transaction.atomic
def visit_part_add(
    *,
    visit_id: int,
    actor,
    part_number: str,
    name: str,
    quantity: int = 1,
    shown_to_customer: bool = True,
) -> VisitPart:
    """R12: a part replaced on site, shown to the customer, recorded on the visit and its timeline."""
    visit = _visit_locked(visit_id, None)
    _visit_check_actor(visit, actor)
    _visit_check_on_site(visit)
    part = VisitPart(
        visit=visit,
        part_number=(part_number or "").strip().upper(),
        name=(name or "").strip(),
        quantity=quantity,
        shown_to_customer=shown_to_customer,
        created_by=actor,
    )
    part.full_clean()
    part.save()
    _visit_event(visit, actor=actor, action="visit_part", note=_("Part replaced: %(part)s") % {"part": part})
    return part


@transaction.atomic
def visit_part_remove(*, part_id: int, actor) -> None:
    """Remove a part recorded by mistake, while on site and before the customer signs."""
    part = VisitPart.objects.select_related("visit").get(pk=part_id)
    visit = _visit_locked(part.visit_id, None)
    _visit_check_actor(visit, actor)
    _visit_check_on_site(visit)
    part.delete()
    _visit_event(visit, actor=actor, action="visit_part", note=_("Part removed: %(part)s") % {"part": part})


@transaction.atomic
def visit_photo_add(*, visit_id: int, actor, upload: UploadedFile, description: str = "") -> Attachment:
    """R12: a photo taken on site, kept as an attachment of the work order (catalogued by month,
    R21) and named after the visit."""
    visit = _visit_locked(visit_id, None)
    _visit_check_actor(visit, actor)
    if visit.state != VisitState.ON_SITE:
        raise TransitionNotAllowed(_("Check in first: the visit record is kept while on site."))
    kind = filetype.guess(upload.read(261))
    upload.seek(0)
    if kind is None or not kind.mime.startswith("image/"):
        raise ValidationError({"file": [_("Take or choose a photo (an image file).")]})
    label = (description or "").strip() or _("Photo")
    return attachment_add(
        work_order=visit.work_order, actor=actor, upload=upload, description=f"{visit.number} · {label}"
    )


def visit_internal_open(visit: Visit) -> bool:
    """R16: the internal fields stay editable, on site or after, until the work order closes."""
    return visit.state != VisitState.CANCELLED and visit.work_order.state not in (
        State.CLOSED,
        State.CANCELLED,
    )


def visit_may_edit_internal(user, visit: Visit) -> bool:
    """The visit's engineer, supervisors and clerks, while the work order is not closed (R16)."""
    allowed = VISIT_TRANSITIONS["arrive"].permits(user, visit.engineer) or user.has_role(Role.CLERK)
    return allowed and visit_internal_open(visit)


@transaction.atomic
def visit_internal_update(
    *, visit_id: int, actor, fault_cause: str, repair_measures: str, expected_version: int | None = None
) -> Visit:
    """R16: the internal fault cause and repair measures, never on the customer's copy; they may be
    filled in after leaving the site, until the work order is closed. For the visit's engineer,
    supervisors and clerks."""
    visit = _visit_locked(visit_id, expected_version)
    if not (VISIT_TRANSITIONS["arrive"].permits(actor, visit.engineer) or actor.has_role(Role.CLERK)):
        raise NotPermitted(_("Only the visit's engineer, a clerk or a supervisor may do this."))
    if not visit_internal_open(visit):
        raise TransitionNotAllowed(
            _("The fault cause and measures can no longer change: the work order is closed.")
        )
    visit.fault_cause = (fault_cause or "").strip()
    visit.repair_measures = (repair_measures or "").strip()
    _visit_save(visit, "fault_cause", "repair_measures")
    _visit_event(
        visit, actor=actor, action="visit_internal", note=_("Internal fault cause and measures updated")
    )
    return visit


# Sign-off (R15-R17) ---------------------------------------------------------------------------


def signoff_content_hash(content: dict) -> str:
    """SHA-256 of the canonical JSON of the signed content (sorted keys, no spaces, UTF-8)."""
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def signoff_content(visit: Visit, **answers: Any) -> dict:
    """What the customer is shown and signs: the customer's copy of the service form. The internal
    fault cause and measures are not part of it (R16), so they may still change afterwards."""
    work_order = visit.work_order
    return {
        "form": "service_form",
        "work_order": work_order.number,
        "visit": visit.number,
        "customer": work_order.customer.name,
        "device": work_order.device_model_label,
        "serial_number": work_order.serial_number,
        "engineer": str(visit.engineer),
        "checked_in_at": timezone.localtime(visit.arrived_at).isoformat() if visit.arrived_at else "",
        "findings": visit.findings,
        "parts": [[p.part_number, p.name, p.quantity] for p in visit.parts.order_by("id")],
        "self_check": [[item["label"], bool(item.get("ok"))] for item in visit.checklist],
        "plan_change": visit.plan_change,
        "plan_change_agreed": visit.plan_change_agreed,
        **answers,
    }


def _rating(value, field: str, *, required: bool) -> int | None:
    if value in (None, ""):
        if required:
            raise ValidationError({field: [_("Give a rating from 1 to 5.")]})
        return None
    try:
        rating = int(value)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError({field: [_("Give a rating from 1 to 5.")]})
    return rating


def _signature_image(*, drawn: str, stamp: UploadedFile | None) -> tuple[bytes, str, str]:
    """The signature as image bytes, its kind and extension: the PNG drawn on the screen (a data
    URL from the signature pad) or an uploaded stamp/scan (PNG, JPEG, WebP), size-limited."""
    if stamp is not None:
        data, kind = stamp.read(SIGNATURE_MAX_BYTES + 1), SignatureKind.STAMP
    elif drawn:
        header, _sep, encoded = drawn.partition(",")
        try:
            data = base64.b64decode(encoded, validate=True) if header.endswith(";base64") else b""
        except (binascii.Error, ValueError):
            data = b""
        kind = SignatureKind.DRAWN
    else:
        raise ValidationError(
            {
                "signature": [
                    _("Have the customer sign on the screen or upload a stamp or scan, or record a refusal.")
                ]
            }
        )
    guessed = filetype.guess(data[:261]) if data else None
    if guessed is None or guessed.mime not in SIGNATURE_TYPES:
        raise ValidationError({"signature": [_("The signature must be a PNG, JPEG or WebP image.")]})
    if len(data) > SIGNATURE_MAX_BYTES:
        raise ValidationError({"signature": [_("The signature image is too large.")]})
    return data, kind, SIGNATURE_TYPES[guessed.mime]


def _signoff_check(visit: Visit, actor) -> None:
    _visit_check_actor(visit, actor)
    _visit_check_on_site(visit)


def _signed_form_store(signoff: SignOff, *, actor) -> Attachment:
    """R15, R21: the signed service form as a PDF attachment of the work order (catalogued by
    month), rendered in the company's language from the same template as its print view."""
    visit = signoff.visit
    with translation.override(settings.LANGUAGE_CODE):
        pdf = render_pdf(SERVICE_FORM_TEMPLATE, service_form_context(visit, signoff=signoff))
        name = _("Service form %(number)s signed.pdf") % {"number": visit.number}
        description = _("Service form %(number)s signed by the customer") % {"number": visit.number}
    upload = SimpleUploadedFile(name, pdf, content_type="application/pdf")
    return attachment_add(work_order=visit.work_order, actor=actor, upload=upload, description=description)


def _signoff_save(signoff: SignOff, *, actor) -> SignOff:
    signoff.content_hash = signoff_content_hash(signoff.content)
    signoff.full_clean(exclude=["document"])
    if signoff.is_signed:
        signoff.document = _signed_form_store(signoff, actor=actor)
    signoff.save()
    return signoff


@transaction.atomic
def visit_sign(
    *,
    visit_id: int,
    actor,
    quality_rating,
    attitude_rating,
    satisfied: bool,
    signer_name: str,
    drawn_signature: str = "",
    stamp: UploadedFile | None = None,
    comment: str = "",
    expected_version: int | None = None,
) -> SignOff:
    """R15, R16: the customer's joint acceptance on site: ratings of repair quality and service
    attitude (1-5), satisfied or not, and the signature drawn on the screen or an uploaded
    stamp/scan, kept as an image with the time and the SHA-256 of the form content signed. The
    signed service form is stored as a PDF attachment of the work order. A satisfied customer lets
    the work order complete; an unsatisfied one keeps it open for follow-up (R17)."""
    visit = _visit_locked(visit_id, expected_version)
    _signoff_check(visit, actor)
    quality = _rating(quality_rating, "quality_rating", required=True)
    attitude = _rating(attitude_rating, "attitude_rating", required=True)
    signer_name = (signer_name or "").strip()
    if not signer_name:
        raise ValidationError({"signer_name": [_("Enter the name of the person signing.")]})
    image, kind, extension = _signature_image(drawn=drawn_signature, stamp=stamp)
    signed_at = timezone.now()
    answers = {
        "outcome": SignOffOutcome.SIGNED.value,
        "quality_rating": quality,
        "attitude_rating": attitude,
        "satisfied": bool(satisfied),
        "comment": (comment or "").strip(),
        "signer_name": signer_name,
        "signed_at": timezone.localtime(signed_at).isoformat(),
        "signature_sha256": hashlib.sha256(image).hexdigest(),
    }
    signoff = SignOff(
        visit=visit,
        outcome=SignOffOutcome.SIGNED,
        quality_rating=quality,
        attitude_rating=attitude,
        satisfied=bool(satisfied),
        comment=answers["comment"],
        signer_name=signer_name,
        signature=ContentFile(image, name=f"signature.{extension}"),
        signature_kind=kind,
        signed_at=signed_at,
        content=signoff_content(visit, **answers),
        recorded_by=actor,
    )
    _signoff_save(signoff, actor=actor)
    values = {
        "name": signer_name,
        "quality": quality,
        "attitude": attitude,
        "hash": signoff.content_hash[:12],
    }
    if signoff.allows_completion:
        note = _(
            "Signed by %(name)s, satisfied; repair quality %(quality)s/5, attitude %(attitude)s/5 "
            "(SHA-256 %(hash)s…)"
        )
    else:
        note = _(
            "Signed by %(name)s, NOT satisfied; repair quality %(quality)s/5, attitude %(attitude)s/5 "
            "(SHA-256 %(hash)s…). The work order stays open for follow-up."
        )
    _visit_event(visit, actor=actor, action="signed", note=note % values, kind=SIGNOFF)
    return signoff


@transaction.atomic
def visit_signoff_refuse(
    *,
    visit_id: int,
    actor,
    reason: str,
    quality_rating=None,
    attitude_rating=None,
    satisfied: bool | None = None,
    comment: str = "",
    expected_version: int | None = None,
) -> SignOff:
    """R17: a signature is never forced. The customer's refusal is recorded with its reason (and
    any ratings given), hashed like a signature; the work order stays open for follow-up."""
    visit = _visit_locked(visit_id, expected_version)
    _signoff_check(visit, actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"refusal_reason": [_("Give the reason the customer refused to sign.")]})
    quality = _rating(quality_rating, "quality_rating", required=False)
    attitude = _rating(attitude_rating, "attitude_rating", required=False)
    signed_at = timezone.now()
    answers = {
        "outcome": SignOffOutcome.REFUSED.value,
        "quality_rating": quality,
        "attitude_rating": attitude,
        "satisfied": satisfied,
        "comment": (comment or "").strip(),
        "refusal_reason": reason,
        "signed_at": timezone.localtime(signed_at).isoformat(),
    }
    signoff = SignOff(
        visit=visit,
        outcome=SignOffOutcome.REFUSED,
        quality_rating=quality,
        attitude_rating=attitude,
        satisfied=satisfied,
        comment=answers["comment"],
        refusal_reason=reason,
        signed_at=signed_at,
        content=signoff_content(visit, **answers),
        recorded_by=actor,
    )
    _signoff_save(signoff, actor=actor)
    _visit_event(
        visit,
        actor=actor,
        action="refused",
        note=_("The customer refused to sign: %(reason)s. The work order stays open for follow-up.")
        % {"reason": reason},
        kind=SIGNOFF,
    )
    return signoff


def workorder_completion_check(work_order: WorkOrder) -> None:
    """R15, R17: a work order completes only once its visits are checked out and the customer's
    latest sign-off is signed and satisfied; a refusal or an unsatisfied customer keeps it open
    until a later visit satisfies them. Work without visits (e.g. remote) is not concerned."""
    active = work_order.visits.filter(state__in=ACTIVE_VISIT_STATES).first()
    if active is not None:
        raise TransitionNotAllowed(
            _("Visit %(number)s is still under way: check out first.") % {"number": active.number},
            code="visit_active",
        )
    latest = SignOff.objects.filter(visit__work_order=work_order).select_related("visit").first()
    if latest is not None and not latest.allows_completion:
        raise TransitionNotAllowed(
            _(
                "The customer of visit %(number)s refused to sign or is not satisfied: the work order stays "
                "open for follow-up until a visit satisfies them."
            )
            % {"number": latest.visit.number},
            code="customer_not_satisfied",
        )


# Supervision cards (R19) ----------------------------------------------------------------------


@transaction.atomic
def supervision_transition(
    *,
    card_id: int,
    action: str,
    actor,
    summary: str = "",
    note: str = "",
    expected_version: int | None = None,
) -> SupervisionCard:
    """R19: the engineer submits the visit's supervision card with their feedback (due the same
    day; a late one stays flagged), the service centre verifies it or sends it back with a note.
    Row locked; refused from other states or for other people; each step is on the timeline. The
    first submission time is kept, so a card sent back and resubmitted is not made late by it."""
    transition = SUPERVISION_TRANSITIONS.get(action)
    if transition is None:
        raise DomainError(_("Unknown action."), code="unknown_action", field="action")
    card = (
        SupervisionCard.objects.select_for_update(of=("self",))
        .select_related("visit__work_order", "visit__engineer__user")
        .get(pk=card_id)
    )
    if expected_version is not None and card.version != int(expected_version):
        raise ConcurrentUpdate(_("Someone else changed this card meanwhile; reload it and try again."))
    if not transition.allows_state(card.state):
        raise TransitionNotAllowed(
            _("“%(action)s” is not possible while the card is %(state)s.")
            % {"action": transition.label, "state": card.get_state_display()}
        )
    if not transition.permits(actor, card.visit.engineer):
        raise NotPermitted(_("You may not “%(action)s” this card.") % {"action": transition.label})
    now, note = timezone.now(), (note or "").strip()
    if action == "submit":
        card.summary = (summary or "").strip()
        if not card.summary:
            raise ValidationError({"summary": [_("Write the feedback of the visit.")]})
        card.submitted_at = card.submitted_at or now
        card.submitted_by = actor
        text = _("Supervision card submitted") + (f" ({_('late')})" if card.is_late(now) else "")
    elif transition.needs_reason and not note:
        raise ValidationError({"note": [_("Give a reason.")]})
    else:
        card.verification_note = note
        if action == "verify":
            card.verified_at, card.verified_by = now, actor
            text = _("Supervision card verified")
        else:
            text = _("Supervision card sent back: %(note)s") % {"note": note}
    card.state = transition.target
    card.version += 1
    card.full_clean()
    card.save()
    _visit_event(card.visit, actor=actor, action=f"card_{action}", note=text)
    return card
