"""Printed documents (R21, the named forms of SPEC): one template is both the HTML print view and,
through WeasyPrint, the PDF, so the two never drift apart.

A form template extends `printing/form_base.html` (A4 layout, company header, title, number, QR
code, signature boxes) and is served by `document_response`, which returns the print view, or
the PDF download when the query string has `format=pdf`. Chinese text needs a CJK font on the
server (Debian: `fonts-wqy-microhei`); the stylesheet names it first.

Resources of the PDF are read from the static files on disk (`{% static %}` URLs), never fetched
over the network; embed anything else (e.g. a signature image) as a `data:` URI.
"""

from __future__ import annotations

import functools
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import content_disposition_header


@dataclass(frozen=True)
class PrintedForm:
    """A form ready to render: its template, its context (with its `title` and `number`) and the
    file name of its PDF (the form, number and copy). An app's `printing` module builds it for a
    record the user may see; the print view (`form_response`) and the API's PDF (`pdf_response`)
    serve the same one."""

    template_name: str
    context: dict[str, Any]
    # The file's name when not the title and number (a title with a "/" in it).
    name: str = ""

    @property
    def filename(self) -> str:
        if self.name:
            return self.name
        parts = [self.context["title"], self.context["number"], self.context.get("copy_label", "")]
        return "-".join(str(part) for part in parts if part)


Record = TypeVar("Record")


def printable_record(
    user: Any,
    pk: int,
    *,
    allowed: Callable[[Any], bool],
    get: Callable[[Any, int], Record],
    missing: type[Exception],
) -> Record:
    """The record a printed form is built for, read as its page reads it: PermissionDenied (403)
    for a role the page refuses, before any record is read; Http404 for a record out of the user's
    scope (R37) or none at all (`get` raising `missing`)."""
    if not allowed(user):
        raise PermissionDenied
    try:
        return get(user, pk)
    except missing:
        raise Http404 from None


def company_header() -> dict[str, str]:
    """Name, hotline, address and e-mail printed at the top of every form (settings, from the
    environment)."""
    return dict(settings.AFTERSALES_COMPANY)


def static_file(url: str) -> Path | None:
    """The file on disk behind a `{% static %}` URL (absolute or not), or None."""
    path = unquote(urlsplit(url).path)
    if not path.startswith(settings.STATIC_URL):
        return None
    name = path.removeprefix(settings.STATIC_URL)
    found = finders.find(name)
    if found:
        return Path(found)
    collected = Path(settings.STATIC_ROOT) / name
    return collected if collected.is_file() else None


@functools.cache
def static_fetcher_class() -> type:
    """WeasyPrint's resource loader: static files from disk, `data:` URIs, nothing else (no
    network request from the server, no way for a form's content to make it fetch a URL).

    WeasyPrint is imported on first use only: it loads Pango, and a server without it still
    serves every other page."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesFetcher(URLFetcher):
        def fetch(self, url: str, headers=None) -> URLFetcherResponse:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            found = static_file(url)
            if found is None:
                raise ValueError(f"not a static file: {url}")
            content_type = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, found.read_bytes(), {"Content-Type": content_type})

    return StaticFilesFetcher


def document_context(context: dict[str, Any], *, request: HttpRequest | None, pdf: bool) -> dict[str, Any]:
    """What `printing/form_base.html` needs besides the form's own data."""
    query = request.GET.copy() if request is not None else None
    if query is not None:
        query["format"] = "pdf"
    return {
        "company": company_header(),
        "printed_at": timezone.localtime(),
        "pdf": pdf,
        "pdf_url": f"?{query.urlencode()}" if query is not None else "",
        **context,
    }


def render_pdf(template_name: str, context: dict[str, Any], *, request: HttpRequest | None = None) -> bytes:
    """The PDF of a form template (the same template as its print view), in the active language.

    With a request, links and the QR code are absolute URLs of the site it came from."""
    from weasyprint import HTML

    html = render_to_string(
        template_name, document_context(context, request=request, pdf=True), request=request
    )
    base_url = request.build_absolute_uri("/") if request is not None else "http://localhost/"
    return HTML(string=html, base_url=base_url, url_fetcher=static_fetcher_class()()).write_pdf()


def pdf_response(
    request: HttpRequest, *, template_name: str, context: dict[str, Any], filename: str
) -> HttpResponse:
    """The PDF of a form as a download (`filename`, ".pdf" added), its export logged (R41): the
    print views' PDF and the API's. The caller has already checked the user may see the record."""
    filename = _pdf_filename(filename)
    _log_document(request, export=True, filename=filename)
    response = HttpResponse(
        render_pdf(template_name, context, request=request), content_type="application/pdf"
    )
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def _pdf_filename(filename: str) -> str:
    return filename if filename.lower().endswith(".pdf") else f"{filename}.pdf"


def _log_document(request: HttpRequest, *, export: bool, filename: str) -> None:
    """Printed forms carry customer data: their view and their download are logged (R41)."""
    from .client import client_ip
    from .models import AccessLog
    from .services import access_log

    if request.user.is_authenticated:
        access_log(
            actor=request.user,
            action=AccessLog.Action.EXPORT if export else AccessLog.Action.VIEW,
            resource="document",
            ip_address=client_ip(request),
            detail=filename,
        )


def document_response(
    request: HttpRequest, *, template_name: str, context: dict[str, Any], filename: str
) -> HttpResponse:
    """The print view of a form, or its PDF as a download (`pdf_response`) when the query string
    has `format=pdf`; both logged (R41). The caller has already checked the user may see the
    record."""
    if request.GET.get("format") == "pdf":
        return pdf_response(request, template_name=template_name, context=context, filename=filename)
    _log_document(request, export=False, filename=_pdf_filename(filename))
    return render(request, template_name, document_context(context, request=request, pdf=False))


def form_response(request: HttpRequest, form: PrintedForm) -> HttpResponse:
    """The print view of a printed form, or its PDF with `format=pdf` (`document_response`)."""
    return document_response(
        request, template_name=form.template_name, context=form.context, filename=form.filename
    )


def form_pdf_response(request: HttpRequest, form: PrintedForm) -> HttpResponse:
    """The PDF of a printed form as a download, logged (`pdf_response`): the API's documents."""
    return pdf_response(
        request, template_name=form.template_name, context=form.context, filename=form.filename
    )
