"""REST API of the service-level context (R34, R18).

A work order's clocks: `GET /api/workorders/<id>/sla/` lists each milestone's clock (state, risk,
start, due and stop times, time paused, working time used and left), what the clocks panel of the
work-order page shows, scoped like the work order (404 outside the user's scope, R37).

The official holiday schedule of coming years: `/api/official-days/` lists the imported days
(`?year=`) and adds one (HQ admins); `POST /api/official-days/import/` takes a year's schedule as an
Excel (.xlsx) or CSV file (columns date, kind, name), saving every row or none (400 with each bad
row: `field` is `rows[<row>].<column>`); `GET /api/official-days/source/?date=` says which rule the
SLA arithmetic follows for that date's year (package, imported, or the weekends-only fallback).

The configuration the admin kept until issue 13, as resources HQ admins write and every staff user
reads (scoped, R37): `/api/working-calendars/` with their weekly hours (written as the whole week),
`/api/calendar-exceptions/`, and `/api/sla-policies/` with their milestones (written as the whole
list). Writes go through `services` (validation, one default, history); the calendars and policies
the SLA arithmetic keeps in memory reload on the next due time computed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from aftersales.accounts.choices import Role
from aftersales.accounts.models import ServicePoint
from aftersales.accounts.selectors import service_points_in_scope
from aftersales.core.api import (
    MULTIPART_PARSERS,
    IdNameSerializer,
    RejectUnknownFieldsMixin,
    RoleWritePermission,
    ScopedPrimaryKeyRelatedField,
    ServiceWriteMixin,
    form_invalid,
    problem_responses,
)
from aftersales.core.idempotency import idempotent
from aftersales.core.import_api import import_problem, import_template_action
from aftersales.customers.models import Customer
from aftersales.customers.selectors import customer_scope
from aftersales.workorders.api import workorder_of_path

from .choices import HolidaySource, MilestoneKind, OfficialDayKind, RiskLevel, Weekday
from .filtersets import CalendarExceptionFilterSet, SlaPolicyFilterSet, WorkingCalendarFilterSet
from .forms import OfficialScheduleImportForm
from .importing import official_days_import, official_template
from .models import CalendarException, OfficialDay, SlaClock, SlaPolicy, WorkingCalendar, milestone_events
from .selectors import (
    ClockView,
    calendar_exception_list,
    clocks_for,
    escalations,
    holiday_source,
    official_days,
    sees_escalations,
    sla_policy_list,
    working_calendar_list,
    working_calendar_scope,
)
from .services import (
    CALENDAR_FIELDS,
    POLICY_FIELDS,
    WeeklyPeriod,
    calendar_exception_delete,
    calendar_exception_save,
    may_edit_official_schedule,
    official_day_set,
    sla_policy_delete,
    sla_policy_save,
    working_calendar_delete,
    working_calendar_save,
)


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
            raise form_invalid(form)
        report = official_days_import(upload=form.cleaned_data["file"], actor=request.user)
        if not report.ok:
            return import_problem(report)
        return Response(
            {"rows": report.total_rows, "imported": report.imported}, status=status.HTTP_201_CREATED
        )

    import_template = import_template_action(
        content=official_template,
        filename="official-schedule-template.xlsx",
        allowed=may_edit_official_schedule,
        summary=_("The empty workbook of the official schedule's import (HQ admins)"),
        roles="HQ admin",
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


# --- working calendars, their exceptions and the service-level policies (R34) ---------------------

CONFIG_WRITE_ROLES = frozenset({Role.HQ_ADMIN})
_UPDATE_ERRORS = problem_responses(400, 401, 403, 404)
_DELETE_ERRORS = problem_responses(401, 403, 404, 409)
_READ_ERRORS = problem_responses(401, 404)
_LIST_ERRORS = problem_responses(400, 401)
_AFTER_A_CHANGE = _(
    "Due times already computed stay as they are (clocks are not recomputed); every due time "
    "computed after the change counts on the calendars as saved (SLA clocks, return visits, "
    "complaint response times)."
)


class WorkingPeriodSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    """One working period of a weekday, e.g. Monday 09:00-12:00 (a second row 13:00-18:00 makes the
    lunch break)."""

    weekday = serializers.ChoiceField(choices=Weekday.choices, help_text=_("Monday = 0 ... Sunday = 6."))
    weekday_display = serializers.CharField(source="get_weekday_display", read_only=True)
    start = serializers.TimeField()
    end = serializers.TimeField(help_text=_("00:00 means midnight at the end of the day."))


class WorkingCalendarSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    service_point = ScopedPrimaryKeyRelatedField(
        scope=service_points_in_scope,
        queryset=ServicePoint.objects.all(),
        allow_null=True,
        required=False,
        help_text=_("Set to make this calendar the one of that service point (instead of the default)."),
    )
    service_point_name = serializers.CharField(source="service_point.name", read_only=True, allow_null=True)
    hours = WorkingPeriodSerializer(
        many=True,
        help_text=_(
            "The weekly working periods; on a write, the whole week (it replaces the periods saved). "
            "Each ends after it starts; periods of a weekday do not overlap."
        ),
    )

    class Meta:
        model = WorkingCalendar
        fields = ["id", *CALENDAR_FIELDS, "service_point_name", "hours", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"is_default": {"validators": []}}  # moving the default is the service's

    def validate_hours(self, rows: list[dict]) -> list[WeeklyPeriod]:
        return [(row["weekday"], row["start"], row["end"]) for row in rows]


class ConfigViewSet(ServiceWriteMixin, viewsets.ModelViewSet):
    """A configuration resource of the service levels: read by every staff user (scoped by
    `rows(user)`), written by HQ admins through the services (`save_row`, `delete_row`)."""

    queryset = WorkingCalendar.objects.none()  # for the schema: each viewset names its model
    permission_classes = [RoleWritePermission]
    write_roles = CONFIG_WRITE_ROLES

    @staticmethod
    def rows(user: Any) -> Any:
        raise NotImplementedError

    def get_queryset(self):
        return self.rows(self.request.user)


def _crud_schema(output: type[serializers.Serializer], *, write: Any, delete: Any) -> Any:
    """The schema of a configuration resource's six operations: what a write does and refuses."""
    return extend_schema_view(
        list=extend_schema(responses={200: output(many=True), **_LIST_ERRORS}),
        retrieve=extend_schema(responses={200: output, **_READ_ERRORS}),
        create=extend_schema(description=write, responses={201: output, **problem_responses(400, 401, 403)}),
        update=extend_schema(description=write, responses={200: output, **_UPDATE_ERRORS}),
        partial_update=extend_schema(description=write, responses={200: output, **_UPDATE_ERRORS}),
        destroy=extend_schema(description=delete, responses={204: None, **_DELETE_ERRORS}),
    )


@_crud_schema(
    WorkingCalendarSerializer,
    write=format_lazy(
        "{} {}",
        _(
            "HQ admins only (403 for other roles). `hours` is the whole week and replaces the periods "
            "saved: 400 `period_reversed` (`hours[<i>].end`), `period_overlap` (`hours[<i>].start`), "
            "`hours_required` (none at all). A service point has one calendar (400 `unique` on "
            "`service_point`); the company default belongs to no point. `is_default: true` makes "
            "this calendar the company default and takes the flag from the previous one; the "
            "default stays it until then (400 `default_required`). Changes are in the history."
        ),
        _AFTER_A_CHANGE,
    ),
    delete=_(
        "HQ admins only. Deletes the calendar with its hours and exceptions: its service point "
        "counts on the company default from then on. The company default is kept (409 `protected`)."
    ),
)
class WorkingCalendarViewSet(ConfigViewSet):
    """Working calendars (R34): the company default, and a service point's own that replaces it
    for that point, with their weekly working hours. Readable by every staff user (scoped: the
    default and the calendars of the service points they work with); the dated exceptions are
    under `/api/calendar-exceptions/`."""

    queryset = WorkingCalendar.objects.none()  # for the schema; `rows` scopes per user
    serializer_class = WorkingCalendarSerializer
    filterset_class = WorkingCalendarFilterSet
    rows = staticmethod(working_calendar_list)

    def save_row(self, instance: WorkingCalendar | None, data: dict[str, Any], actor: Any) -> WorkingCalendar:
        return working_calendar_save(calendar=instance, actor=actor, **data)

    def delete_row(self, instance: WorkingCalendar, actor: Any) -> None:
        working_calendar_delete(calendar=instance, actor=actor)


class CalendarExceptionSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    calendar = ScopedPrimaryKeyRelatedField(
        scope=working_calendar_scope, queryset=WorkingCalendar.objects.all()
    )
    calendar_name = serializers.CharField(source="calendar.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = CalendarException
        fields = [
            "id",
            "calendar",
            "calendar_name",
            "date",
            "kind",
            "kind_display",
            "note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        validators: list = []  # one exception a day per calendar: the model says so, naming `date`


@_crud_schema(
    CalendarExceptionSerializer,
    write=format_lazy(
        "{} {}",
        _(
            "HQ admins only (403 for other roles). An extra holiday closes the day, an extra working "
            "day opens it with the standard periods; either wins over the weekly hours and the "
            "public holidays. One per day and calendar (400 `unique` on `date`). Changes are in "
            "the history."
        ),
        _AFTER_A_CHANGE,
    ),
    delete=format_lazy(
        "{} {}",
        _("HQ admins only. The day follows the weekly hours and the public holidays again."),
        _AFTER_A_CHANGE,
    ),
)
class CalendarExceptionViewSet(ConfigViewSet):
    """Dated exceptions of the working calendars (R34): `calendar`, `kind`, `year` and
    `date_from`/`date_to` filter. Readable by every staff user for the calendars they read."""

    queryset = CalendarException.objects.none()  # for the schema; `rows` scopes per user
    serializer_class = CalendarExceptionSerializer
    filterset_class = CalendarExceptionFilterSet
    rows = staticmethod(calendar_exception_list)

    def save_row(
        self, instance: CalendarException | None, data: dict[str, Any], actor: Any
    ) -> CalendarException:
        return calendar_exception_save(exception=instance, actor=actor, **data)

    def delete_row(self, instance: CalendarException, actor: Any) -> None:
        calendar_exception_delete(exception=instance, actor=actor)


START_EVENTS, STOP_EVENTS = milestone_events()


class MilestoneSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    """One milestone of a policy: a budget from the event that starts it to the first of the
    transitions that stop it."""

    kind = serializers.ChoiceField(choices=MilestoneKind.choices, help_text=_("Once per policy."))
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    target_hours = serializers.DecimalField(
        max_digits=7, decimal_places=2, help_text=_("The budget in hours (at least 0.01).")
    )
    business_time = serializers.BooleanField(
        default=True, help_text=_("Count working hours on the calendar only (else calendar time).")
    )
    start_on = serializers.ChoiceField(
        choices=START_EVENTS, help_text=_("'created' or the work-order transition that starts the clock.")
    )
    stop_on = serializers.ListField(
        child=serializers.ChoiceField(choices=STOP_EVENTS),
        allow_empty=False,
        help_text=_("The work-order transitions that stop it (not the one that starts it)."),
    )


class SlaPolicySerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    match_customer = ScopedPrimaryKeyRelatedField(
        scope=customer_scope,
        queryset=Customer.objects.all(),
        allow_null=True,
        required=False,
        help_text=_("A customer with its own service agreement (contract terms)."),
    )
    milestones = MilestoneSerializer(
        many=True,
        help_text=_("On a write, all of them: they replace the milestones saved (matched by `kind`)."),
    )
    specificity = serializers.IntegerField(
        read_only=True, help_text=_("Match fields set: the most specific matching policy wins.")
    )

    class Meta:
        model = SlaPolicy
        fields = ["id", *POLICY_FIELDS, "milestones", "specificity", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"is_default": {"validators": []}}  # moving the default is the service's

    def to_representation(self, policy: SlaPolicy) -> dict[str, Any]:
        data = super().to_representation(policy)
        order = {kind: index for index, kind in enumerate(MilestoneKind.values)}
        data["milestones"].sort(key=lambda row: order.get(row["kind"], 99))
        return data


@_crud_schema(
    SlaPolicySerializer,
    write=_(
        "HQ admins only (403 for other roles). `milestones` is the whole list and replaces the "
        "milestones saved: errors name the row (`milestones[<i>].<field>`: `unique` kind, "
        "`min_value` target, `stop_on_start`). `is_default: true` makes this policy the default "
        "and takes the flag from the previous one; the default stays it (400 `default_required`) "
        "and stays active (400 `default_inactive`).\n\n"
        "Work under way: a running clock keeps the target and counting mode it started with, so "
        "its due time does not move. Work orders whose clocks follow this policy keep following "
        "it, even once it is deactivated: their clocks that start from now on take the milestones "
        "as saved, and the stop events as saved stop their running clocks at their next "
        "transitions. New work orders are matched against the policies as saved. Changes are in "
        "the history."
    ),
    delete=_(
        "HQ admins only. Only a policy no clock ever followed: the default and a policy with "
        "clocks are kept (409 `protected`; deactivate it with `is_active: false` instead)."
    ),
)
class SlaPolicyViewSet(ConfigViewSet):
    """Service-level policies with their milestones (R34, R18): which work orders a policy applies
    to (empty match fields match anything; the most specific active policy wins, then a
    non-default one, then the lowest precedence) and its budgets. `q` searches the name, province
    and note; `is_active`, `is_default` and the match fields filter. Readable by every staff user
    (a customer's own agreement only by those who see the customer)."""

    queryset = SlaPolicy.objects.none()  # for the schema; `rows` scopes per user
    serializer_class = SlaPolicySerializer
    filterset_class = SlaPolicyFilterSet
    rows = staticmethod(sla_policy_list)

    def save_row(self, instance: SlaPolicy | None, data: dict[str, Any], actor: Any) -> SlaPolicy:
        return sla_policy_save(policy=instance, actor=actor, **data)

    def delete_row(self, instance: SlaPolicy, actor: Any) -> None:
        sla_policy_delete(policy=instance, actor=actor)


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
        source="clock.warn_at", allow_null=True, help_text=_("When three quarters of the budget are used.")
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


class EscalatedWorkOrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    customer = IdNameSerializer()


class EscalationSerializer(serializers.ModelSerializer):
    """R34: one missed service level escalated to the supervisors, its work order still open."""

    milestone = serializers.ChoiceField(choices=MilestoneKind.choices, source="kind")
    milestone_display = serializers.CharField(source="get_kind_display")
    work_order = EscalatedWorkOrderSerializer()
    paused_at = serializers.DateTimeField(
        allow_null=True, help_text=_("Since when the clock is paused (the work order waits), if it is.")
    )

    class Meta:
        model = SlaClock
        fields = ["id", "milestone", "milestone_display", "due_at", "escalated_at", "paused_at", "work_order"]
        read_only_fields = fields


class SeesEscalations(permissions.BasePermission):
    message = _("The escalations are for the supervisors and HQ admins.")

    def has_permission(self, request, view) -> bool:
        return sees_escalations(request.user)


class EscalationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """R34: the home page's escalations panel as a list: the service levels missed and escalated to
    the supervisors whose clocks still run, of the work orders you may see (R37)."""

    queryset = SlaClock.objects.none()  # for the schema; get_queryset is the panel's selector
    serializer_class = EscalationSerializer
    permission_classes = [permissions.IsAuthenticated, SeesEscalations]
    filter_backends: list[Any] = []

    def get_queryset(self):
        return escalations(self.request.user)

    @extend_schema(
        summary=_("Open escalations: service levels missed (supervisors, HQ admins)"),
        description="The home page's escalations panel, all of them: each clock whose due time "
        "passed and that was escalated to the supervisors, its work order still open, the latest "
        "escalation first; only work orders you may see (R37). 403 `permission_denied` for the "
        "roles breaches do not escalate to.",
        responses={200: EscalationSerializer(many=True), **problem_responses(400, 403)},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)


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
    router.register("sla/escalations", EscalationViewSet, basename="sla-escalation")
    router.register("working-calendars", WorkingCalendarViewSet, basename="working-calendar")
    router.register("calendar-exceptions", CalendarExceptionViewSet, basename="calendar-exception")
    router.register("sla-policies", SlaPolicyViewSet, basename="sla-policy")
    # /workorders/<id>/sla/ (before the work orders' unknown-action catch-all, config/api_urls.py)
    router.register("workorders", WorkOrderSlaViewSet, basename="workorder-sla")
