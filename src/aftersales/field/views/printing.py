"""Printed forms of field service (R15, R16, R19, R21), each a print view and its PDF from one
template (`core.pdf.document_response`), scoped like the records they print (R37: 404 outside the
user's scope): the 技术服务任务单 (technical service task form) a clerk fills in and the engineer
takes on the visit (003 上门服务流程), with the booked appointments (R12); the visit's 维修服务单
(repair service form) and 保修记录单 (warranty record); the 服务任务监督卡 (supervision card)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from aftersales.core.pdf import form_response

from ..printing import (
    supervision_card_form,
    task_form,
    visit_service_form,
    visit_warranty_record,
)


@login_required
@require_GET
def task_form_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/field/workorders/<pk>/task-form/` (`?format=pdf` for the PDF): the task form of a work
    order the user may see (`printing.task_form`)."""
    return form_response(request, task_form(request.user, pk))


@login_required
@require_GET
def visit_service_form_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/field/visits/<pk>/service-form/` (`?format=pdf`): 维修服务单, with the signature once signed."""
    return form_response(request, visit_service_form(request.user, pk))


@login_required
@require_GET
def visit_warranty_record_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/field/visits/<pk>/warranty-record/?copy=internal|customer`: 保修记录单; the customer's copy
    (the default) leaves out the internal fault cause and measures (R16)."""
    internal = request.GET.get("copy") == "internal"
    return form_response(request, visit_warranty_record(request.user, pk, internal=internal))


@login_required
@require_GET
def supervision_card_print_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/field/supervision/<pk>/print/` (`?format=pdf`): 服务任务监督卡."""
    return form_response(request, supervision_card_form(request.user, pk))
