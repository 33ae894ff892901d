"""The Excel imports through the API, as their pages run them (`core.import_views`): the same
upload checks (`ImportForm`: .xlsx, 10 MB), the same "skip bad rows" option, the app's own import
service (`core.importing.run_import` underneath) and the page's role gate; the result counts and
row errors as the page's report lists them. Imports run while the request waits, as on the page.

`import_action(...)` gives a viewset its `POST …/import/` and `import_template_action(...)` its
`GET …/import/template/` (the page's empty workbook)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpResponse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from .api import (
    MULTIPART_PARSERS,
    FileContentNegotiation,
    RejectUnknownFieldsMixin,
    file_responses,
    form_invalid,
    problem,
    problem_responses,
)
from .excel import XLSX_MIME
from .idempotency import idempotent
from .import_views import ImportForm
from .importing import ImportReport


class ImportUploadInput(RejectUnknownFieldsMixin, serializers.Serializer):
    file = serializers.FileField(
        help_text=_("The Excel workbook (.xlsx, at most 10 MB), its first row the template's headers.")
    )
    skip_invalid = serializers.BooleanField(
        default=False,
        help_text=_(
            "Import the valid rows and list the skipped ones. Otherwise nothing is imported while "
            "any row has an error."
        ),
    )


class ImportRowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(
        allow_null=True, help_text=_("The row number as in the sheet (the headers being row 1).")
    )
    column = serializers.CharField(help_text=_("The column's header, if the problem is one cell's."))
    message = serializers.CharField()


class ImportReportSerializer(serializers.Serializer):
    rows = serializers.IntegerField(source="total_rows", help_text=_("Data rows read."))
    imported = serializers.IntegerField(help_text=_("Rows imported."))
    skipped_rows = serializers.ListField(
        source="bad_rows",
        child=serializers.IntegerField(),
        help_text=_("The rows skipped for their errors (only when skipping bad rows)."),
    )
    errors = ImportRowErrorSerializer(many=True, help_text=_("The problems of the skipped rows."))  # type: ignore[assignment]


def import_problem(report: ImportReport) -> Response:
    """Every problem of an import that saved nothing: the file's own (`import_file_invalid`, field
    `file`; a missing column is the header row's), or each bad row's (`import_row_invalid`, field
    `rows[<row>].<column>`)."""
    errors: list[dict[str, str | None]] = []
    for error in report.errors:
        if error.row is None or not error.column:
            field = "file" if error.row is None else f"rows[{error.row}]"
            code = "import_file_invalid" if error.row is None or error.row == 1 else "import_row_invalid"
        else:
            field, code = f"rows[{error.row}].{error.column}", "import_row_invalid"
        errors.append({"field": field, "code": code, "message": str(error.message)})
    return problem(status.HTTP_400_BAD_REQUEST, str(_("Nothing was imported.")), errors)


def _gate(allowed: Callable[[Any], bool], message: Any) -> type[permissions.BasePermission]:
    class MayImport(permissions.BasePermission):
        def has_permission(self, request, view) -> bool:
            return bool(request.user and request.user.is_authenticated and allowed(request.user))

    MayImport.message = message  # type: ignore[attr-defined]  # DRF reads it when refusing
    return MayImport


# What an import runs: the app's service, called with upload=, skip_invalid=, actor= (and record=,
# the path's record, for an import into one record).
ImportRun = Callable[..., ImportReport]


def import_action(
    *,
    run: ImportRun,
    allowed: Callable[[Any], bool],
    summary: Any,
    columns: str,
    roles: str,
    detail: bool = False,
) -> Any:
    """A viewset's `POST /<resource>/import/` (`detail`: `/<resource>/<id>/import/`, the record
    read in the user's scope, 404 outside) running the page's import."""

    def import_file(self: Any, request: Request, pk: str | None = None) -> Response:
        record = {"record": self.get_object()} if detail else {}
        data = ImportUploadInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        form = ImportForm(
            data={"skip_invalid": "on" if values["skip_invalid"] else ""},
            files=MultiValueDict({"file": [values["file"]]}),
        )
        if not form.is_valid():
            raise form_invalid(form)
        report = run(
            upload=form.cleaned_data["file"],
            skip_invalid=form.cleaned_data["skip_invalid"],
            actor=request.user,
            **record,
        )
        if not report.imported:
            return import_problem(report)
        return Response(ImportReportSerializer(report).data, status=status.HTTP_201_CREATED)

    import_file.__name__ = "import_file"
    described = extend_schema(
        summary=summary,
        description=(
            f"Multipart upload of the import page's workbook (columns: {columns}; "
            "`…/import/template/` gives the empty one). The rows are imported while the request "
            "waits. All rows or none, unless `skip_invalid`: then the valid rows are imported and "
            "the answer lists the skipped rows and their errors. 400 `invalid_type` (field `file`) "
            "for a file that is not .xlsx, `too_large` beyond 10 MB, `import_file_invalid` when the "
            "file cannot be read, lacks a column or has no rows, `import_row_invalid` for each bad "
            "row when nothing was imported (field `rows[<row>].<column>`, rows numbered as in the "
            f"sheet, the header being row 1); 403 `permission_denied` for other roles than {roles}."
            + (" A record outside your scope is 404." if detail else "")
        ),
        request={"multipart/form-data": ImportUploadInput},
        responses={201: ImportReportSerializer, **problem_responses(400, 403, *((404,) if detail else ()))},
    )
    return described(
        action(
            detail=detail,
            methods=["post"],
            url_path="import",
            url_name="import",
            parser_classes=MULTIPART_PARSERS,
            permission_classes=[_gate(allowed, _("Your role may not import these records."))],
            filter_backends=[],
            pagination_class=None,
        )(idempotent(import_file))
    )


def import_template_action(
    *, content: Callable[[], bytes], filename: str, allowed: Callable[[Any], bool], summary: Any, roles: str
) -> Any:
    """A viewset's `GET /<resource>/import/template/`: the import page's empty workbook, for those
    who may import."""

    def import_template(self: Any, request: Request) -> HttpResponse:
        response = HttpResponse(content(), content_type=XLSX_MIME)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    described = extend_schema(
        summary=summary,
        description=f"The empty workbook with the import's headers, as the import page offers it; "
        f"403 `permission_denied` for other roles than {roles}.",
        responses=file_responses(XLSX_MIME, 403),
    )
    return described(
        action(
            detail=False,
            methods=["get"],
            url_path="import/template",
            url_name="import-template",
            permission_classes=[_gate(allowed, _("Your role may not import these records."))],
            filter_backends=[],
            pagination_class=None,
            content_negotiation_class=FileContentNegotiation,
        )(import_template)
    )
