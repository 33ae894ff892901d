"""Printed forms of field service: the 技术服务任务单 (technical service task form) a clerk fills in
and the engineer takes on the visit (003 上门服务流程), with the booked appointments (R12); the
service record and the customer's signature are written on the paper on site (R15, R21).

Print view and PDF from one template through `core.pdf.document_response`; scoped like the
work-order page (R37: 404 outside the user's scope)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from aftersales.core.pdf import document_response
from aftersales.core.phones import phone_for
from aftersales.workorders.selectors import workorder_get

from .selectors import appointments_for_workorder


@login_required
@require_GET
def task_form_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/field/workorders/<pk>/task-form/` (`?format=pdf` for the PDF): the task form of a work
    order the user may see; phone numbers as the user may read them (R41)."""
    user = request.user
    work_order = workorder_get(user, pk)
    record_url = reverse("workorders:detail", args=[work_order.pk])
    context = {
        "title": _("Technical service task form"),
        "number": work_order.number,
        "record_url": record_url,
        "back_url": record_url,
        "wo": work_order,
        "contact_phone": phone_for(user, work_order.contact_phone),
        "customer_phone": phone_for(user, work_order.customer.phone),
        "appointments": list(appointments_for_workorder(work_order)),
    }
    return document_response(
        request,
        template_name="field/forms/task_form.html",
        context=context,
        filename=f"{context['title']}-{work_order.number}",
    )
