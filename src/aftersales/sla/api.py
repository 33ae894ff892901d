"""REST API of the service-level context (R34, R18).

A work order's clocks: `GET /api/workorders/<id>/sla/` lists each milestone's clock (state, risk,
start, due and stop times, time paused, working time used and left), what the clocks panel of the
work-order page shows, scoped like the work order (404 outside the user's scope, R37).

The official holiday schedule of coming years: `/api/official-days/` lists the imported days
(`?year=`) and adds one (HQ admins); `POST /api/official-days/import/` takes a year's schedule as an
Excel (.xlsx) or CSV file (columns date, kind, name), saving every row or none (400 with each bad
row: `field` is `rows[<row>].<column>`); `GET /api/official-days/source/?date=` says which rule the
SLA arithmetic follows for that date's year (package, imported, or the weekends-only fallback)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from aftersales.core.api import (
    MULTIPART_PARSERS,
    IdNameSerializer,
    RejectUnknownFieldsMixin,
    RoleWritePermission,
    problem,
    problem_responses,
)
from aftersales.core.idempotency import idempotent
from aftersales.core.importing import ImportReport
from aftersales.workorders.api import workorder_of_path

from .choices import HolidaySource, MilestoneKind, OfficialDayKind, RiskLevel
from .forms import OfficialScheduleImportForm
from .importing import official_days_import
from .models import OfficialDay
from .selectors import ClockView, clocks_for, holiday_source, official_days
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


class ImportInput(serializers.Serializer):
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


@extend_schema_view(
    list=extend_schema(
        summary=_("Imported official holiday schedule"),
        parameters=[OpenApiParameter("year", OpenApiTypes.INT, description=_("Only this year's days."))],
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
        year = self.request.query_params.get("year", "")
        return official_days(int(year) if year.isdigit() else None)

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


# -- a work order's clocks (R34, R18) -----------------------------------------------------------


def _seconds(duration: timedelta) -> int:
    return int(duration.total_seconds())


class ClockSerializer(serializers.Serializer):
    """One milestone's clock. Durations are whole seconds, counted as the clock counts: working
    time on the service point's calendar when `business_time`, else calendar time."""

    milestone = serializers.ChoiceField(choices=MilestoneKind.choices, source="clock.kind")
    milestone_display = serializers.CharField(source="kind_label")
    state = serializers.CharField(
        help_text=_(
            "running; paused (the work order waits); met or breached (stopped in time or late); "
            "cancelled (stopped without a verdict: the work order was cancelled)."
        ),
    )
    risk = serializers.ChoiceField(
        choices=RiskLevel.choices,
        help_text=_("ok below 75 % of the budget, warning from 75 %, breached past the due time."),
    )
    policy = IdNameSerializer(source="clock.policy", allow_null=True)
    business_time = serializers.BooleanField(
        source="clock.business_time", help_text=_("Counts working hours only (else calendar time).")
    )
    target_seconds = serializers.SerializerMethodField(help_text=_("The budget."))
    started_at = serializers.DateTimeField(source="clock.started_at")
    due_at = serializers.DateTimeField(
        source="clock.due_at", help_text=_("Moved out by the time paused when the clock resumes.")
    )
    warn_at = serializers.DateTimeField(
        source="clock.warn_at", allow_null=True, help_text=_("When 75 % of the budget is used.")
    )
    paused_at = serializers.DateTimeField(
        source="clock.paused_at", allow_null=True, help_text=_("Since when it is paused, if it is.")
    )
    paused_reason = serializers.CharField(
        source="clock.paused_reason",
        help_text=_("While paused, what the work order waits for (its waiting reason); else empty."),
    )
    paused_seconds = serializers.SerializerMethodField(
        help_text=_("Time paused so far (the ongoing pause included), which does not count.")
    )
    stopped_at = serializers.DateTimeField(source="clock.stopped_at", allow_null=True)
    breached_at = serializers.DateTimeField(
        source="clock.breached_at", allow_null=True, help_text=_("The due time, once missed.")
    )
    used_seconds = serializers.SerializerMethodField(help_text=_("Budget used (pauses excluded)."))
    remaining_seconds = serializers.SerializerMethodField(
        help_text=_("Budget left (0 once used up); frozen while paused or stopped.")
    )
    percent = serializers.IntegerField(help_text=_("Share of the budget used."))
    escalated_at = serializers.DateTimeField(
        source="clock.escalated_at", allow_null=True, help_text=_("When the breach was escalated.")
    )

    def get_target_seconds(self, view: ClockView) -> int:
        return _seconds(view.clock.target)

    def get_paused_seconds(self, view: ClockView) -> int:
        return _seconds(view.paused)

    def get_used_seconds(self, view: ClockView) -> int:
        return _seconds(view.used)

    def get_remaining_seconds(self, view: ClockView) -> int:
        return _seconds(view.remaining)


class WorkOrderSlaSerializer(serializers.Serializer):
    """R34, R18: a work order's service-level clocks in milestone order."""

    work_order = IdNameSerializer(help_text=_("Its id and number."))
    received_at = serializers.DateTimeField(
        help_text=_("When the request came in: the intake clocks start then.")
    )
    next_due_at = serializers.DateTimeField(
        allow_null=True, help_text=_("The due time of the running clock due next (the list's SLA column).")
    )
    at = serializers.DateTimeField(help_text=_("The time the clocks were read at (now)."))
    clocks = ClockSerializer(many=True)


class WorkOrderSlaViewSet(viewsets.ViewSet):
    """`/api/workorders/<id>/sla/`: a work order's clocks (the clocks panel of its page)."""

    @extend_schema(
        summary=_("Service-level clocks and due times of a work order (R34, R18)"),
        description=_(
            "Each milestone's clock (first response, diagnosis and quote, repair, record complete) "
            "the work order has started so far, with its state, risk, start, due and stop times, the "
            "time paused, and the working time used and left, read now. A milestone not reached yet "
            "has no clock. Any staff user who may see the work order; 404 otherwise (R37)."
        ),
        parameters=[
            OpenApiParameter("id", int, OpenApiParameter.PATH, description=_("The work order's id."))
        ],
        responses={200: WorkOrderSlaSerializer, **problem_responses(404)},
    )
    @action(detail=True, methods=["get"], url_path="sla", url_name="sla")
    def sla(self, request: Request, pk: str | None = None) -> Response:
        work_order = workorder_of_path(request.user, pk)
        at = timezone.now()
        data = {
            "work_order": work_order,
            "received_at": work_order.received_at,
            "next_due_at": work_order.sla_due_at,
            "at": at,
            "clocks": clocks_for(work_order, at=at),
        }
        return Response(WorkOrderSlaSerializer(data).data)


def register(router) -> None:
    router.register("official-days", OfficialDayViewSet, basename="official-day")
    # /workorders/<id>/sla/ (before the work orders' unknown-action catch-all, config/api_urls.py)
    router.register("workorders", WorkOrderSlaViewSet, basename="workorder-sla")
