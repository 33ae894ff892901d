"""The printed forms of field service as PDFs over the API, the same documents as the print views'
PDFs (`printing`): `GET /api/workorders/<id>/task-form/`, `/api/visits/<id>/service-form/`,
`/api/visits/<id>/warranty-record/?copy=customer|internal` and `/api/supervision-cards/<id>/print/`
(the page's path under the API resource, always the PDF). Scoped like the pages (R37: a record
out of scope is a 404 problem), open to every role that may see the record, as the pages are;
each download is logged (R41)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request

from aftersales.core.api import FILE_ACTION, PDF_MEDIA_TYPE, file_responses, path_id, printed_form_pdf

from .printing import (
    supervision_card_form,
    task_form,
    visit_service_form,
    visit_warranty_record,
)


class WorkOrderFormViewSet(viewsets.ViewSet):
    """A work order's printed task form."""

    lookup_value_regex = "[0-9]+"

    @extend_schema(
        summary=_("The technical service task form (PDF)"),
        responses=file_responses(PDF_MEDIA_TYPE, 404),
    )
    @action(url_path="task-form", **FILE_ACTION)
    def task_form(self, request: Request, pk: str | None = None) -> HttpResponse:
        return printed_form_pdf(request, task_form(request.user, path_id(pk)))


class CopySerializer(serializers.Serializer):
    copy = serializers.ChoiceField(
        choices=[("customer", _("Customer's copy")), ("internal", _("Internal copy"))],
        default="customer",
        required=False,
    )


class VisitFormViewSet(viewsets.ViewSet):
    """A visit's printed service form and warranty record."""

    lookup_value_regex = "[0-9]+"

    @extend_schema(
        summary=_("The repair service form (PDF), with the signature once signed"),
        responses=file_responses(PDF_MEDIA_TYPE, 404),
    )
    @action(url_path="service-form", **FILE_ACTION)
    def service_form(self, request: Request, pk: str | None = None) -> HttpResponse:
        return printed_form_pdf(request, visit_service_form(request.user, path_id(pk)))

    @extend_schema(
        summary=_("The warranty record (PDF)"),
        description="`copy=customer` (the default) leaves out the internal fault cause and measures "
        "that `copy=internal` prints (R16).",
        parameters=[
            OpenApiParameter("copy", str, enum=["customer", "internal"], default="customer"),
        ],
        responses=file_responses(PDF_MEDIA_TYPE, 400, 404),
    )
    @action(url_path="warranty-record", **FILE_ACTION)
    def warranty_record(self, request: Request, pk: str | None = None) -> HttpResponse:
        query = CopySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        internal = query.validated_data["copy"] == "internal"
        return printed_form_pdf(request, visit_warranty_record(request.user, path_id(pk), internal=internal))


class SupervisionCardFormViewSet(viewsets.ViewSet):
    """A supervision card, printed."""

    lookup_value_regex = "[0-9]+"

    @extend_schema(
        summary=_("The service task supervision card (PDF)"),
        responses=file_responses(PDF_MEDIA_TYPE, 404),
    )
    @action(url_path="print", **FILE_ACTION)
    def print_card(self, request: Request, pk: str | None = None) -> HttpResponse:
        return printed_form_pdf(request, supervision_card_form(request.user, path_id(pk)))


def register(router) -> None:
    router.register(r"workorders", WorkOrderFormViewSet, basename="workorder-form")
    router.register(r"visits", VisitFormViewSet, basename="visit-form")
    router.register(r"supervision-cards", SupervisionCardFormViewSet, basename="supervision-card-form")
