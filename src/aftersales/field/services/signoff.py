"""Writes of the customer's acceptance of a visit (R15-R17): the signature with ratings, or the
recorded refusal, each hashed over the content shown to the customer and written once; the signed
service form kept as a PDF attachment of the work order (R21), rendered by a job after the commit;
the completion guard of the work order (R15, R17)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales.core.jobs import job_after_commit
from aftersales.core.pdf import render_pdf
from aftersales.workorders.events import event_record
from aftersales.workorders.models import Attachment, WorkOrder
from aftersales.workorders.services import attachment_add

from ..choices import SignatureKind, SignedFormState, SignOffOutcome
from ..events import NOT_SATISFIED, SATISFIED, SIGNOFF
from ..models import SignedForm, SignOff, Visit
from ..policies import RECORD_SIGNOFF, completion_refusal
from ..printing import service_form_context
from ..transitions import VISIT
from .visits import visit_check, visit_check_record_open

logger = logging.getLogger(__name__)

SIGNATURE_MAX_BYTES = 2 * 1024 * 1024
SIGNATURE_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}
SERVICE_FORM_TEMPLATE = "field/forms/service_form.html"
# R16, R17: a rating this low (1 = very unsatisfied, 2 = unsatisfied) with "satisfied: yes" is
# probably a slip on the phone: the engineer checks with the customer and confirms it.
LOW_RATING = 2
# The periodic job: a failed form is tried this many times; with a broker, a form still pending
# after this long lost its queued job (broker down) and is rendered by the periodic job instead.
SIGNED_FORM_MAX_ATTEMPTS = 5
SIGNED_FORM_GRACE = timedelta(minutes=2)


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


def low_rating_check(*ratings: int | None, satisfied: bool, confirmed: bool) -> None:
    """R16, R17: "satisfied" with a rating of 1 or 2 needs the engineer's confirmation that the
    customer meant both (ValidationError on `confirm_low_rating` otherwise)."""
    if satisfied and not confirmed and any(r is not None and r <= LOW_RATING for r in ratings):
        raise ValidationError(
            {
                "confirm_low_rating": [
                    ValidationError(
                        _(
                            "The customer gave a rating of 1 or 2 but says they are satisfied: check "
                            "with them, then confirm both answers (or correct them)."
                        ),
                        code="low_rating_unconfirmed",
                    )
                ]
            }
        )


@dataclass(frozen=True)
class Signature:
    """The signature as image bytes, its kind and file extension."""

    image: bytes
    kind: str
    extension: str


def signature_image(*, drawn: str, stamp: UploadedFile | None) -> Signature:
    """The PNG drawn on the screen (a data URL from the signature pad) or an uploaded stamp/scan
    (PNG, JPEG, WebP), size-limited."""
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
        message = _("The signature must be a PNG, JPEG or WebP image.")
        raise ValidationError({"signature": ValidationError(message, code="invalid_type")})
    if len(data) > SIGNATURE_MAX_BYTES:
        message = _("The signature image is too large.")
        raise ValidationError({"signature": ValidationError(message, code="too_large")})
    return Signature(image=data, kind=kind, extension=SIGNATURE_TYPES[guessed.mime])


def _signoff_check(visit: Visit, actor) -> None:
    """The visit's engineer or a field lead (`policies.RECORD_SIGNOFF`), on site, once."""
    visit_check(visit, actor, RECORD_SIGNOFF, _("Only the visit's engineer or a supervisor may do this."))
    visit_check_record_open(visit)


def _signoff_visit(visit_id: int, actor) -> Visit:
    """The visit read (not locked) to check the request and prepare the signed form."""
    visit = Visit.objects.select_related(*VISIT.lock_related).get(pk=visit_id)
    _signoff_check(visit, actor)
    return visit


def _signoff_build(
    visit: Visit, *, actor, answers: dict[str, Any], signed_at, signature: Signature | None
) -> SignOff:
    """The sign-off of `visit` with the answers, its content (the visit as shown) and its hash."""
    fields = {name: answers[name] for name in ("outcome", "quality_rating", "attitude_rating", "satisfied")}
    signoff = SignOff(
        visit=visit,
        comment=answers["comment"],
        signer_name=answers.get("signer_name", ""),
        refusal_reason=answers.get("refusal_reason", ""),
        signed_at=signed_at,
        recorded_by=actor,
        content=signoff_content(visit, **answers, signed_at=timezone.localtime(signed_at).isoformat()),
        **fields,
    )
    if signature is not None:
        signoff.signature = ContentFile(signature.image, name=f"signature.{signature.extension}")
        signoff.signature_kind = signature.kind
    signoff.content_hash = signoff_content_hash(signoff.content)
    return signoff


def _signed_form_render(signoff: SignOff, signature: bytes) -> bytes:
    """R15: the signed service form as a PDF, in the company's language, from the same template as
    its print view."""
    with translation.override(settings.LANGUAGE_CODE):
        context = service_form_context(signoff.visit, signoff=signoff, signature=signature)
        return render_pdf(SERVICE_FORM_TEMPLATE, context)


def _signed_form_store(visit: Visit, pdf: bytes, *, actor) -> Attachment:
    """R15, R21: the signed service form as a PDF attachment of the work order (catalogued by
    month), named in the company's language."""
    with translation.override(settings.LANGUAGE_CODE):
        name = _("Service form %(number)s signed.pdf") % {"number": visit.number}
        description = _("Service form %(number)s signed by the customer") % {"number": visit.number}
    upload = SimpleUploadedFile(name, pdf, content_type="application/pdf")
    return attachment_add(work_order=visit.work_order, actor=actor, upload=upload, description=description)


def _signed_form_after_commit(form: SignedForm) -> None:
    """R15: the job that renders the form, handed to the queue once the sign-off is committed, with
    a broker (FIELD_SIGNED_FORM_ON_COMMIT); in the embedded mode the job process's periodic
    `signed_forms_render_pending` renders it, so the engineer's request never waits for the PDF."""
    if settings.FIELD_SIGNED_FORM_ON_COMMIT:
        # a form whose hand-over failed (broker down) stays pending; the periodic job renders it
        job_after_commit("aftersales.field.tasks.render_signed_form", form.pk)


def signed_form_render(*, signed_form_id: int) -> SignedForm:
    """R15, R21: render a sign-off's signed service form (from the stored signature, the frozen
    visit record and the sign-off) and keep it as an attachment of the work order: "ready".
    Idempotent: a ready form is returned as it is, and two jobs rendering the same form store it
    once (the row is locked to store). Rendering runs outside any transaction; a failure is kept on
    the row ("failed", with the error) for the periodic job to try again."""
    form = SignedForm.objects.select_related(
        "signoff__visit__work_order__customer", "signoff__visit__engineer__user", "signoff__recorded_by"
    ).get(pk=signed_form_id)
    if form.state == SignedFormState.READY:
        return form
    signoff = form.signoff
    try:
        with signoff.signature.open("rb") as handle:
            pdf = _signed_form_render(signoff, handle.read())
    except Exception as error:  # noqa: BLE001 - any failure is kept on the row and retried
        logger.exception("signed form %s of %s could not be rendered", form.pk, signoff.visit)
        SignedForm.objects.filter(pk=form.pk).exclude(state=SignedFormState.READY).update(
            state=SignedFormState.FAILED,
            attempts=F("attempts") + 1,
            error=f"{type(error).__name__}: {error}"[:255],
            updated_at=timezone.now(),
        )
        form.refresh_from_db()
        return form
    with transaction.atomic():
        form = SignedForm.objects.select_for_update().get(pk=form.pk)
        if form.state == SignedFormState.READY:  # another job stored it meanwhile
            return form
        form.attachment = _signed_form_store(signoff.visit, pdf, actor=signoff.recorded_by)
        form.state = SignedFormState.READY
        form.attempts += 1
        form.error = ""
        form.save(update_fields=["attachment", "state", "attempts", "error", "updated_at"])
    return form


def signed_forms_render_pending(*, limit: int = 50, grace: timedelta | None = None) -> int:
    """Periodic (see settings.CELERY_BEAT_SCHEDULE): render the signed forms still pending, and the
    failed ones (up to SIGNED_FORM_MAX_ATTEMPTS tries). With a broker the queued job renders a new
    form itself, so only those pending for a while are taken (a lost hand-over); in the embedded
    mode this is what renders them (`grace` overrides the wait). Returns how many became ready."""
    if grace is None:
        grace = SIGNED_FORM_GRACE if settings.FIELD_SIGNED_FORM_ON_COMMIT else timedelta(0)
    due = (
        SignedForm.objects.filter(
            Q(state=SignedFormState.PENDING, created_at__lte=timezone.now() - grace)
            | Q(state=SignedFormState.FAILED, attempts__lt=SIGNED_FORM_MAX_ATTEMPTS)
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(signed_form_render(signed_form_id=pk).is_ready for pk in list(due))


def _signoff_record(
    *,
    visit: Visit,
    actor,
    expected_version: int | None,
    answers: dict[str, Any],
    signature: Signature | None,
) -> SignOff:
    """Write the sign-off or refusal, all or nothing: under the visit's lock the request is checked
    again and the content built from the locked visit, hashed, and saved with its event. A
    signature's PDF form is not rendered here (seconds of work while the visit is locked): its row
    is written pending and a job renders it once this is committed (`signed_form_render`)."""
    signed_at = timezone.now()
    with transaction.atomic():
        visit = VISIT.lock(visit.pk, expected_version)
        _signoff_check(visit, actor)
        signoff = _signoff_build(
            visit, actor=actor, answers=answers, signed_at=signed_at, signature=signature
        )
        signoff.full_clean()
        signoff.save()
        if signature is not None:
            _signed_form_after_commit(SignedForm.objects.create(signoff=signoff))
        if signoff.is_signed:
            params = {
                "name": signoff.signer_name,
                "verdict": SATISFIED if signoff.allows_completion else NOT_SATISFIED,
                "quality": signoff.quality_rating,
                "attitude": signoff.attitude_rating,
                "hash": signoff.content_hash[:12],
            }
            note = signoff.comment
        else:
            params, note = {}, signoff.refusal_reason
        event_record(
            visit.work_order,
            kind=SIGNOFF,
            actor=actor,
            action=signoff.outcome,
            params={"visit": visit.number, **params},
            note=note,
        )
    return signoff


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
    confirm_low_rating: bool = False,
    expected_version: int | None = None,
) -> SignOff:
    """R15, R16: the customer's joint acceptance on site: ratings of repair quality and service
    attitude (1-5), satisfied or not, and the signature drawn on the screen or an uploaded
    stamp/scan, kept as an image with the time and the SHA-256 of the form content signed. The
    signed service form is stored as a PDF attachment of the work order. A satisfied customer lets
    the work order complete; an unsatisfied one keeps it open for follow-up (R17). A rating of 1
    or 2 with "satisfied" is refused on `confirm_low_rating` unless the engineer confirms it (they
    checked with the customer)."""
    visit = _signoff_visit(visit_id, actor)
    quality = _rating(quality_rating, "quality_rating", required=True)
    attitude = _rating(attitude_rating, "attitude_rating", required=True)
    low_rating_check(quality, attitude, satisfied=bool(satisfied), confirmed=confirm_low_rating)
    signer_name = (signer_name or "").strip()
    if not signer_name:
        raise ValidationError({"signer_name": [_("Enter the name of the person signing.")]})
    signature = signature_image(drawn=drawn_signature, stamp=stamp)
    answers = {
        "outcome": SignOffOutcome.SIGNED.value,
        "quality_rating": quality,
        "attitude_rating": attitude,
        "satisfied": bool(satisfied),
        "comment": (comment or "").strip(),
        "signer_name": signer_name,
        "signature_sha256": hashlib.sha256(signature.image).hexdigest(),
    }
    return _signoff_record(
        visit=visit, actor=actor, expected_version=expected_version, answers=answers, signature=signature
    )


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
    visit = _signoff_visit(visit_id, actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"refusal_reason": [_("Give the reason the customer refused to sign.")]})
    answers = {
        "outcome": SignOffOutcome.REFUSED.value,
        "quality_rating": _rating(quality_rating, "quality_rating", required=False),
        "attitude_rating": _rating(attitude_rating, "attitude_rating", required=False),
        "satisfied": satisfied,
        "comment": (comment or "").strip(),
        "refusal_reason": reason,
    }
    return _signoff_record(
        visit=visit, actor=actor, expected_version=expected_version, answers=answers, signature=None
    )


def workorder_completion_check(work_order: WorkOrder) -> None:
    """R15, R17: a work order completes only once its visits are checked out and the customer's
    latest confirmation (a visit's sign-off, or a later depot hand-back) is satisfied
    (`policies.completion_refusal`); TransitionNotAllowed otherwise."""
    refusal = completion_refusal(work_order)
    if refusal is not None:
        raise refusal
