"""The Excel import page every app shares: upload form, then the row-by-row report on the same
page (`core.importing` does the work), and the download of the empty template. Each app says who
may import (`allowed`): customers and devices the front office, parts the catalog managers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .excel import XLSX_MIME
from .importing import ImportReport

# The largest workbook an import reads.
IMPORT_MAX_BYTES = 10 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel file (.xlsx)"))
    skip_invalid = forms.BooleanField(
        label=gettext_lazy("Skip bad rows"),
        required=False,
        help_text=gettext_lazy(
            "Import the valid rows and list the skipped ones. Otherwise nothing is imported "
            "while any row has an error."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(gettext_lazy("Upload an Excel file (.xlsx)."), code="invalid_type")
        if upload.size > IMPORT_MAX_BYTES:
            raise ValidationError(gettext_lazy("The file is larger than 10 MB."), code="too_large")
        return upload


def import_page(
    request: HttpRequest,
    *,
    allowed: Callable[[Any], bool],
    run: Callable[..., ImportReport],
    template_url: str,
    title: str,
    columns: str,
) -> HttpResponse:
    """Upload form, then `run(upload=, skip_invalid=, actor=)`'s report on the same page."""
    if not allowed(request.user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = run(
            upload=form.cleaned_data["file"],
            skip_invalid=form.cleaned_data["skip_invalid"],
            actor=request.user,
        )
        if report.imported:
            messages.success(request, _("%(count)d rows imported.") % {"count": report.imported})
        elif report.errors:
            messages.error(request, _("Nothing was imported: correct the rows below and upload again."))
    return render(
        request,
        "core/import.html",
        {"form": form, "report": report, "template_url": template_url, "title": title, "columns": columns},
    )


def import_template_download(
    request: HttpRequest, *, allowed: Callable[[Any], bool], content: bytes, filename: str
) -> HttpResponse:
    """The empty spreadsheet with the import's Chinese headers, for those who may import."""
    if not allowed(request.user):
        raise PermissionDenied
    response = HttpResponse(content, content_type=XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
