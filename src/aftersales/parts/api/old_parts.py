"""The old_parts endpoints of the parts API (R29, R31), running the same services as the pages:

- `/api/old-parts/`: old parts in your scope (the list's filters), registered (`POST`), their photo
  (`POST` multipart, `GET` the image), one `POST /api/old-parts/<id>/<action>/` per transition
  (report, inspect), the penalty's reversal (HQ's appeal) and the "due to HQ" list; their labels
  with QR codes as PDFs (`GET /api/old-parts/<id>/label/`, `GET /api/old-parts/labels/?ids=` or
  the list's filters);
- `/api/old-part-shipments/`: batches to HQ: packed (`POST`), old parts added or taken off, ship,
  receive; `GET /api/old-part-shipments/<id>/labels/` the labels of its old parts (PDF);
- `/api/claims/`: warranty reimbursement claims: built for a month by hand (HQ), approve, credit,
  reopen; `GET /api/claims/<id>/print/` the printed claim as a PDF (the print view's document),
  `GET /api/claims/<id>/export/` its lines in Excel (the claim page's export);
  `/api/claim-lines/<id>/decide/` approves or rejects a line.

Amounts are strings with two decimals (CNY); errors are JSON problems with the field and code;
another dealer's records are "not found".
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpResponse, HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from aftersales.catalog.models import Part
from aftersales.catalog.selectors import part_scope
from aftersales.core.api import (
    FILE_ACTION,
    MULTIPART_PARSERS,
    PDF_MEDIA_TYPE,
    FileContentNegotiation,
    IdNameSerializer,
    RejectUnknownFieldsMixin,
    RoleWritePermission,
    ScopedPrimaryKeyRelatedField,
    export_action,
    file_responses,
    path_id,
    printed_form_pdf,
    problem_responses,
    request_user,
    sheet_xlsx,
    transition_actions,
)
from aftersales.core.api_filters import ListFilterBackend, filterset_check
from aftersales.core.bulk import bulk_endpoint
from aftersales.core.excel import XLSX_MIME
from aftersales.core.idempotency import idempotent
from aftersales.parts.views_claims import ClaimListView
from aftersales.parts.views_old_parts import (
    OldPartDueListView,
    OldPartListView,
    OldPartShipmentListView,
    old_part_photo,
)
from aftersales.workorders.models import WorkOrder
from aftersales.workorders.selectors import workorder_scope

from ..choices import InspectionResult, LineDecision
from ..filtersets_old_parts import (
    ClaimFilterSet,
    OldPartFilterSet,
    OldPartLabelFilterSet,
    OldPartShipmentFilterSet,
)
from ..models import ClaimLine, OldPart, OldPartShipment, ReimbursementClaim
from ..printing_old_parts import (
    claim_form,
    claim_sheet,
    old_part_label_form,
    old_part_labels_form,
    shipment_labels_form,
)
from ..selectors_old_parts import (
    claim_credit_entry,
    claim_line_scope,
    claim_lines_prefetch,
    claim_scope,
    is_overdue,
    old_part_list,
    old_part_scope,
    old_parts_due,
    shipment_scope,
)
from ..services import claims as claim_services
from ..services import old_parts as services
from ..transitions import CLAIM, OLD_PART, OLD_PART_SHIPMENT
from .steps import StepSerializer

AMOUNT = {"max_digits": 14, "decimal_places": 2, "read_only": True}


class Input(RejectUnknownFieldsMixin, serializers.Serializer):
    """An action's input: unknown keys are an error, not silently dropped."""


def _actions(machine, obj, context) -> list[str]:
    user = request_user(context)
    return [t.name for t in machine.available(obj, user)] if user is not None else []


# --- old parts ------------------------------------------------------------------------------------------


class PenaltySerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text=_("CNY charged to the dealer.")
    )
    reversed = serializers.BooleanField(help_text=_("HQ reversed it (the appeal)."))


class OldPartSerializer(serializers.ModelSerializer):
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    work_order_number = serializers.CharField(source="work_order.number", read_only=True)
    part = IdNameSerializer(read_only=True)
    part_number = serializers.CharField(source="part.number", read_only=True)
    service_point = IdNameSerializer(read_only=True)
    dealer = IdNameSerializer(read_only=True, allow_null=True)
    unit_cost = serializers.DecimalField(**AMOUNT)
    overdue = serializers.SerializerMethodField()
    photo_url = serializers.SerializerMethodField()
    shipment_number = serializers.CharField(source="shipment.number", read_only=True, allow_null=True)
    inspection_result_display = serializers.CharField(source="get_inspection_result_display", read_only=True)
    penalty = serializers.SerializerMethodField()
    available_actions = serializers.SerializerMethodField()

    class Meta:
        model = OldPart
        fields = [
            "id",
            "number",
            "state",
            "state_display",
            "work_order",
            "work_order_number",
            "part",
            "part_number",
            "quantity",
            "serial_number",
            "service_point",
            "dealer",
            "unit_cost",
            "replaced_at",
            "report_due",
            "overdue",
            "reported_at",
            "condition",
            "photo_url",
            "shipment",
            "shipment_number",
            "inspection_result",
            "inspection_result_display",
            "inspection_note",
            "inspected_at",
            "penalty",
            "created_at",
            "available_actions",
        ]
        read_only_fields = fields

    def get_overdue(self, old_part: OldPart) -> bool:
        """R29: still not reported after its deadline."""
        return is_overdue(old_part)

    def get_photo_url(self, old_part: OldPart) -> str | None:
        return reverse("parts:old_part_photo", args=[old_part.pk]) if old_part.photo else None

    @extend_schema_field(PenaltySerializer(allow_null=True))
    def get_penalty(self, old_part: Any) -> dict[str, Any] | None:
        """R29: what the dealer was charged for not reporting it in time (null: nothing)."""
        amount = getattr(old_part, "penalty_amount", None)
        if amount is None:
            return None
        return {"amount": f"{amount:.2f}", "reversed": bool(getattr(old_part, "penalty_reversed", False))}

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_available_actions(self, old_part: OldPart) -> list[str]:
        """The action endpoints this user may call now."""
        return _actions(OLD_PART, old_part, self.context)


class OldPartDetailSerializer(OldPartSerializer):
    history = StepSerializer(many=True, read_only=True, source="events.all")

    class Meta(OldPartSerializer.Meta):
        fields = [*OldPartSerializer.Meta.fields, "history"]
        read_only_fields = fields


class OldPartRegisterInput(Input):
    """R29: a part replaced under warranty on a work order in your scope; its service point keeps
    it (the work order's)."""

    work_order = ScopedPrimaryKeyRelatedField(scope=workorder_scope, queryset=WorkOrder.objects.all())
    part = ScopedPrimaryKeyRelatedField(scope=part_scope, queryset=Part.objects.all())
    quantity = serializers.IntegerField(min_value=1, default=1)
    serial_number = serializers.CharField(required=False, allow_blank=True, default="", max_length=64)
    replaced_at = serializers.DateTimeField(required=False, allow_null=True, help_text=_("Default: now."))
    condition = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


class OldPartPhotoInput(Input):
    """R29: the old part's photo (JPEG, PNG, GIF or WebP) and, optionally, its condition."""

    photo = serializers.FileField()
    condition = serializers.CharField(required=False, allow_blank=True, max_length=255)


class PenaltyReverseInput(Input):
    """R29, the appeal: why HQ cancels the penalty."""

    reason = serializers.CharField(max_length=255)


class PostedEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    balance_after = serializers.DecimalField(max_digits=14, decimal_places=2)
    reason = serializers.CharField()
    posted_at = serializers.DateTimeField()


def _note():
    return serializers.CharField(required=False, allow_blank=True, max_length=1000)


OLD_PART_API_INPUTS = {
    "inspection_result": lambda: serializers.ChoiceField(choices=InspectionResult.choices, required=False),
    "note": _note,
}


@extend_schema_view(
    list=extend_schema(summary=_("Old parts in your scope (R29)")),
    retrieve=extend_schema(responses={200: OldPartDetailSerializer, **problem_responses(404)}),
)
@transition_actions(OLD_PART, fields=OLD_PART_API_INPUTS, prefix="OldPart")
class OldPartViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Old parts (旧件, R29): numbered, kept in the point's defective location, reported to HQ by
    their deadline, sent in shipments, inspected at HQ."""

    queryset = OldPart.objects.none()
    serializer_class = OldPartSerializer
    filterset_class = OldPartFilterSet
    export = export_action(OldPartListView, summary=_("Export the old parts to Excel"))
    export_due = export_action(
        OldPartDueListView,
        summary=_("Export the old parts due to HQ to Excel"),
        name="export_due",
        url_path="due/export",
    )
    bulk = bulk_endpoint(
        OldPartListView,
        prefix="OldPart",
        summary=_("Act on many old parts at once (the list's bulk actions)"),
        not_found=_("No such old part."),
    )
    permission_classes = [RoleWritePermission]

    def get_queryset(self):
        rows = old_part_list(self.request.user).order_by("-id")
        return rows.prefetch_related("events__actor") if self.action == "retrieve" else rows

    def get_serializer_class(self):
        return OldPartDetailSerializer if self.action == "retrieve" else OldPartSerializer

    def transition_response(self, result: Any) -> Response:
        return self._old_part(result.pk)

    def _old_part(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        old_part = self.get_queryset().prefetch_related("events__actor").get(pk=pk)
        return Response(
            OldPartDetailSerializer(old_part, context=self.get_serializer_context()).data, status=code
        )

    @extend_schema(
        summary=_("Register an old part (a part replaced under warranty)"),
        request=OldPartRegisterInput,
        responses={201: OldPartDetailSerializer, **problem_responses(400, 403, 409)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        serializer = OldPartRegisterInput(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        old_part = services.old_part_register(
            work_order=data["work_order"],
            part=data["part"],
            quantity=data["quantity"],
            serial_number=data["serial_number"],
            actor=request.user,
            replaced_at=data.get("replaced_at"),
            condition=data["condition"],
        )
        return self._old_part(old_part.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Old parts due to HQ: to report, or reported and not shipped yet"),
        responses={200: OldPartSerializer(many=True)},
    )
    @action(detail=False, methods=["get"])
    def due(self, request: Request) -> Response:
        rows = self.filter_queryset(old_parts_due(request.user))
        page = self.paginate_queryset(rows)
        serializer = OldPartSerializer(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(serializer.data)

    @extend_schema(
        summary=_("The old part's photo (multipart)"),
        request={"multipart/form-data": OldPartPhotoInput},
        responses={200: OldPartDetailSerializer, **problem_responses(400, 403, 404, 409)},
    )
    @action(
        detail=True,
        methods=["post"],
        parser_classes=MULTIPART_PARSERS,
        content_negotiation_class=FileContentNegotiation,  # its GET answers the image
    )
    def photo(self, request: Request, pk=None) -> Response:
        """Sets the old part's photo (JPEG, PNG, GIF or WebP, recognised by its content) and,
        optionally, its condition while the old part is at the service point (409 once it has
        left); `GET` reads the photo back."""
        old_part = self.get_object()
        serializer = OldPartPhotoInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.old_part_photo_set(
            old_part_id=old_part.pk,
            actor=request.user,
            upload=serializer.validated_data["photo"],
            condition=serializer.validated_data.get("condition"),
        )
        return self._old_part(old_part.pk)

    @extend_schema(
        summary=_("The old part's photo (the image itself)"),
        responses={(200, "image/*"): OpenApiResponse(OpenApiTypes.BINARY), **problem_responses(403, 404)},
    )
    @photo.mapping.get
    def photo_file(self, request: Request, pk=None) -> FileResponse:
        """The photo as the old part's page shows it (JPEG, PNG, GIF or WebP), for who may see the
        old part; 404 while it has none."""
        return old_part_photo(request._request, path_id(pk))

    @extend_schema(
        summary=_("The old part's label with its QR code (PDF)"),
        responses=file_responses(PDF_MEDIA_TYPE, 403, 404),
    )
    @action(url_path="label", filterset_class=None, **FILE_ACTION)
    def label(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The old part's label, the print view's PDF: its number, part, quantity, serial, work
        order, service point and deadline, with a QR code that opens its record (R29)."""
        return printed_form_pdf(request, old_part_label_form(request.user, path_id(pk)))

    @extend_schema(
        summary=_("Labels of old parts with their QR codes (PDF)"),
        responses=file_responses(PDF_MEDIA_TYPE, 400, 403),
    )
    @action(
        detail=False,
        methods=["get"],
        filterset_class=OldPartLabelFilterSet,
        filter_backends=[ListFilterBackend],
        pagination_class=None,
        content_negotiation_class=FileContentNegotiation,
    )
    def labels(self, request: Request) -> HttpResponse:
        """A sheet of labels, the print view's PDF, of the old parts in your scope that `ids` names
        (the other filters are then not applied), or else of those the list's filters find; at
        most 200, in the order of their ids."""
        filterset_check(
            ListFilterBackend().get_filterset(request, OldPart.objects.none(), self), request.query_params
        )
        return printed_form_pdf(request, old_part_labels_form(request._request))

    labels.filtered_export = True  # type: ignore[attr-defined]  # the schema documents its filters

    @extend_schema(
        summary=_("Reverse the penalty charged for the old part (HQ's appeal)"),
        request=PenaltyReverseInput,
        responses={201: PostedEntrySerializer, **problem_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="reverse-penalty")
    @idempotent
    def reverse_penalty(self, request: Request, pk=None) -> Response:
        old_part = self.get_object()
        serializer = PenaltyReverseInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = services.old_part_penalty_reverse(
            old_part_id=old_part.pk, actor=request.user, reason=serializer.validated_data["reason"]
        )
        return Response(PostedEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


# --- shipments ------------------------------------------------------------------------------------------


class ShippedOldPartSerializer(serializers.ModelSerializer):
    part = IdNameSerializer(read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = OldPart
        fields = ["id", "number", "part", "quantity", "state", "state_display", "inspection_result"]
        read_only_fields = fields


class OldPartShipmentSerializer(serializers.ModelSerializer):
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    service_point = IdNameSerializer(read_only=True)
    created_by = IdNameSerializer(read_only=True)
    old_parts = ShippedOldPartSerializer(many=True, read_only=True)
    available_actions = serializers.SerializerMethodField()

    class Meta:
        model = OldPartShipment
        fields = [
            "id",
            "number",
            "state",
            "state_display",
            "service_point",
            "carrier",
            "tracking_number",
            "old_parts",
            "created_by",
            "created_at",
            "shipped_at",
            "received_at",
            "available_actions",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_available_actions(self, shipment: OldPartShipment) -> list[str]:
        return _actions(OLD_PART_SHIPMENT, shipment, self.context)


def _old_parts_field(**kwargs: Any) -> serializers.Field:
    return ScopedPrimaryKeyRelatedField(
        scope=old_part_scope, queryset=OldPart.objects.all(), many=True, allow_empty=False, **kwargs
    )


class ShipmentCreateInput(Input):
    """R29: reported old parts of one service point, not yet packed, to send to HQ."""

    old_parts = _old_parts_field(help_text=_("Ids of reported old parts of one service point."))
    carrier = serializers.CharField(required=False, allow_blank=True, default="", max_length=64)
    tracking_number = serializers.CharField(required=False, allow_blank=True, default="", max_length=64)


class ShipmentOldPartsInput(Input):
    """R29: more reported old parts of the shipment's point."""

    old_parts = _old_parts_field()


class ShipmentOldPartInput(Input):
    """R29: the old part to take off the shipment."""

    old_part = serializers.IntegerField()


SHIPMENT_API_INPUTS = {
    "carrier": lambda: serializers.CharField(required=False, allow_blank=True, max_length=64),
    "tracking_number": lambda: serializers.CharField(required=False, allow_blank=True, max_length=64),
    "note": _note,
}


@extend_schema_view(
    list=extend_schema(summary=_("Shipments of old parts to HQ in your scope")),
    retrieve=extend_schema(responses={200: OldPartShipmentSerializer, **problem_responses(404)}),
)
@transition_actions(OLD_PART_SHIPMENT, fields=SHIPMENT_API_INPUTS, prefix="OldPartShipment")
class OldPartShipmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Batches of reported old parts sent from a service point to HQ (R29)."""

    queryset = OldPartShipment.objects.none()
    serializer_class = OldPartShipmentSerializer
    filterset_class = OldPartShipmentFilterSet
    export = export_action(OldPartShipmentListView, summary=_("Export the old-part shipments to Excel"))
    permission_classes = [RoleWritePermission]

    def get_queryset(self):
        return shipment_scope(self.request.user).prefetch_related("old_parts__part").order_by("-id")

    def transition_response(self, result: Any) -> Response:
        return self._shipment(result.pk)

    def _shipment(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        shipment = self.get_queryset().get(pk=pk)
        return Response(
            OldPartShipmentSerializer(shipment, context=self.get_serializer_context()).data, status=code
        )

    def _input(self, request: Request, input_class) -> dict[str, Any]:
        serializer = input_class(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    @extend_schema(
        summary=_("The labels of the shipment's old parts (PDF)"),
        responses=file_responses(PDF_MEDIA_TYPE, 403, 404),
    )
    @action(url_path="labels", filterset_class=None, **FILE_ACTION)
    def labels(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The label of every old part in the shipment, the print view's PDF, each with a QR code
        that opens its record (R29)."""
        return printed_form_pdf(request, shipment_labels_form(request.user, path_id(pk)))

    @extend_schema(
        summary=_("Pack reported old parts of one service point for HQ"),
        request=ShipmentCreateInput,
        responses={201: OldPartShipmentSerializer, **problem_responses(400, 403)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = self._input(request, ShipmentCreateInput)
        old_parts = data["old_parts"]
        shipment = services.shipment_create(
            service_point=old_parts[0].service_point,
            old_part_ids=[old_part.pk for old_part in old_parts],
            actor=request.user,
            carrier=data["carrier"],
            tracking_number=data["tracking_number"],
        )
        return self._shipment(shipment.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Add old parts to a shipment being packed"),
        request=ShipmentOldPartsInput,
        responses={200: OldPartShipmentSerializer, **problem_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="add-old-parts")
    def add_old_parts(self, request: Request, pk=None) -> Response:
        shipment = self.get_object()
        data = self._input(request, ShipmentOldPartsInput)
        services.shipment_old_parts_add(
            shipment_id=shipment.pk,
            old_part_ids=[old_part.pk for old_part in data["old_parts"]],
            actor=request.user,
        )
        return self._shipment(shipment.pk)

    @extend_schema(
        summary=_("Take an old part off a shipment being packed"),
        request=ShipmentOldPartInput,
        responses={200: OldPartShipmentSerializer, **problem_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="remove-old-part")
    def remove_old_part(self, request: Request, pk=None) -> Response:
        shipment = self.get_object()
        data = self._input(request, ShipmentOldPartInput)
        services.shipment_old_part_remove(
            shipment_id=shipment.pk, old_part_id=data["old_part"], actor=request.user
        )
        return self._shipment(shipment.pk)


# --- claims ---------------------------------------------------------------------------------------------


class ClaimLineSerializer(serializers.ModelSerializer):
    old_part_number = serializers.CharField(source="old_part.number", read_only=True)
    work_order_number = serializers.CharField(source="old_part.work_order.number", read_only=True)
    part = IdNameSerializer(source="old_part.part", read_only=True)
    replaced_at = serializers.DateTimeField(source="old_part.replaced_at", read_only=True)
    inspection_result = serializers.CharField(source="old_part.inspection_result", read_only=True)
    unit_cost = serializers.DecimalField(**AMOUNT)
    amount = serializers.DecimalField(**AMOUNT)
    decision_display = serializers.CharField(source="get_decision_display", read_only=True)

    class Meta:
        model = ClaimLine
        fields = [
            "id",
            "claim",
            "old_part",
            "old_part_number",
            "work_order_number",
            "part",
            "replaced_at",
            "inspection_result",
            "quantity",
            "unit_cost",
            "amount",
            "decision",
            "decision_display",
            "reason",
        ]
        read_only_fields = fields


class ClaimSerializer(serializers.ModelSerializer):
    dealer = IdNameSerializer(read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    claimed_total = serializers.DecimalField(**AMOUNT)
    approved_total = serializers.DecimalField(**AMOUNT, help_text=_("The approved lines' sum (CNY)."))
    reviewed_by = IdNameSerializer(read_only=True, allow_null=True)
    available_actions = serializers.SerializerMethodField()

    class Meta:
        model = ReimbursementClaim
        fields = [
            "id",
            "number",
            "dealer",
            "month",
            "state",
            "state_display",
            "claimed_total",
            "approved_total",
            "reviewed_by",
            "approved_at",
            "credited_at",
            "created_at",
            "available_actions",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_available_actions(self, claim: ReimbursementClaim) -> list[str]:
        return _actions(CLAIM, claim, self.context)


class ClaimDetailSerializer(ClaimSerializer):
    lines = ClaimLineSerializer(many=True, read_only=True)
    credit_entry = serializers.SerializerMethodField()
    history = StepSerializer(many=True, read_only=True, source="events.all")

    class Meta(ClaimSerializer.Meta):
        fields = [*ClaimSerializer.Meta.fields, "lines", "credit_entry", "history"]
        read_only_fields = fields

    @extend_schema_field(PostedEntrySerializer(allow_null=True))
    def get_credit_entry(self, claim: ReimbursementClaim) -> dict[str, Any] | None:
        """R31: the credit posted on the dealer's account (null until credited)."""
        entry = claim_credit_entry(claim)
        return PostedEntrySerializer(entry).data if entry is not None else None


class ClaimBuildInput(Input):
    """R31: the month whose claims to build (any day of it, or `2026-11`); it must be over."""

    month = serializers.DateField(input_formats=["%Y-%m", "%Y-%m-%d"], help_text=_("e.g. 2026-11"))


class ClaimLineDecisionInput(Input):
    """R31: approve the line, or reject it with the reason."""

    decision = serializers.ChoiceField(choices=[LineDecision.APPROVED, LineDecision.REJECTED])
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


CLAIM_API_INPUTS = {"note": _note}


@extend_schema_view(
    list=extend_schema(summary=_("Warranty reimbursement claims in your scope (R31)")),
    retrieve=extend_schema(responses={200: ClaimDetailSerializer, **problem_responses(404)}),
)
@transition_actions(CLAIM, fields=CLAIM_API_INPUTS, prefix="Claim", moves_money=frozenset({"credit"}))
class ClaimViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """保修期内配件费用报销单 (R31): one per dealer and month, reviewed line by line by HQ,
    approved, credited to the dealer's account once."""

    queryset = ReimbursementClaim.objects.none()
    serializer_class = ClaimSerializer
    filterset_class = ClaimFilterSet
    export = export_action(ClaimListView, summary=_("Export the claims to Excel"))
    permission_classes = [RoleWritePermission]

    def get_queryset(self):
        return claim_scope(self.request.user).order_by("-month", "dealer__code", "id")

    def get_serializer_class(self):
        return ClaimDetailSerializer if self.action == "retrieve" else ClaimSerializer

    def transition_response(self, result: Any) -> Response:
        return self._claim(result.pk)

    def _claim(self, pk: int) -> Response:
        claim = self.get_queryset().prefetch_related(claim_lines_prefetch(), "events__actor").get(pk=pk)
        return Response(ClaimDetailSerializer(claim, context=self.get_serializer_context()).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._claim(self.get_object().pk)

    @extend_schema(
        summary=_("Build a month's claims by hand (HQ)"),
        request=ClaimBuildInput,
        responses={200: ClaimSerializer(many=True), **problem_responses(400, 403)},
    )
    @action(detail=False, methods=["post"])
    def build(self, request: Request) -> Response:
        serializer = ClaimBuildInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        claims = claim_services.claims_build(month=serializer.validated_data["month"], actor=request.user)
        return Response(ClaimSerializer(claims, many=True, context=self.get_serializer_context()).data)

    @extend_schema(
        summary=_("The printed claim (保修期内配件费用报销单, PDF)"),
        responses=file_responses(PDF_MEDIA_TYPE, 403, 404),
    )
    @action(url_path="print", filterset_class=None, **FILE_ACTION)
    def print_claim(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The claim's printed form, the print view's PDF: each old part claimed with its cost and
        HQ's decision, the totals (also in words)."""
        return printed_form_pdf(request, claim_form(request.user, path_id(pk)))

    @extend_schema(
        operation_id="claims_lines_export",  # the list's export is `claims_export_retrieve`
        summary=_("Export a claim's lines to Excel"),
        responses=file_responses(XLSX_MIME, 403, 404),
    )
    @action(url_path="export", url_name="lines-export", filterset_class=None, **FILE_ACTION)
    def export_lines(self, request: Request, pk: str | None = None) -> HttpResponseBase:
        """The claim's lines as an Excel workbook (.xlsx), the same as the claim page's export: each
        old part claimed with its work order, point, part, inspection, cost and HQ's decision;
        the export is logged (R41)."""
        return sheet_xlsx(request, claim_sheet(request.user, path_id(pk)))


class ClaimLineViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A claim's line and HQ's decision on it (R31)."""

    queryset = ClaimLine.objects.none()
    serializer_class = ClaimLineSerializer
    permission_classes = [RoleWritePermission]

    def get_queryset(self):
        return claim_line_scope(self.request.user).order_by("id")

    @extend_schema(
        summary=_("Approve a claim line, or reject it with the reason"),
        request=ClaimLineDecisionInput,
        responses={200: ClaimLineSerializer, **problem_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk=None) -> Response:
        line = self.get_object()
        serializer = ClaimLineDecisionInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        decided = claim_services.claim_line_decide(
            line_id=line.pk, actor=request.user, **serializer.validated_data
        )
        return Response(ClaimLineSerializer(self.get_queryset().get(pk=decided.pk)).data)


def register(router) -> None:
    """Add this area's viewsets to the project's router."""
    router.register(r"old-parts", OldPartViewSet, basename="oldpart")
    router.register(r"old-part-shipments", OldPartShipmentViewSet, basename="oldpartshipment")
    router.register(r"claims", ClaimViewSet, basename="claim")
    router.register(r"claim-lines", ClaimLineViewSet, basename="claimline")
