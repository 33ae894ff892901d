"""Servicing endpoints: remote sessions, service plans, depot repairs (with their process record),
external repairs (with their follow-ups) and vendors. Reads through the scoped selectors (R37; out
of scope is 404); one `POST /<id>/<action>/` per transition calling the same service as the page;
errors leave as JSON problems (409 from another state, 403 for a role that may not)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from aftersales.core.api import RoleWritePermission, problem_responses

from .. import repairs, services
from ..filtersets import (
    DepotRepairFilterSet,
    ExternalRepairFilterSet,
    RemoteSessionFilterSet,
    ServicePlanFilterSet,
    VendorFilterSet,
)
from ..models import DepotRepair, ExternalRepair, RemoteSession, ServicePlan, Vendor
from ..selectors import (
    depot_repair_list,
    external_repair_list,
    remote_session_list,
    service_plan_list,
    vendor_list,
)
from ..transitions import DEPOT, EXTERNAL, PLAN, REMOTE, Machine
from . import serializers as s

Run = Callable[[Any, Any, dict[str, Any]], Any]
MULTIPART = [MultiPartParser, FormParser, JSONParser]


def _respond(
    view: viewsets.GenericViewSet, output: type[serializers.Serializer], result: Any, code: int
) -> Response:
    return Response(output(result, context=view.get_serializer_context()).data, status=code)


def transition_endpoint(
    name: str,
    machine: Machine,
    input_class: type[serializers.Serializer],
    run: Run,
    *,
    output: type[serializers.Serializer] | None = None,
    code: int = status.HTTP_200_OK,
    multipart: bool = False,
    partial: bool = False,
) -> Callable:
    """`POST /api/<resource>/<id>/<name>/`: one endpoint per transition, with its own input,
    documented with its sources, target and roles."""
    url = name.replace("_", "-")
    transition = machine[name]

    def endpoint(self: viewsets.GenericViewSet, request: Request, pk: str | None = None) -> Response:
        obj = self.get_object()
        serializer = input_class(data=request.data, partial=partial, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        result = run(obj, request.user, dict(serializer.validated_data))
        return _respond(self, output or self.get_serializer_class(), result, code)

    endpoint.__name__ = name
    endpoint.__doc__ = input_class.__doc__
    extra = {"parser_classes": MULTIPART} if multipart else {}
    decorated = action(detail=True, methods=["post"], url_path=url, url_name=url, **extra)(endpoint)
    return extend_schema(
        summary=str(transition.label),
        description=(
            f"{input_class.__doc__}\n\nFrom: {', '.join(sorted(transition.sources))}. "
            f"To: {transition.target}. Roles: {', '.join(sorted(transition.roles))}. "
            "409 `transition_not_allowed` from another state, "
            "403 when the role may not run it."
        ),
        request={"multipart/form-data": input_class} if multipart else input_class,
        responses={code: output, **problem_responses(400, 403, 404, 409)} if output else None,
    )(decorated)


class ServicingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Reads for any signed-in staff user, scoped; writes are checked by the services per role."""

    permission_classes = [RoleWritePermission]
    filter_backends = [DjangoFilterBackend]

    def create_with(self, request: Request, input_class: type[serializers.Serializer], run: Run) -> Response:
        serializer = input_class(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        result = run(data.pop("work_order"), request.user, data)
        return _respond(self, self.get_serializer_class(), result, status.HTTP_201_CREATED)


def _create_schema(input_class: type[serializers.Serializer], output: type[serializers.Serializer], summary):
    return extend_schema(
        summary=summary, request=input_class, responses={201: output, **problem_responses(400, 403, 409)}
    )


@extend_schema_view(
    retrieve=extend_schema(responses={200: s.RemoteSessionSerializer, **problem_responses(404)})
)
class RemoteSessionViewSet(ServicingViewSet):
    """Remote service sessions (R6) of the work orders in your scope."""

    queryset = RemoteSession.objects.none()  # for the schema; get_queryset scopes per user
    serializer_class = s.RemoteSessionSerializer
    filterset_class = RemoteSessionFilterSet

    def get_queryset(self):
        return remote_session_list(self.request.user)

    @_create_schema(s.RemoteStartInput, s.RemoteSessionSerializer, _("Record a remote session"))
    def create(self, request: Request) -> Response:
        return self.create_with(
            request,
            s.RemoteStartInput,
            lambda wo, actor, d: services.remote_session_start(work_order=wo, actor=actor, **d),
        )

    solve = transition_endpoint(
        "solve",
        REMOTE,
        s.RemoteSolveInput,
        lambda o, actor, d: services.remote_session_solve(session_id=o.pk, actor=actor, **d),
        output=s.RemoteSessionSerializer,
    )
    escalate = transition_endpoint(
        "escalate",
        REMOTE,
        s.RemoteEscalateInput,
        lambda o, actor, d: services.remote_session_escalate(session_id=o.pk, actor=actor, **d),
        output=s.RemoteSessionSerializer,
    )


@extend_schema_view(
    retrieve=extend_schema(responses={200: s.ServicePlanSerializer, **problem_responses(404)})
)
class ServicePlanViewSet(ServicingViewSet):
    """Service plans (R8): drawn up, sent, confirmed or rejected by the customer, revised."""

    queryset = ServicePlan.objects.none()
    serializer_class = s.ServicePlanSerializer
    filterset_class = ServicePlanFilterSet

    def get_queryset(self):
        return service_plan_list(self.request.user)

    @_create_schema(s.PlanCreateInput, s.ServicePlanSerializer, _("Draw up a service plan (draft)"))
    def create(self, request: Request) -> Response:
        return self.create_with(
            request,
            s.PlanCreateInput,
            lambda wo, actor, d: services.plan_create(work_order=wo, actor=actor, **d),
        )

    @extend_schema(
        summary=_("Edit a draft plan"),
        request=s.PlanContentInput,
        responses={200: s.ServicePlanSerializer, **problem_responses(400, 403, 404, 409)},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        serializer = s.PlanContentInput(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        result = services.plan_update(plan_id=plan.pk, actor=request.user, **serializer.validated_data)
        return _respond(self, s.ServicePlanSerializer, result, status.HTTP_200_OK)

    send = transition_endpoint(
        "send",
        PLAN,
        s.PlanSendInput,
        lambda o, actor, d: services.plan_send(plan_id=o.pk, actor=actor, **d),
        output=s.ServicePlanSerializer,
    )
    confirm = transition_endpoint(
        "confirm",
        PLAN,
        s.PlanConfirmInput,
        lambda o, actor, d: services.plan_confirm(plan_id=o.pk, actor=actor, **d),
        output=s.ServicePlanSerializer,
    )
    reject = transition_endpoint(
        "reject",
        PLAN,
        s.PlanRejectInput,
        lambda o, actor, d: services.plan_reject(plan_id=o.pk, actor=actor, **d),
        output=s.ServicePlanSerializer,
    )
    revise = transition_endpoint(
        "revise",
        PLAN,
        s.PlanReviseInput,
        lambda o, actor, d: services.plan_revise(plan_id=o.pk, actor=actor, **d),
        output=s.ServicePlanSerializer,
        code=status.HTTP_201_CREATED,
        partial=True,
    )
    approve = transition_endpoint(
        "approve",
        PLAN,
        s.EmptyInput,
        lambda o, actor, d: services.plan_approve(plan_id=o.pk, actor=actor),
        output=s.ServicePlanSerializer,
    )


@extend_schema_view(
    retrieve=extend_schema(responses={200: s.DepotRepairSerializer, **problem_responses(404)})
)
class DepotRepairViewSet(ServicingViewSet):
    """Depot repairs (R13): intake inspection, repair, process record, send-out, re-check, hand-back."""

    queryset = DepotRepair.objects.none()
    serializer_class = s.DepotRepairSerializer
    filterset_class = DepotRepairFilterSet

    def get_queryset(self):
        return (
            depot_repair_list(self.request.user)
            .select_related("work_order__engineer", "work_order__device__product_model")
            .prefetch_related("photos")
        )

    @_create_schema(s.DepotReceiveInput, s.DepotRepairSerializer, _("Take a device in for depot repair"))
    def create(self, request: Request) -> Response:
        return self.create_with(
            request,
            s.DepotReceiveInput,
            lambda wo, actor, d: repairs.depot_repair_receive(work_order=wo, actor=actor, **d),
        )

    inspect = transition_endpoint(
        "inspect",
        DEPOT,
        s.DepotInspectInput,
        lambda o, actor, d: repairs.depot_repair_inspect(repair_id=o.pk, actor=actor, **d),
        output=s.DepotRepairSerializer,
        multipart=True,
    )
    start_repair = transition_endpoint(
        "start_repair",
        DEPOT,
        s.EmptyInput,
        lambda o, actor, d: repairs.depot_repair_start(repair_id=o.pk, actor=actor),
        output=s.DepotRepairSerializer,
    )
    send_out = transition_endpoint(
        "send_out",
        DEPOT,
        s.SendOutInput,
        lambda o, actor, d: repairs.external_repair_send(repair_id=o.pk, actor=actor, **d),
        output=s.ExternalRepairSerializer,
        code=status.HTTP_201_CREATED,
        multipart=True,
    )
    recheck = transition_endpoint(
        "recheck",
        DEPOT,
        s.RecheckInput,
        lambda o, actor, d: repairs.depot_repair_recheck(repair_id=o.pk, actor=actor, **d),
        output=s.DepotRepairSerializer,
    )
    hand_back = transition_endpoint(
        "hand_back",
        DEPOT,
        s.HandBackInput,
        lambda o, actor, d: repairs.depot_repair_hand_back(repair_id=o.pk, actor=actor, **d),
        output=s.DepotRepairSerializer,
    )

    @extend_schema(
        methods=["GET"],
        summary=_("The repair process record"),
        responses={200: s.RepairLogEntrySerializer(many=True), **problem_responses(404)},
    )
    @extend_schema(
        methods=["POST"],
        summary=_("Add a line to the repair process record"),
        request=s.RepairLogInput,
        responses={201: s.RepairLogEntrySerializer, **problem_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["get", "post"])
    def entries(self, request: Request, pk: str | None = None) -> Response:
        repair = self.get_object()
        if request.method == "GET":
            rows = repair.entries.select_related("performed_by")
            return Response(
                s.RepairLogEntrySerializer(rows, many=True, context=self.get_serializer_context()).data
            )
        serializer = s.RepairLogInput(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        entry = repairs.depot_repair_log(repair_id=repair.pk, actor=request.user, **serializer.validated_data)
        return _respond(self, s.RepairLogEntrySerializer, entry, status.HTTP_201_CREATED)


@extend_schema_view(
    retrieve=extend_schema(responses={200: s.ExternalRepairSerializer, **problem_responses(404)})
)
class ExternalRepairViewSet(ServicingViewSet):
    """External repairs (R14): devices at vendors, followed up until back, re-checked, done or re-sent."""

    queryset = ExternalRepair.objects.none()
    serializer_class = s.ExternalRepairSerializer
    filterset_class = ExternalRepairFilterSet

    def get_queryset(self):
        return external_repair_list(self.request.user).select_related("work_order__engineer")

    receive = transition_endpoint(
        "receive",
        EXTERNAL,
        s.ExternalReceiveInput,
        lambda o, actor, d: repairs.external_repair_receive(external_repair_id=o.pk, actor=actor, **d),
        output=s.ExternalRepairSerializer,
    )
    recheck = transition_endpoint(
        "recheck",
        EXTERNAL,
        s.RecheckInput,
        lambda o, actor, d: repairs.external_repair_recheck(external_repair_id=o.pk, actor=actor, **d),
        output=s.ExternalRepairSerializer,
    )
    unrepairable = transition_endpoint(
        "unrepairable",
        EXTERNAL,
        s.ExternalUnrepairableInput,
        lambda o, actor, d: repairs.external_repair_unrepairable(external_repair_id=o.pk, actor=actor, **d),
        output=s.ExternalRepairSerializer,
    )
    complete = transition_endpoint(
        "complete",
        EXTERNAL,
        s.ExternalCompleteInput,
        lambda o, actor, d: repairs.external_repair_complete(external_repair_id=o.pk, actor=actor, **d),
        output=s.ExternalRepairSerializer,
    )
    resend = transition_endpoint(
        "resend",
        EXTERNAL,
        s.SendOutInput,
        lambda o, actor, d: repairs.external_repair_resend(external_repair_id=o.pk, actor=actor, **d),
        output=s.ExternalRepairSerializer,
        code=status.HTTP_201_CREATED,
        multipart=True,
    )

    @extend_schema(
        methods=["GET"],
        summary=_("Follow-ups of a device at a vendor"),
        responses={200: s.FollowUpSerializer(many=True), **problem_responses(404)},
    )
    @extend_schema(
        methods=["POST"],
        summary=_("Record a follow-up with the vendor"),
        request=s.FollowUpInput,
        responses={201: s.FollowUpSerializer, **problem_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["get", "post"], url_path="follow-ups", url_name="follow-ups")
    def follow_ups(self, request: Request, pk: str | None = None) -> Response:
        external = self.get_object()
        if request.method == "GET":
            rows = external.follow_ups.select_related("actor")
            return Response(s.FollowUpSerializer(rows, many=True, context=self.get_serializer_context()).data)
        serializer = s.FollowUpInput(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        follow_up = repairs.external_repair_follow_up_log(
            external_repair_id=external.pk, actor=request.user, **serializer.validated_data
        )
        return _respond(self, s.FollowUpSerializer, follow_up, status.HTTP_201_CREATED)


@extend_schema_view(retrieve=extend_schema(responses={200: s.VendorSerializer, **problem_responses(404)}))
class VendorViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Repair vendors (R14), maintained in the admin; readable by every staff user."""

    queryset = Vendor.objects.none()
    serializer_class = s.VendorSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = VendorFilterSet

    def get_queryset(self):
        return vendor_list()
