"""The depot repair's 产品维修过程记录 (product repair process record, R13, R21) as a PDF over the
API, the same document as the print view's PDF (`printing.repair_record_form`):
`GET /api/depot-repairs/<id>/print/`. Open to every role that may see the repair, as the page is;
a repair out of the user's scope is a 404 problem (R37); each download is logged (R41)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request

from aftersales.core.api import FILE_ACTION, PDF_MEDIA_TYPE, file_responses, path_id, printed_form_pdf

from ..printing import repair_record_form


class DepotRepairFormViewSet(viewsets.ViewSet):
    """A depot repair's process record, printed."""

    lookup_value_regex = "[0-9]+"

    @extend_schema(
        summary=_("The product repair process record (PDF)"),
        responses=file_responses(PDF_MEDIA_TYPE, 404),
    )
    @action(url_path="print", **FILE_ACTION)
    def print_record(self, request: Request, pk: str | None = None) -> HttpResponse:
        return printed_form_pdf(request, repair_record_form(request.user, path_id(pk)))
