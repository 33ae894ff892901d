"""The printed quote (报价单, R8, R9) as a PDF over the API, the same document as the print view's
PDF (`printing.quote_form`): `GET /api/quotes/<id>/print/`. For the roles that read quotes (403
otherwise, as on the page); a quote out of the user's scope is a 404 problem (R37); each download
is logged (R41)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request

from aftersales.core.api import FILE_ACTION, PDF_MEDIA_TYPE, file_responses, path_id, printed_form_pdf

from .printing import quote_form


class QuoteFormViewSet(viewsets.ViewSet):
    """A quote, printed."""

    lookup_value_regex = "[0-9]+"

    @extend_schema(
        summary=_("The printed quote (PDF), with the customer's signature once approved"),
        responses=file_responses(PDF_MEDIA_TYPE, 403, 404),
    )
    @action(url_path="print", **FILE_ACTION)
    def print_quote(self, request: Request, pk: str | None = None) -> HttpResponse:
        return printed_form_pdf(request, quote_form(request.user, path_id(pk)))


def register(router) -> None:
    router.register(r"quotes", QuoteFormViewSet, basename="quote-form")
