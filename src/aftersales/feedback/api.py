"""REST API of return visits (R22-R25): the scoped list filtered like the queue page, one POST per
transition of the lifecycle (`core.api.transition_actions`: `record`, `retry`, `give-up`; `cancel`
is the system's) and `call-failed`, which picks retry or give-up by the policy; the call-back
request (R23), the report (R25) and the company's return-visit policy (`policy/`: every staff user
reads it, HQ admins change it). Reads go through selectors (R37), writes through the lifecycle
and the services; errors leave as JSON problems (core/api.py)."""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseBase
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from aftersales.complaints.choices import ComplaintCategory, Severity
from aftersales.core.api import (
    FILE_ACTION,
    PDF_MEDIA_TYPE,
    IdNameSerializer,
    PersonalPhoneField,
    RejectUnknownFieldsMixin,
    RoleWritePermission,
    ScopedPrimaryKeyRelatedField,
    export_action,
    file_responses,
    form_invalid,
    printed_form_pdf,
    problem_responses,
    refuse_blank_parameters,
    transition_actions,
)
from aftersales.core.api_filters import ListFilterBackend
from aftersales.core.excel import XLSX_MIME
from aftersales.core.idempotency import idempotent
from aftersales.workorders.models import WorkOrder
from aftersales.workorders.selectors import workorder_scope

from . import services
from .choices import AttemptResult
from .filtersets import ReturnVisitFilterSet
from .forms import ReportPeriodForm
from .models import SCORE_FIELDS, ReturnVisit, ReturnVisitAttempt, ReturnVisitPolicy
from .privacy import return_visit_in_full
from .report import SCORE_AVERAGES, ReportRow, ReturnVisitReport, return_visit_report
from .selectors import policy_get, return_visit_get, return_visit_list
from .transitions import RETURN_VISIT, makes_return_visits
from .views import ReturnVisitExportView, report_form, report_workbook


class CallSerializer(serializers.ModelSerializer):
    actor = IdNameSerializer(read_only=True)
    result_display = serializers.CharField(source="get_result_display", read_only=True)

    class Meta:
        model = ReturnVisitAttempt
        fields = ["created_at", "actor", "result", "result_display", "note", "retry_at"]


class ReturnVisitSerializer(serializers.ModelSerializer):
    """A return visit with its work order's customer (phone masked by role, R41) and its calls."""

    work_order = serializers.SerializerMethodField()
    customer = serializers.CharField(source="work_order.customer.name", read_only=True)
    contact_name = serializers.CharField(source="work_order.contact_name", read_only=True)
    contact_phone = PersonalPhoneField(attribute="work_order.contact_phone", in_full=return_visit_in_full)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    engineer = IdNameSerializer(read_only=True, allow_null=True)
    service_point = IdNameSerializer(read_only=True, allow_null=True)
    product_line = IdNameSerializer(read_only=True, allow_null=True)
    assignee = IdNameSerializer(read_only=True, allow_null=True)
    # Plain strings: the choices are documented by *_display and the filters, and the schema keeps
    # one enum per name across the apps.
    state = serializers.CharField(read_only=True, help_text="pending | done | unreachable | cancelled")
    kind = serializers.CharField(read_only=True, help_text="routine | callback")
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)
    calls = CallSerializer(many=True, read_only=True)

    class Meta:
        model = ReturnVisit
        fields = [
            "id",
            "number",
            "kind",
            "kind_display",
            "round",
            "state",
            "state_display",
            "work_order",
            "customer",
            "contact_name",
            "contact_phone",
            "engineer",
            "service_point",
            "product_line",
            "assignee",
            "work_completed_at",
            "due_at",
            "next_call_at",
            "overdue",
            "attempts",
            "finished_at",
            "score_timeliness",
            "score_skill",
            "score_attitude",
            "score_effectiveness",
            "score_overall",
            "satisfied",
            "other_needs",
            "comment",
            "praise",
            "complaint",
            "complaint_detail",
            "cancel_reason",
            "calls",
        ]
        read_only_fields = fields

    def get_work_order(self, visit: ReturnVisit) -> dict:
        return {"id": visit.work_order_id, "number": visit.work_order.number}


def _failed_result() -> serializers.ChoiceField:
    """Why the call failed: any result but `reached` (refused with 400 on `result`: a customer
    reached answers, `record`). One choice set with the calls' `result`, so one enum in the schema."""
    return serializers.ChoiceField(
        choices=AttemptResult.choices, help_text=_("Why the customer was not reached (not “reached”).")
    )


def _score() -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=5)


class ComplaintInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    """A complaint voiced on the call, registered as a complaint (R24, R26)."""

    category = serializers.ChoiceField(choices=ComplaintCategory.choices, default=ComplaintCategory.OTHER)
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.GENERAL)
    description = serializers.CharField()


def _text() -> serializers.CharField:
    return serializers.CharField(required=False, allow_blank=True, default="")


# The inputs of the return-visit transitions (one input serializer per transition, core.api).
TRANSITION_FIELDS = {
    **{name: _score for name in SCORE_FIELDS},
    "unsatisfied": lambda: serializers.BooleanField(
        required=False, default=False, help_text=_("Unsatisfied whatever the scores: reopens the work order.")
    ),
    "other_needs": _text,
    "comment": _text,
    "praise": _text,
    "complaint": lambda: ComplaintInputSerializer(required=False, allow_null=True, default=None),
    "result": _failed_result,
    "note": lambda: serializers.CharField(required=False, allow_blank=True, default="", max_length=255),
    "reason": lambda: serializers.CharField(required=False, allow_blank=True, default=""),
}


class CallFailedInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    """call-failed: the customer was not reached; the visit stays pending with the next call
    scheduled, or ends unreachable after the policy's number of calls or on a wrong number."""

    result = _failed_result()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


class CallbackInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    """R23: the engineer is unsure of the fix: call the customer back a few hours after completion."""

    work_order = ScopedPrimaryKeyRelatedField(queryset=WorkOrder.objects.all(), scope=workorder_scope)


class ReportRowSerializer(serializers.Serializer):
    label = serializers.CharField()
    finished = serializers.IntegerField()
    done = serializers.IntegerField()
    unreachable = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    satisfaction_rate = serializers.FloatField(allow_null=True)
    praise = serializers.IntegerField()
    complaints = serializers.IntegerField()
    averages = serializers.SerializerMethodField()

    def get_averages(self, row: ReportRow) -> dict[str, float | None]:
        return dict(zip(SCORE_AVERAGES, row.averages(), strict=True))


class ReportSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    total = ReportRowSerializer()
    by_engineer = ReportRowSerializer(many=True, source="by.engineer")
    by_service_point = ReportRowSerializer(many=True, source="by.service_point")
    by_product_line = ReportRowSerializer(many=True, source="by.product_line")


class ReturnVisitPolicySerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    """The company's return-visit rules (R22, R23)."""

    updated_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text=_("Empty while the defaults apply.")
    )

    class Meta:
        model = ReturnVisitPolicy
        fields = [*services.POLICY_FIELDS, "updated_at"]


REPORT_PERIOD_PARAMETERS = [
    OpenApiParameter(
        "month",
        {"type": "string", "pattern": r"^[1-9][0-9]{3}-(0?[1-9]|1[0-2])$"},
        description="YYYY-MM (default: the current month)",
    ),
    OpenApiParameter("start", OpenApiTypes.DATE, description="YYYY-MM-DD, with end"),
    OpenApiParameter("end", OpenApiTypes.DATE, description="YYYY-MM-DD, with start"),
]


@extend_schema_view(
    list=extend_schema(
        summary=_("Return visits in your scope"),
        responses={200: ReturnVisitSerializer(many=True), **problem_responses(400)},
    ),
    retrieve=extend_schema(responses={200: ReturnVisitSerializer, **problem_responses(404)}),
)
@transition_actions(RETURN_VISIT, fields=TRANSITION_FIELDS, prefix="ReturnVisit")
class ReturnVisitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Return visits (R22-R24), filtered like the queue page and scoped to the user's work orders;
    `POST /<id>/<transition>/` for each transition of the return-visit lifecycle (record, retry,
    give-up; cancel is the system's), and `call-failed`, which picks retry or give-up by the policy."""

    queryset = ReturnVisit.objects.none()  # for the schema; get_queryset scopes per user
    serializer_class = ReturnVisitSerializer
    filter_backends = [ListFilterBackend]
    filterset_class = ReturnVisitFilterSet
    export = export_action(ReturnVisitExportView, summary=_("Export the return visits to Excel"))
    permission_classes = [RoleWritePermission]

    def get_queryset(self):
        return return_visit_list(self.request.user).prefetch_related("calls__actor")

    def get_object(self) -> ReturnVisit:
        try:
            pk = int(self.kwargs[self.lookup_field])
        except (TypeError, ValueError):
            raise exceptions.NotFound() from None
        return return_visit_get(self.request.user, pk)

    def _output(self, visit: ReturnVisit, status_code: int = status.HTTP_200_OK) -> Response:
        visit = return_visit_get(self.request.user, visit.pk)
        return Response(ReturnVisitSerializer(visit, context=self.get_serializer_context()).data, status_code)

    def _input(self, serializer_class: type[serializers.Serializer]) -> dict:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def transition_response(self, visit: ReturnVisit) -> Response:
        """After a transition (`POST /<id>/<action>/`, one per transition of transitions.py)."""
        return self._output(visit)

    @extend_schema(
        summary=_("Log a call that did not reach the customer"),
        description="Runs `retry` while the policy leaves calls and the number is right, else `give-up`.",
        request=CallFailedInputSerializer,
        responses={200: ReturnVisitSerializer, **problem_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="call-failed", url_name="call-failed")
    def call_failed(self, request: Request, pk: str | None = None) -> Response:
        visit = self.get_object()
        data = self._input(CallFailedInputSerializer)
        return self._output(services.return_visit_call_failed(visit_id=visit.pk, actor=request.user, **data))

    @extend_schema(
        summary=_("Ask for a call-back on an uncertain fix"),
        request=CallbackInputSerializer,
        responses={
            201: ReturnVisitSerializer,
            200: ReturnVisitSerializer,
            **problem_responses(400, 403, 409),
        },
    )
    @action(detail=False, methods=["post"])
    @idempotent
    def callback(self, request: Request) -> Response:
        """201 with the new call-back, or 200 with the one already scheduled (idempotent)."""
        work_order = self._input(CallbackInputSerializer)["work_order"]
        visit, created = services.return_visit_callback_request(
            work_order_id=work_order.pk, actor=request.user
        )
        return self._output(visit, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        summary=_("Return-visit report"),
        parameters=REPORT_PERIOD_PARAMETERS,
        responses={200: ReportSerializer, **problem_responses(400, 403)},
    )
    @action(detail=False, methods=["get"])
    def report(self, request: Request) -> Response:
        return Response(ReportSerializer(self._report(request)).data)

    @extend_schema(
        summary=_("Export the return-visit report to Excel"),
        description="The report's figures as an Excel workbook (.xlsx), the same as the report "
        "page's export; the export is logged (R41). The period as for the report; a period that "
        "is not valid is a 400 problem naming the field (the page falls back to this month).",
        parameters=REPORT_PERIOD_PARAMETERS,
        responses=file_responses(XLSX_MIME, 400, 403),
    )
    @action(
        url_path="report/export",
        url_name="report-export",
        filter_backends=[],
        pagination_class=None,
        **{**FILE_ACTION, "detail": False},
    )
    def report_export(self, request: Request) -> HttpResponseBase:
        return report_workbook(request._request, self._report(request))

    @extend_schema(
        summary=_("The printed return-visit report (PDF)"),
        description="The report as a printed document, the same as the report page's PDF; the "
        "download is logged (R41). The period as for the report; a period that is not valid is a "
        "400 problem naming the field (the page falls back to this month).",
        parameters=REPORT_PERIOD_PARAMETERS,
        responses=file_responses(PDF_MEDIA_TYPE, 400, 403),
    )
    @action(
        url_path="report/print",
        url_name="report-print",
        filter_backends=[],
        pagination_class=None,
        **{**FILE_ACTION, "detail": False},
    )
    def report_print(self, request: Request) -> HttpResponse:
        return printed_form_pdf(request, report_form(request._request, self._report(request)))

    def _report(self, request: Request) -> ReturnVisitReport:
        """The report of the period asked for, for the return-visit roles (403 otherwise, as on
        the page); a period that is not valid is a 400 problem naming the field."""
        if not makes_return_visits(request.user):
            raise exceptions.PermissionDenied()
        refuse_blank_parameters(request, ("month", "start", "end"))  # the page's form reads "" as absent
        form = ReportPeriodForm(request.query_params)
        if not form.is_valid():
            raise form_invalid(form)
        data = form.cleaned_data
        return return_visit_report(request.user, start=data["start"], end=data["end"])

    @extend_schema(
        methods=["GET"],
        summary=_("The company's return-visit policy"),
        description=_("Its defaults while nobody saved one (R22, R23). Every staff user reads it."),
        request=None,
        responses={200: ReturnVisitPolicySerializer, **problem_responses(401)},
    )
    @extend_schema(
        methods=["PATCH"],
        summary=_("Change the return-visit policy (HQ admins)"),
        description=_(
            "What is left out stays. 400 `min_value`/`max_value` naming the field out of its range "
            "(due after 1-7 working days, call-back after 1-48 hours, unsatisfied below 2-5, 1-10 "
            "calls, retry after 1-40 working hours); 403 `permission_denied` for anyone but an HQ "
            "admin. Visits already scheduled keep their due time; visits scheduled from now on, the "
            "next failed call of a pending visit and the next answer follow the policy as saved. "
            "Every change is in the history."
        ),
        request=ReturnVisitPolicySerializer,
        responses={200: ReturnVisitPolicySerializer, **problem_responses(400, 401, 403)},
    )
    @action(detail=False, methods=["get", "patch"], filterset_class=None, pagination_class=None)
    def policy(self, request: Request) -> Response:
        if request.method == "PATCH":
            data = ReturnVisitPolicySerializer(data=request.data, partial=True)
            data.is_valid(raise_exception=True)
            services.return_visit_policy_update(actor=request.user, **data.validated_data)
        return Response(ReturnVisitPolicySerializer(policy_get()).data)


def register(router) -> None:
    """Add this app's viewset to the project's router (config/api_urls.py)."""
    router.register(r"return-visits", ReturnVisitViewSet, basename="return-visit")
