"""The data of the printed forms of field service (R15, R16, R19, R21): the 维修服务单 (repair service
form) the customer signs, the 保修记录单 (warranty record) with its customer's and internal copies,
the 服务任务监督卡 (service task supervision card), and the signature image embedded in them.

The print views and their PDFs (`views.printing`), the API's PDFs (`api_documents`) and the signed
form stored at sign-off (`services.signoff`) render the same templates with these contexts; the
`*_form` functions read the record in the user's scope (R37: 404 outside it) and name the form."""

from __future__ import annotations

import base64
from datetime import datetime

import filetype
from django.urls import reverse
from django.utils.translation import gettext as _

from aftersales.core.pdf import PrintedForm
from aftersales.workorders.privacy import workorder_personal
from aftersales.workorders.selectors import workorder_get

from .models import SignOff, SupervisionCard, Visit
from .selectors import appointments_for_workorder, supervision_get, visit_get, visit_signoff


def signature_data_uri(signoff: SignOff | None, image: bytes | None = None) -> str:
    """The signature as a `data:` URI, embedded in the print view and the PDF (no file request)."""
    if image is None:
        if signoff is None or not signoff.signature:
            return ""
        with signoff.signature.open("rb") as handle:
            image = handle.read()
    kind = filetype.guess(image[:261])
    mime = kind.mime if kind is not None else "image/png"
    return f"data:{mime};base64,{base64.b64encode(image).decode('ascii')}"


def _visit_form_context(visit: Visit, *, title: str, signoff: SignOff | None = None, signature=None) -> dict:
    """What every printed form of a visit shows: its number, QR code to the visit page, the work
    order and customer, the findings and parts, and the sign-off with the signature image."""
    signoff = signoff or visit_signoff(visit)
    record_url = reverse("field:visit_detail", args=[visit.pk])
    return {
        "title": title,
        "number": visit.number,
        "record_url": record_url,
        "back_url": record_url,
        "visit": visit,
        "wo": visit.work_order,
        "parts": list(visit.parts.all()),
        "signoff": signoff,
        "signature": signature_data_uri(signoff, signature),
    }


def service_form_context(
    visit: Visit, *, signoff: SignOff | None = None, signature: bytes | None = None
) -> dict:
    """维修服务单 (R15): the visit as the customer signs it: request, findings, parts, self-check,
    plan change, ratings and the signature; never the internal fault cause and measures (R16).
    `signature` gives the image bytes of a sign-off being recorded (not stored yet)."""
    return _visit_form_context(visit, title=_("Repair service form"), signoff=signoff, signature=signature)


def warranty_record_context(visit: Visit, *, internal: bool) -> dict:
    """保修记录单 (R16): ratings and signature; the internal copy adds the fault cause and repair
    measures, which the customer's copy leaves out."""
    context = _visit_form_context(visit, title=_("Warranty record"))
    context["internal"] = internal
    context["copy_label"] = _("Internal copy") if internal else _("Customer's copy")
    return context


def supervision_card_context(card: SupervisionCard, *, now: datetime | None = None) -> dict:
    """服务任务监督卡 (R19): the visit's times and places, result and sign-off, the engineer's
    feedback and the service centre's verification, with lateness."""
    context = _visit_form_context(card.visit, title=_("Service task supervision card"))
    context["card"] = card
    context["late"] = card.is_late(now)
    return context


# --- the forms as the print views and the API serve them ------------------------------------------


def task_form(user, work_order_id: int) -> PrintedForm:
    """技术服务任务单 of a work order the user may see, with the booked appointments (R12); phone
    numbers as the user may read them (R41). The service record and the customer's signature are
    written on the paper on site (R15, R21)."""
    work_order = workorder_get(user, work_order_id)
    record_url = reverse("workorders:detail", args=[work_order.pk])
    context = {
        "title": _("Technical service task form"),
        "number": work_order.number,
        "record_url": record_url,
        "back_url": record_url,
        "wo": work_order,
        **workorder_personal(user, work_order),
        "appointments": list(appointments_for_workorder(work_order)),
    }
    return PrintedForm("field/forms/task_form.html", context)


def visit_service_form(user, visit_id: int) -> PrintedForm:
    """维修服务单 of a visit the user may see, with the signature once signed."""
    return PrintedForm("field/forms/service_form.html", service_form_context(visit_get(user, visit_id)))


def visit_warranty_record(user, visit_id: int, *, internal: bool) -> PrintedForm:
    """保修记录单 of a visit the user may see: the customer's copy, or the internal one (R16)."""
    visit = visit_get(user, visit_id)
    return PrintedForm("field/forms/warranty_record.html", warranty_record_context(visit, internal=internal))


def supervision_card_form(user, card_id: int) -> PrintedForm:
    """服务任务监督卡 of a card the user may see."""
    return PrintedForm(
        "field/forms/supervision_card.html", supervision_card_context(supervision_get(user, card_id))
    )
