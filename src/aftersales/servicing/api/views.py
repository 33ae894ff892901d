"""Servicing endpoints: remote sessions, service plans, depot repairs (with their process record),
external repairs (with their follow-ups) and vendors. Reads through the scoped selectors (R37; out
of scope is 404); one `POST /<id>/<action>/` per transition (`core.api.transition_actions`), running
the same machine as the pages; errors leave as JSON problems (409 from another state, 403 for a role
that may not, 400 naming the input at fault)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import prefetch_related_objects
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from aftersales.accounts.choices import REFERENCE_ADMIN_ROLES
from aftersales.core.api import (
    ID_PATTERN,
    MULTIPART_PARSERS,
    ReferenceDataWriteMixin,
    RoleWritePermission,
    export_action,
    problem_responses,
    transition_actions,
)
from aftersales.core.api_filters import ListFilterBackend
from aftersales.core.bulk import bulk_endpoint
from aftersales.core.idempotency import idempotent
from aftersales.devices.api import EntitlementQuerySerializer
from aftersales.workorders.api import workorder_of_path

from .. import services
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
    warranty_records,
)
from ..transitions import DEPOT, EXTERNAL, PLAN, REMOTE
from ..views import DepotRepairExportView, ExternalRepairExportView, ExternalRepairListView, VendorExportView
from ..warranty import work_order_entitlement
from . import serializers as s

Run = Callable[[Any, Any, dict[str, Any]], Any]


def _respond(
    view: viewsets.GenericViewSet, output: type[serializers.Serializer], result: Any, code: int
) -> Response:
    return Response(output(result, context=view.get_serializer_context()).data, status=code)


class ServicingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Reads for any signed-in staff user, scoped; writes are checked by the machines and services
    per role."""

    permission_classes = [RoleWritePermission]
    filter_backends = [ListFilterBackend]

    def create_with(self, request: Request, input_class: type[serializers.Serializer], run: Run) -> Response:
        serializer = input_class(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        result = run(data.pop("work_order"), request.user, data)
        return _respond(self, self.get_serializer_class(), result, status.HTTP_201_CREATED)

    def transition_response(self, result: Any) -> Response:
        """After a transition: the record as it is now."""
        return _respond(self, self.get_serializer_class(), result, status.HTTP_200_OK)


def _create_schema(input_class: type[serializers.Serializer], output: type[serializers.Serializer], summary):
    return extend_schema(
        summary=summary, request=input_class, responses={201: output, **problem_responses(400, 403, 409)}
    )


@extend_schema_view(
    retrieve=extend_schema(responses={200: s.RemoteSessionSerializer, **problem_responses(404)})
)
@transition_actions(REMOTE, fields=s.REMOTE_INPUTS, prefix="RemoteSession")
class RemoteSessionViewSet(ServicingViewSet):
    """Remote service sessions (R6) of the work orders in your scope."""

    queryset = RemoteSession.objects.none()  # for the schema; get_queryset scopes per user
    serializer_class = s.RemoteSessionSerializer
    filterset_class = RemoteSessionFilterSet

    def get_queryset(self):
        return remote_session_list(self.request.user)

    @_create_schema(s.RemoteStartInput, s.RemoteSessionSerializer, _("Record a remote session"))
    @idempotent
    def create(self, request: Request) -> Response:
        return self.create_with(
            request,
            s.RemoteStartInput,
            lambda wo, actor, d: services.remote_session_start(work_order=wo, actor=actor, **d),
        )


@extend_schema_view(
    retrieve=extend_schema(responses={200: s.ServicePlanSerializer, **problem_responses(404)})
)
@transition_actions(
    PLAN,
    fields=s.PLAN_INPUTS,
    prefix="ServicePlan",
    run={
        # The revision is a new plan (201): fields left out keep the old content.
        "revise": lambda plan, transition, actor, version, inputs: services.plan_revise(
            plan_id=plan.pk, actor=actor, **{"reason": "", **inputs}
        )
    },
    created={"revise": s.ServicePlanSerializer},
)
class ServicePlanViewSet(ServicingViewSet):
    """Service plans (R8): drawn up, sent, confirmed or rejected by the customer, revised."""

    queryset = ServicePlan.objects.none()
    serializer_class = s.ServicePlanSerializer
    filterset_class = ServicePlanFilterSet

    def get_queryset(self):
        return service_plan_list(self.request.user)

    @_create_schema(s.PlanCreateInput, s.ServicePlanSerializer, _("Draw up a service plan (draft)"))
    @idempotent
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


def _send_out(call: Callable[..., ExternalRepair], key: str):
    """`run` of a send-out endpoint: the service, which returns the new external repair (201)."""
    return lambda obj, transition, actor, version, inputs: call(
        **{key: obj.pk},
        actor=actor,
        **{"vendor": None, "reason": "", "vendor_contact": "", "voucher_number": "", **inputs},
    )


@extend_schema_view(
    retrieve=extend_schema(responses={200: s.DepotRepairSerializer, **problem_responses(404)})
)
@transition_actions(
    DEPOT,
    fields=s.DEPOT_INPUTS,
    prefix="DepotRepair",
    run={"send_out": _send_out(services.external_repair_send, "repair_id")},
    multipart=frozenset({"inspect", "send_out"}),
    created={"send_out": s.ExternalRepairSerializer},
)
class DepotRepairViewSet(ServicingViewSet):
    """Depot repairs (R13): intake inspection, repair, process record, send-out, re-check, hand-back."""

    queryset = DepotRepair.objects.none()
    serializer_class = s.DepotRepairSerializer
    filterset_class = DepotRepairFilterSet
    export = export_action(DepotRepairExportView, summary=_("Export the depot repairs to Excel"))

    def get_queryset(self):
        return (
            depot_repair_list(self.request.user)
            .select_related("work_order__engineer", "work_order__device__product_model")
            # the send-outs say whether the device may come back (`vendor_return`), one query
            .prefetch_related("photos", "external_repairs")
        )

    @_create_schema(s.DepotReceiveInput, s.DepotRepairSerializer, _("Take a device in for depot repair"))
    @idempotent
    def create(self, request: Request) -> Response:
        return self.create_with(
            request,
            s.DepotReceiveInput,
            lambda wo, actor, d: services.depot_repair_receive(work_order=wo, actor=actor, **d),
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
    @idempotent
    def entries(self, request: Request, pk: str | None = None) -> Response:
        repair = self.get_object()
        if request.method == "GET":
            rows = repair.entries.select_related("performed_by")
            return Response(
                s.RepairLogEntrySerializer(rows, many=True, context=self.get_serializer_context()).data
            )
        serializer = s.RepairLogInput(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        entry = services.depot_repair_log(
            repair_id=repair.pk, actor=request.user, **serializer.validated_data
        )
        return _respond(self, s.RepairLogEntrySerializer, entry, status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary=_("The parts replaced in the repair"),
        responses={200: s.DepotPartSerializer(many=True), **problem_responses(404)},
    )
    @extend_schema(
        methods=["POST"],
        summary=_("Record a part replaced in the repair"),
        request=s.DepotPartInput,
        responses={201: s.DepotPartSerializer, **problem_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["get", "post"])
    @idempotent
    def parts(self, request: Request, pk: str | None = None) -> Response:
        """R12, R32: issued from the service point's store (409 `insufficient_stock` when short)."""
        repair = self.get_object()
        if request.method == "GET":
            rows = repair.parts.select_related("warehouse", "old_part")
            return Response(s.DepotPartSerializer(rows, many=True).data)
        serializer = s.DepotPartInput(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        part = services.depot_repair_part_add(
            repair_id=repair.pk, actor=request.user, **serializer.validated_data
        )
        return _respond(self, s.DepotPartSerializer, part, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Remove a part recorded by mistake"),
        request=None,
        responses={204: None, **problem_responses(403, 404, 409)},
    )
    @action(detail=True, methods=["delete"], url_path=rf"parts/(?P<part_id>{ID_PATTERN})")
    def part_remove(self, request: Request, pk: str | None = None, part_id: str | None = None) -> Response:
        """R32: the part goes back to the store it came from."""
        repair = self.get_object()
        part = get_object_or_404(repair.parts, pk=part_id)
        services.depot_repair_part_remove(part_id=part.pk, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    retrieve=extend_schema(responses={200: s.ExternalRepairSerializer, **problem_responses(404)})
)
@transition_actions(
    EXTERNAL,
    fields=s.EXTERNAL_INPUTS,
    prefix="ExternalRepair",
    run={"resend": _send_out(services.external_repair_resend, "external_repair_id")},
    multipart=frozenset({"resend"}),
    created={"resend": s.ExternalRepairSerializer},
)
class ExternalRepairViewSet(ServicingViewSet):
    """External repairs (R14): devices at vendors, followed up until back, re-checked, done or re-sent."""

    queryset = ExternalRepair.objects.none()
    serializer_class = s.ExternalRepairSerializer
    filterset_class = ExternalRepairFilterSet
    export = export_action(ExternalRepairExportView, summary=_("Export the external repairs to Excel"))
    bulk = bulk_endpoint(
        ExternalRepairListView,
        prefix="ExternalRepair",
        summary=_("Act on many external repairs at once (the list's bulk actions)"),
        not_found=_("No such external repair."),
        number=lambda repair: repair.voucher_number,
    )

    def get_queryset(self):
        return external_repair_list(self.request.user).select_related("work_order__engineer")

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
    @idempotent
    def follow_ups(self, request: Request, pk: str | None = None) -> Response:
        external = self.get_object()
        if request.method == "GET":
            rows = external.follow_ups.select_related("actor")
            return Response(s.FollowUpSerializer(rows, many=True, context=self.get_serializer_context()).data)
        serializer = s.FollowUpInput(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        follow_up = services.external_repair_follow_up_log(
            external_repair_id=external.pk, actor=request.user, **serializer.validated_data
        )
        return _respond(self, s.FollowUpSerializer, follow_up, status.HTTP_201_CREATED)


_VENDOR_WRITE = _(
    "Supervisors and HQ admins (403 for other roles). 400 naming the field: `unique` name, "
    "`invalid_phone`, `min_value` lead time, an unknown product line. `is_active: false` "
    "deactivates the vendor: it is no longer offered for sending devices out, and devices already "
    "there come back as usual. Changes are in the history."
)


@extend_schema_view(
    list=extend_schema(responses={200: s.VendorSerializer(many=True), **problem_responses(400, 401)}),
    retrieve=extend_schema(responses={200: s.VendorSerializer, **problem_responses(401, 404)}),
    create=extend_schema(
        description=_VENDOR_WRITE,
        request=s.VendorInputSerializer,
        responses={201: s.VendorSerializer, **problem_responses(400, 401, 403)},
    ),
    update=extend_schema(
        description=_VENDOR_WRITE,
        request=s.VendorInputSerializer,
        responses={200: s.VendorSerializer, **problem_responses(400, 401, 403, 404)},
    ),
    partial_update=extend_schema(
        description=_VENDOR_WRITE,
        request=s.VendorInputSerializer,
        responses={200: s.VendorSerializer, **problem_responses(400, 401, 403, 404)},
    ),
    destroy=extend_schema(
        description=_(
            "Supervisors and HQ admins. A vendor devices were ever sent to is kept (409 "
            "`protected`): deactivate it instead."
        ),
        responses={204: None, **problem_responses(401, 403, 404, 409)},
    ),
)
class VendorViewSet(ReferenceDataWriteMixin, viewsets.ModelViewSet):
    """Repair vendors (R14): readable by every staff user (`q`, `product_line`, `is_active`,
    `ordering`); kept by supervisors and HQ admins, like the rest of the reference data."""

    queryset = Vendor.objects.none()
    serializer_class = s.VendorSerializer
    permission_classes = [RoleWritePermission]
    write_roles = REFERENCE_ADMIN_ROLES
    filter_backends = [ListFilterBackend]
    filterset_class = VendorFilterSet
    export = export_action(VendorExportView, summary=_("Export the repair vendors to Excel"))

    def get_queryset(self):
        return vendor_list()

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return s.VendorInputSerializer
        return s.VendorSerializer


WORK_ORDER_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description=_("The work order's id."))


@extend_schema_view(
    retrieve=extend_schema(
        summary=_("Warranty entitlement of a work order (R36)"),
        description=_(
            "`{id}` is the work order's id. In, out of warranty or unknown, the policy and the dates, "
            "and for every kind of line (diagnosis, visit, labour, travel, parts by category) whether "
            "it is covered and who pays, each with its reason; exclusions and overrides recorded on "
            "the work order applied."
        ),
        parameters=[EntitlementQuerySerializer, WORK_ORDER_ID],
        responses={200: s.EntitlementSerializer, **problem_responses(400, 404)},
    ),
    exclusions=extend_schema(
        summary=_("Record a warranty exclusion (R36)"),
        parameters=[WORK_ORDER_ID],
        request=s.WarrantyExclusionInputSerializer,
        responses={201: s.EntitlementSerializer, **problem_responses(400, 403, 404, 409)},
    ),
    overrides=extend_schema(
        summary=_("Override the warranty start or a line's payer (R36, supervisors)"),
        parameters=[WORK_ORDER_ID],
        request=s.WarrantyOverrideInputSerializer,
        responses={201: s.EntitlementSerializer, **problem_responses(400, 403, 404, 409)},
    ),
    purchase_proofs=extend_schema(
        summary=_("Attach a proof of purchase (R36)"),
        description=_(
            "Multipart upload of the invoice (an image or a PDF) with the purchase date on it; the "
            "file joins the work order's attachments, and cover counts from that date when it runs "
            "from the purchase (unless a supervisor set the start). Answers the entitlement."
        ),
        parameters=[WORK_ORDER_ID],
        request={"multipart/form-data": s.PurchaseProofInputSerializer},
        responses={201: s.EntitlementSerializer, **problem_responses(400, 403, 404, 409)},
    ),
)
class WarrantyViewSet(viewsets.ViewSet):
    """Reads for any signed-in staff user, on the work orders in their scope (404 outside it);
    exclusions by the technical roles, overrides by supervisors (403 otherwise)."""

    def _entitlement(self, work_order, day=None, code: int = status.HTTP_200_OK) -> Response:
        prefetch_related_objects([work_order], *warranty_records())
        entitlement = work_order_entitlement(work_order, day=day or timezone.localdate())
        return Response(s.EntitlementSerializer(entitlement).data, status=code)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        work_order = workorder_of_path(request.user, pk)
        query = EntitlementQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return self._entitlement(work_order, query.validated_data.get("day"))

    @action(detail=True, methods=["post"])
    @idempotent
    def exclusions(self, request: Request, pk: str | None = None) -> Response:
        work_order = workorder_of_path(request.user, pk)
        data = s.WarrantyExclusionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.warranty_exclusion_record(work_order=work_order, actor=request.user, **data.validated_data)
        return self._entitlement(work_order, code=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    @idempotent
    def overrides(self, request: Request, pk: str | None = None) -> Response:
        work_order = workorder_of_path(request.user, pk)
        data = s.WarrantyOverrideInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.warranty_override_record(work_order=work_order, actor=request.user, **data.validated_data)
        return self._entitlement(work_order, code=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], url_path="purchase-proofs", parser_classes=MULTIPART_PARSERS)
    @idempotent
    def purchase_proofs(self, request: Request, pk: str | None = None) -> Response:
        work_order = workorder_of_path(request.user, pk)
        data = s.PurchaseProofInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        services.purchase_proof_record(
            work_order=work_order, actor=request.user, upload=fields.pop("file"), **fields
        )
        return self._entitlement(work_order, code=status.HTTP_201_CREATED)
