"""Printed forms of field service (R15, R16, R19, R21), each a print view and its PDF from one
template (`core.pdf.document_response`), scoped like the records they print (R37: 404 outside the
user's scope): the 技术服务任务单 (technical service task form) a clerk fills in and the engineer
takes on the visit (003 上门服务流程), with the booked appointments (R12); the visit's 维修服务单
(repair service form) and 保修记录单 (warranty record); the 服务任务监督卡 (supervision card)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from aftersales.core.pdf import document_response
from aftersales.workorders.privacy import workorder_personal
from aftersales.workorders.selectors import workorder_get

from ..printing import service_form_context, supervision_card_context, warranty_record_context
from ..selectors import appointments_for_workorder, supervision_get, visit_get


def _document(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """The print view or PDF of a form, named after the form, number and copy."""
    parts = [context["title"], context["number"], context.get("copy_label", "")]
    filename = "-".join(str(part) for part in parts if part)
    return document_response(request, template_name=template, context=context, filename=filename)


@login_required
@require_GET
def task_form_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/field/workorders/<pk>/task-form/` (`?format=pdf` for the PDF): the task form of a work
    order the user may see; phone numbers as the user may read them (R41). The service record and
    the customer's signature are written on the paper on site (R15, R21)."""
    user = request.user
    work_order = workorder_get(user, pk)
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
    return _document(request, "field/forms/task_form.html", context)


@login_required
@require_GET
def visit_service_form_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/field/visits/<pk>/service-form/` (`?format=pdf`): 维修服务单, with the signature once signed."""
    return _document(
        request, "field/forms/service_form.html", service_form_context(visit_get(request.user, pk))
    )


@login_required
@require_GET
def visit_warranty_record_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/field/visits/<pk>/warranty-record/?copy=internal|customer`: 保修记录单; the customer's copy
    (the default) leaves out the internal fault cause and measures (R16)."""
    visit = visit_get(request.user, pk)
    internal = request.GET.get("copy") == "internal"
    return _document(
        request, "field/forms/warranty_record.html", warranty_record_context(visit, internal=internal)
    )


@login_required
@require_GET
def supervision_card_print_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/field/supervision/<pk>/print/` (`?format=pdf`): 服务任务监督卡."""
    return _document(
        request,
        "field/forms/supervision_card.html",
        supervision_card_context(supervision_get(request.user, pk)),
    )
