"""REST API of complaints (R26) and difficult cases (R27): scoped lists filtered like the pages,
the complaint form (create), opening a case (create), one `POST /<id>/<action>/` per transition,
the histories and the proposals; the configuration kept in the admin until issue 13: response
times per severity, the escalation levels (HQ admins) and the case criteria (supervisors and HQ
admins, as on the settings page). Reads through selectors, writes through services; errors as
JSON problems (core/api.py). `register(router)` is called by config/api_urls.py."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from aftersales.accounts.choices import Role
from aftersales.accounts.models import User
from aftersales.core.api import (
    IdNameSerializer,
    PersonalPhoneField,
    ReferenceDataWriteMixin,
    RejectUnknownFieldsMixin,
    RoleWritePermission,
    ScopedPrimaryKeyRelatedField,
    ServiceWriteMixin,
    export_action,
    problem_responses,
    request_user,
    transition_actions,
)
from aftersales.core.api_filters import ListFilterBackend
from aftersales.core.bulk import bulk_endpoint
from aftersales.core.idempotency import idempotent
from aftersales.core.transitions import Machine
from aftersales.customers.models import Customer
from aftersales.customers.selectors import customer_scope
from aftersales.workorders.models import WorkOrder
from aftersales.workorders.selectors import workorder_get, workorder_scope

from . import services
from .choices import CaseState, ComplaintCategory, ComplaintSource, ComplaintState, ResponseRisk, Severity
from .filtersets import ComplaintFilterSet, DifficultCaseFilterSet
from .forms import CaseCriteriaForm
from .models import (
    CaseCriteria,
    CaseLevel,
    CaseStep,
    Complaint,
    ComplaintEvent,
    ComplaintResponsePolicy,
    DifficultCase,
)
from .privacy import complaint_in_full
from .selectors import (
    case_get,
    case_list,
    case_proposals,
    case_steps,
    complaint_get,
    complaint_history,
    complaint_list,
    criteria_get,
    reasons_of,
)
from .tables import history_text
from .transitions import CASE, COMPLAINT, OPEN_CASE, REGISTER, may_open_case
from .views import CaseExportView, CaseListView, ComplaintExportView, ComplaintListView


def _active_users():
    return User.objects.filter(is_active=True)


@cache
def _enum_field_class(name: str, values: tuple[str, ...]) -> type[serializers.ChoiceField]:
    return extend_schema_field({"type": "string", "enum": list(values)}, component_name=name)(
        type(f"{name}Field", (serializers.ChoiceField,), {})
    )


def _state_field(name: str, choices: list[tuple[str, str]]) -> serializers.ChoiceField:
    """A read-only choice shown in the schema as its own named enum: the field names `state`,
    `from_state` and `to_state` are used by other lifecycles with other choices."""
    values = tuple(value for value, _label in choices)
    return _enum_field_class(name, values)(choices=choices, read_only=True)


# --- output -----------------------------------------------------------------------------------


def _action_slug(name: str) -> str:
    """The path of a transition's endpoint (`POST /<id>/<slug>/`)."""
    return name.replace("_", "-")


class AvailableActionsMixin(serializers.Serializer):
    machine: Machine

    def get_available_actions(self, obj) -> list[str]:
        """The action endpoints this user may call now (the buttons on the page)."""
        user = request_user(self.context)
        if user is None:
            return []
        return [_action_slug(t.name) for t in self.machine.available(obj, user)]


class ComplaintSerializer(AvailableActionsMixin, serializers.ModelSerializer):
    """A complaint (客户投诉处理单) with its response risk; the complainant's phone masked in lists
    and as `accounts.privacy` says on one complaint (R41)."""

    machine = COMPLAINT
    state = _state_field("ComplaintStateEnum", ComplaintState.choices)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    customer = IdNameSerializer(read_only=True)
    work_order = IdNameSerializer(read_only=True, allow_null=True)
    people = IdNameSerializer(many=True, read_only=True)
    contact_phone = PersonalPhoneField(attribute="contact_phone", in_full=complaint_in_full)
    response_risk = serializers.ChoiceField(source="risk", choices=ResponseRisk.choices, read_only=True)
    available_actions = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = [
            "id",
            "number",
            "state",
            "state_display",
            "outcome",
            "available_actions",
            "source",
            "category",
            "severity",
            "customer",
            "work_order",
            "contact_name",
            "contact_phone",
            "people",
            "description",
            "is_authentic",
            "is_reasonable",
            "assessment_note",
            "cause",
            "measures",
            "feedback",
            "response_due_at",
            "response_risk",
            "responded_at",
            "warned_at",
            "escalated_at",
            "created_at",
            "closed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(
        serializers.ListField(
            child=serializers.ChoiceField(choices=[_action_slug(t.name) for t in COMPLAINT])
        )
    )
    def get_available_actions(self, obj) -> list[str]:
        return super().get_available_actions(obj)


class DifficultCaseSerializer(AvailableActionsMixin, serializers.ModelSerializer):
    machine = CASE
    state = _state_field("CaseStateEnum", CaseState.choices)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    work_order = IdNameSerializer(read_only=True)
    handler = IdNameSerializer(read_only=True)
    opened_by = IdNameSerializer(read_only=True)
    available_actions = serializers.SerializerMethodField()

    class Meta:
        model = DifficultCase
        fields = [
            "id",
            "number",
            "state",
            "state_display",
            "level",
            "available_actions",
            "work_order",
            "handler",
            "reasons",
            "summary",
            "result",
            "opened_by",
            "created_at",
            "resolved_at",
            "closed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=[_action_slug(t.name) for t in CASE]))
    )
    def get_available_actions(self, obj) -> list[str]:
        return super().get_available_actions(obj)


class _HistoryTextMixin(serializers.Serializer):
    text = serializers.SerializerMethodField(
        help_text=_("The step's own text, in the reader's language; the note holds the user's words.")
    )

    def get_text(self, obj) -> str:
        return history_text(obj)


class ComplaintEventSerializer(_HistoryTextMixin, serializers.ModelSerializer):
    actor = IdNameSerializer(read_only=True, allow_null=True)
    from_state = _state_field("ComplaintStateOrEmptyEnum", [("", ""), *ComplaintState.choices])
    to_state = _state_field("ComplaintStateOrEmptyEnum", [("", ""), *ComplaintState.choices])

    class Meta:
        model = ComplaintEvent
        fields = ["id", "created_at", "action", "from_state", "to_state", "text", "note", "actor"]
        read_only_fields = fields


class CaseStepSerializer(_HistoryTextMixin, serializers.ModelSerializer):
    actor = IdNameSerializer(read_only=True, allow_null=True)
    from_state = _state_field("CaseStateOrEmptyEnum", [("", ""), *CaseState.choices])
    to_state = _state_field("CaseStateOrEmptyEnum", [("", ""), *CaseState.choices])
    handler = IdNameSerializer(read_only=True, allow_null=True)

    class Meta:
        model = CaseStep
        fields = [
            "id",
            "created_at",
            "action",
            "from_state",
            "to_state",
            "level",
            "handler",
            "text",
            "note",
            "actor",
        ]
        read_only_fields = fields


class ProposalSerializer(serializers.ModelSerializer):
    """A work order proposed as a difficult case, with the criteria it meets (R27)."""

    customer = IdNameSerializer(read_only=True)
    reasons = serializers.SerializerMethodField()

    class Meta:
        model = WorkOrder
        fields = ["id", "number", "state", "customer", "serial_number", "created_at", "reasons"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_reasons(self, work_order: WorkOrder) -> list[str]:
        return [str(reason) for reason in reasons_of(work_order, self.context["criteria"])]


# --- input ------------------------------------------------------------------------------------


class ComplaintRegisterSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    """The complaint form: a work order, or (hotline) the customer; both in the caller's scope."""

    work_order = ScopedPrimaryKeyRelatedField(
        queryset=WorkOrder.objects.all(), scope=workorder_scope, required=False, allow_null=True, default=None
    )
    customer = ScopedPrimaryKeyRelatedField(
        queryset=Customer.objects.all(), scope=customer_scope, required=False, allow_null=True, default=None
    )
    contact_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=64)
    contact_phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
    source = serializers.ChoiceField(choices=ComplaintSource.choices, default=ComplaintSource.HOTLINE)
    category = serializers.ChoiceField(choices=ComplaintCategory.choices)
    severity = serializers.ChoiceField(choices=Severity.choices)
    description = serializers.CharField()
    people = serializers.PrimaryKeyRelatedField(
        queryset=_active_users(), many=True, required=False, default=list
    )


class CaseOpenSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    """Open a difficult case on a work order in the caller's scope, with its level-1 handler."""

    work_order = ScopedPrimaryKeyRelatedField(queryset=WorkOrder.objects.all(), scope=workorder_scope)
    handler = serializers.PrimaryKeyRelatedField(queryset=_active_users())
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


def _text() -> serializers.CharField:
    return serializers.CharField(required=False, allow_blank=True, max_length=4000)


def _flag() -> serializers.BooleanField:
    return serializers.BooleanField(required=False)


def _user() -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(queryset=_active_users(), required=False, allow_null=True)


# The inputs of the lifecycle endpoints (`core.api.transition_actions`): each endpoint takes the
# inputs its transition declares; none is required here (the transition says what is missing).
COMPLAINT_INPUTS: dict[str, Callable[[], serializers.Field]] = {
    "note": _text,
    "is_authentic": _flag,
    "is_reasonable": _flag,
    "cause": _text,
    "measures": _text,
    "feedback": _text,
}
CASE_INPUTS: dict[str, Callable[[], serializers.Field]] = {"note": _text, "handler": _user, "result": _text}


class CaseCriteriaSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    """R27: when a work order is proposed as a difficult case (any enabled criterion)."""

    updated_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text=_("Empty while the defaults apply.")
    )

    class Meta:
        model = CaseCriteria
        fields = [*CaseCriteriaForm.Meta.fields, "updated_at"]  # what the settings page edits


class ScopedViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    filter_backends = [ListFilterBackend]
    permission_classes = [RoleWritePermission]
    http_method_names = ["get", "post", "head", "options"]
    getter: Callable

    def get_object(self):
        """One row in the user's scope, or 404 (never 403: existence is not disclosed)."""
        try:
            pk = int(self.kwargs[self.lookup_field])
        except (TypeError, ValueError):
            raise exceptions.NotFound() from None
        return type(self).getter(self.request.user, pk)

    def reload(self, obj):
        return type(self).getter(self.request.user, obj.pk)

    def transition_response(self, obj) -> Response:
        """After a transition: the record as the user now sees it."""
        return Response(
            self.get_serializer_class()(self.reload(obj), context=self.get_serializer_context()).data
        )

    @property
    def write_roles(self) -> frozenset[str] | None:
        return self.create_roles if self.action == "create" else None


@extend_schema_view(
    list=extend_schema(
        summary=_("Complaints in your scope"), responses={200: ComplaintSerializer(many=True)}
    ),
    retrieve=extend_schema(responses={200: ComplaintSerializer, **problem_responses(404)}),
)
@transition_actions(COMPLAINT, fields=COMPLAINT_INPUTS, prefix="Complaint")
class ComplaintViewSet(ScopedViewSet):
    """Complaints (R26, R37): filtered like the list page, scoped to the user."""

    queryset = Complaint.objects.none()
    serializer_class = ComplaintSerializer
    filterset_class = ComplaintFilterSet
    export = export_action(ComplaintExportView, summary=_("Export the complaints to Excel"))
    bulk = bulk_endpoint(
        ComplaintListView,
        prefix="Complaint",
        summary=_("Act on many complaints at once (the list's bulk actions)"),
        not_found=_("No such complaint."),
    )
    getter = staticmethod(complaint_get)
    create_roles = REGISTER.roles

    def get_queryset(self):
        return complaint_list(self.request.user).prefetch_related("people")

    @extend_schema(
        summary=_("Register a complaint"),
        request=ComplaintRegisterSerializer,
        responses={201: ComplaintSerializer, **problem_responses(400, 403)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        serializer = ComplaintRegisterSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        complaint = services.complaint_register(actor=request.user, **serializer.validated_data)
        return Response(
            ComplaintSerializer(self.reload(complaint), context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(summary=_("History of a complaint"), responses={200: ComplaintEventSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str | None = None) -> Response:
        events = complaint_history(self.get_object())
        return Response(
            ComplaintEventSerializer(events, many=True, context=self.get_serializer_context()).data
        )


@extend_schema_view(
    list=extend_schema(
        summary=_("Difficult cases in your scope"), responses={200: DifficultCaseSerializer(many=True)}
    ),
    retrieve=extend_schema(responses={200: DifficultCaseSerializer, **problem_responses(404)}),
)
@transition_actions(CASE, fields=CASE_INPUTS, prefix="Case")
class DifficultCaseViewSet(ScopedViewSet):
    """Difficult cases (R27, R37): filtered like the list page, scoped to the user."""

    queryset = DifficultCase.objects.none()
    serializer_class = DifficultCaseSerializer
    filterset_class = DifficultCaseFilterSet
    export = export_action(CaseExportView, summary=_("Export the difficult cases to Excel"))
    bulk = bulk_endpoint(
        CaseListView,
        prefix="DifficultCase",
        summary=_("Act on many difficult cases at once (the list's bulk actions)"),
        not_found=_("No such difficult case."),
    )
    getter = staticmethod(case_get)
    create_roles = OPEN_CASE.roles
    http_method_names = [*ScopedViewSet.http_method_names, "patch"]  # the criteria (no row is patched)

    def get_queryset(self):
        return case_list(self.request.user)

    @extend_schema(
        summary=_("Open a difficult case"),
        request=CaseOpenSerializer,
        responses={201: DifficultCaseSerializer, **problem_responses(400, 403)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        serializer = CaseOpenSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        work_order = workorder_get(request.user, data["work_order"].pk)
        case = services.case_open(
            work_order=work_order, handler=data["handler"], actor=request.user, note=data["note"]
        )
        return Response(
            DifficultCaseSerializer(self.reload(case), context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary=_("Handling steps of a difficult case"), responses={200: CaseStepSerializer(many=True)}
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])  # a case's few steps
    def steps(self, request: Request, pk: str | None = None) -> Response:
        steps = case_steps(self.get_object())
        return Response(CaseStepSerializer(steps, many=True, context=self.get_serializer_context()).data)

    @extend_schema(
        methods=["GET"],
        summary=_("The difficult-case criteria"),
        description=_("Their defaults while nobody saved them (R27). Every staff user reads them."),
        request=None,
        responses={200: CaseCriteriaSerializer, **problem_responses(401)},
    )
    @extend_schema(
        methods=["PATCH"],
        summary=_("Change the difficult-case criteria (supervisors and HQ admins)"),
        description=_(
            "What is left out stays, as on the settings page. 400 `min_value` naming the field "
            "(at least 1 day, at least 2 visits or work orders); 403 `permission_denied` for other "
            "roles. The proposals follow the criteria as saved at once. Every change is in the "
            "history."
        ),
        request=CaseCriteriaSerializer,
        responses={200: CaseCriteriaSerializer, **problem_responses(400, 401, 403)},
    )
    @action(detail=False, methods=["get", "patch"], filter_backends=[], pagination_class=None)
    def criteria(self, request: Request) -> Response:
        if request.method == "PATCH":
            data = CaseCriteriaSerializer(data=request.data, partial=True)
            data.is_valid(raise_exception=True)
            services.case_criteria_update(actor=request.user, **data.validated_data)
        return Response(CaseCriteriaSerializer(criteria_get()).data)

    @extend_schema(
        summary=_("Work orders proposed as difficult cases"),
        responses={200: ProposalSerializer(many=True), **problem_responses(403)},
    )
    @action(detail=False, methods=["get"], filter_backends=[])
    def proposals(self, request: Request) -> Response:
        """R27: the work orders in your scope meeting the criteria, oldest first (CASE roles only)."""
        if not may_open_case(request.user):
            raise exceptions.PermissionDenied()
        criteria = criteria_get()
        page = self.paginate_queryset(case_proposals(request.user, criteria=criteria))
        context = {**self.get_serializer_context(), "criteria": criteria}
        return self.get_paginated_response(ProposalSerializer(page, many=True, context=context).data)


# --- the configuration (R26, R27) -----------------------------------------------------------------

CONFIG_WRITE_ROLES = frozenset({Role.HQ_ADMIN})
_WRITE_ERRORS = problem_responses(400, 401, 403, 404)


class ComplaintResponsePolicySerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    severity_display = serializers.CharField(source="get_severity_display", read_only=True)

    class Meta:
        model = ComplaintResponsePolicy
        fields = [
            "id",
            "severity",
            "severity_display",
            "response_hours",
            "business_time",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]


_RESPONSE_WRITE = _(
    "HQ admins only (403 for other roles). One row per severity (400 `unique` on `severity`); "
    "`response_hours` at least 0.25 (400 `min_value`). Complaints registered from now on are due "
    "as saved; those registered before keep their due time. Changes are in the history."
)


@extend_schema_view(
    list=extend_schema(
        responses={200: ComplaintResponsePolicySerializer(many=True), **problem_responses(401)}
    ),
    retrieve=extend_schema(responses={200: ComplaintResponsePolicySerializer, **problem_responses(401, 404)}),
    create=extend_schema(
        description=_RESPONSE_WRITE,
        responses={201: ComplaintResponsePolicySerializer, **problem_responses(400, 401, 403)},
    ),
    update=extend_schema(
        description=_RESPONSE_WRITE, responses={200: ComplaintResponsePolicySerializer, **_WRITE_ERRORS}
    ),
    partial_update=extend_schema(
        description=_RESPONSE_WRITE, responses={200: ComplaintResponsePolicySerializer, **_WRITE_ERRORS}
    ),
    destroy=extend_schema(
        description=_(
            "HQ admins only. Complaints of that severity are then due by the default: critical 4, "
            "serious 8, general 24 business hours."
        ),
        responses={204: None, **problem_responses(401, 403, 404)},
    ),
)
class ComplaintResponsePolicyViewSet(ReferenceDataWriteMixin, viewsets.ModelViewSet):
    """How fast a complaint of each severity must be answered (R26), in business or calendar
    hours. A severity without a row has the default. Readable by every staff user."""

    queryset = ComplaintResponsePolicy.objects.order_by("severity", "pk")
    serializer_class = ComplaintResponsePolicySerializer
    permission_classes = [RoleWritePermission]
    write_roles = CONFIG_WRITE_ROLES
    filterset_class = None


class CaseLevelSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    role_display = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = CaseLevel
        fields = ["id", "number", "name", "role", "role_display", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


_LEVEL_WRITE = _(
    "HQ admins only (403 for other roles). Level numbers are unique and at least 1 (400 `unique`, "
    "`min_value` on `number`); an empty `role` lets any staff user handle cases at that level. "
    "A level open difficult cases are at keeps its number (409 `protected`). The name and role "
    "apply to the next escalation to the level. Changes are in the history."
)


@extend_schema_view(
    list=extend_schema(responses={200: CaseLevelSerializer(many=True), **problem_responses(401)}),
    retrieve=extend_schema(responses={200: CaseLevelSerializer, **problem_responses(401, 404)}),
    create=extend_schema(
        description=_LEVEL_WRITE, responses={201: CaseLevelSerializer, **problem_responses(400, 401, 403)}
    ),
    update=extend_schema(
        description=_LEVEL_WRITE,
        responses={200: CaseLevelSerializer, **problem_responses(400, 401, 403, 404, 409)},
    ),
    partial_update=extend_schema(
        description=_LEVEL_WRITE,
        responses={200: CaseLevelSerializer, **problem_responses(400, 401, 403, 404, 409)},
    ),
    destroy=extend_schema(
        description=_("HQ admins only. A level open difficult cases are at is kept (409 `protected`)."),
        responses={204: None, **problem_responses(401, 403, 404, 409)},
    ),
)
class CaseLevelViewSet(ServiceWriteMixin, viewsets.ModelViewSet):
    """The escalation ladder of difficult cases (R27), lowest level first: a case escalated to a
    level gets a handler with that level's role. Readable by every staff user."""

    queryset = CaseLevel.objects.order_by("number", "pk")
    serializer_class = CaseLevelSerializer
    permission_classes = [RoleWritePermission]
    write_roles = CONFIG_WRITE_ROLES
    filterset_class = None

    def save_row(self, instance: CaseLevel | None, data: dict[str, Any], actor: Any) -> CaseLevel:
        return services.case_level_save(level=instance, actor=actor, **data)

    def delete_row(self, instance: CaseLevel, actor: Any) -> None:
        services.case_level_delete(level=instance, actor=actor)


def register(router) -> None:
    """Add this app's viewsets to the project's router."""
    router.register(r"complaints", ComplaintViewSet, basename="complaint")
    router.register(r"difficult-cases", DifficultCaseViewSet, basename="difficult-case")
    router.register(
        r"complaint-response-policies", ComplaintResponsePolicyViewSet, basename="complaint-response-policy"
    )
    router.register(r"case-levels", CaseLevelViewSet, basename="case-level")
