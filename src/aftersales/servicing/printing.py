"""The 产品维修过程记录 (product repair process record, 003 维修服务流程 (3)) of a depot repair:
device and warranty, intake inspection, every line of the process record, send-outs, re-check
and hand-back (R13, R14, R21). Print view and PDF from one template through
`core.pdf.form_response`, and the same PDF over the API (`api.documents`); scoped like the depot
repair page (R37: 404 outside the scope)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from aftersales.core.pdf import PrintedForm, form_response

from .selectors import depot_repair_get

REPAIR_RECORD_TEMPLATE = "servicing/forms/repair_record.html"


def repair_record_form(user: Any, repair_id: int) -> PrintedForm:
    """产品维修过程记录 of a depot repair the user may see (404 otherwise), with blank rows to
    write on below the recorded lines."""
    repair = depot_repair_get(user, repair_id)
    record_url = reverse("servicing:repair_detail", args=[repair.pk])
    context = {
        "title": _("Product repair process record"),
        "number": repair.number,
        "record_url": record_url,
        "back_url": record_url,
        "repair": repair,
        "wo": repair.work_order,
        "blank_rows": range(max(0, 6 - len(repair.entries.all()))),
    }
    return PrintedForm(REPAIR_RECORD_TEMPLATE, context)


@login_required
@require_GET
def repair_record_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/servicing/repairs/<pk>/print/` (`?format=pdf` for the PDF)."""
    return form_response(request, repair_record_form(request.user, pk))
