"""The official holiday schedule of coming years (R34): `/api/official-days/` lists the imported
days (`?year=`) and adds one (HQ admins); `POST /api/official-days/import/` takes a year's schedule
as an Excel (.xlsx) or CSV file (columns date, kind, name), saving every row or none (400 with each
bad row: `field` is `rows[<row>].<column>`); `GET /api/official-days/source/?date=` says which rule
the SLA arithmetic follows for that date's year (package, imported, or the weekends-only fallback)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from aftersales.core.api import (
    MULTIPART_PARSERS,
    RejectUnknownFieldsMixin,
    RoleWritePermission,
    problem,
    problem_responses,
)
from aftersales.core.idempotency import idempotent
from aftersales.core.importing import ImportReport

from .choices import HolidaySource, OfficialDayKind
from .forms import OfficialScheduleImportForm
from .importing import official_days_import
from .models import OfficialDay
from .selectors import holiday_source, official_days
from .services import official_day_set


class OfficialDaySerializer(serializers.ModelSerializer):
    class Meta:
        model = OfficialDay
        fields = ["id", "date", "kind", "name", "created_at"]
        read_only_fields = fields


class OfficialDayInput(RejectUnknownFieldsMixin, serializers.Serializer):
    """One public holiday or make-up working day (调休) of a year the holiday package does not know."""

    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=OfficialDayKind.choices)
    name = serializers.CharField(max_length=64)


class ImportInput(RejectUnknownFieldsMixin, serializers.Serializer):
    file = serializers.FileField(
        help_text=_("Excel (.xlsx) or CSV; columns date, kind (holiday / workday), name.")
    )


class ImportResultSerializer(serializers.Serializer):
    rows = serializers.IntegerField(help_text=_("Data rows read."))
    imported = serializers.IntegerField(help_text=_("Days saved (all of them: a bad row saves none)."))


class SourceSerializer(serializers.Serializer):
    date = serializers.DateField()
    year = serializers.IntegerField()
    source = serializers.ChoiceField(choices=HolidaySource.choices)
    label = serializers.CharField()


def _report_problem(report: ImportReport) -> Response:
    """Every problem of a refused import: the file's own, or each bad row's column."""
    errors = []
    for error in report.errors:
        if error.row is None or not error.column:
            field = "file" if error.row is None else f"rows[{error.row}]"
            code = "import_file_invalid" if error.row is None or error.row == 1 else "import_row_invalid"
        else:
            field, code = f"rows[{error.row}].{error.column}", "import_row_invalid"
        errors.append({"field": field, "code": code, "message": str(error.message)})
    return problem(status.HTTP_400_BAD_REQUEST, str(_("Nothing was imported.")), errors)


class YearQuery(serializers.Serializer):
    year = serializers.IntegerField(
        min_value=1, max_value=9999, required=False, help_text=_("Only this year's days.")
    )


@extend_schema_view(
    list=extend_schema(
        summary=_("Imported official holiday schedule"),
        parameters=[YearQuery],
        responses={200: OfficialDaySerializer(many=True)},
    ),
)
class OfficialDayViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The official schedule of years the `chinese_calendar` package does not know (R34)."""

    queryset = OfficialDay.objects.none()
    serializer_class = OfficialDaySerializer
    permission_classes = [RoleWritePermission]
    pagination_class = None
    filterset_class = None

    def get_queryset(self):
        query = YearQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return official_days(query.validated_data.get("year"))

    @extend_schema(
        summary=_("Add or replace one day of the official schedule (HQ admins)"),
        description=_(
            "400 `official_year_known` for a year the holiday package already knows, 400 `invalid` "
            "for a bad date, kind or name, 403 `permission_denied` for anyone but an HQ admin."
        ),
        request=OfficialDayInput,
        responses={201: OfficialDaySerializer, **problem_responses(400, 403)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = OfficialDayInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        day = official_day_set(
            day=values["date"], kind=values["kind"], name=values["name"], actor=request.user
        )
        return Response(OfficialDaySerializer(day).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Import a year's official schedule from Excel or CSV (HQ admins)"),
        description=_(
            "All rows or none. 400 `import_file_invalid` (field `file`) when the file cannot be read, "
            "lacks a column or has no rows; 400 `import_row_invalid` for each bad row, `field` "
            "`rows[<row>].<column>` (row numbers as in the sheet, the header being row 1); "
            "403 `permission_denied` for anyone but an HQ admin."
        ),
        request={"multipart/form-data": ImportInput},
        responses={201: ImportResultSerializer, **problem_responses(400, 403)},
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=MULTIPART_PARSERS)
    @idempotent
    def import_file(self, request: Request) -> Response:
        form = OfficialScheduleImportForm(data={}, files=request.FILES)
        if not form.is_valid():
            raise exceptions.ValidationError({"file": [str(e) for e in form.errors.get("file", [])]})
        report = official_days_import(upload=form.cleaned_data["file"], actor=request.user)
        if not report.ok:
            return _report_problem(report)
        return Response(
            {"rows": report.total_rows, "imported": report.imported}, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary=_("Where the public holidays of a date's year come from"),
        parameters=[OpenApiParameter("date", OpenApiTypes.DATE, required=True)],
        responses={200: SourceSerializer, **problem_responses(400)},
    )
    @action(detail=False, methods=["get"], url_path="source")
    def source(self, request: Request) -> Response:
        field = serializers.DateField()
        try:
            day = field.to_internal_value(request.query_params.get("date", ""))
        except serializers.ValidationError as error:
            raise exceptions.ValidationError({"date": error.detail}) from error
        source = holiday_source(day)
        return Response({"date": day, "year": day.year, "source": source.value, "label": str(source.label)})


def register(router) -> None:
    router.register("official-days", OfficialDayViewSet, basename="official-day")
