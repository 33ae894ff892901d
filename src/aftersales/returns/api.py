"""Return and exchange endpoints (R33): `/api/returns/` lists the requests in your scope (filters
and pages as on the page), draws one up, changes or throws away its draft; one
`POST /api/returns/<id>/<action>/` per step of its lifecycle (submit, grant-exception, approve,
refuse, pickup, receive, refund, ship-replacement, deliver, follow-up, close, cancel), running the
same services as the pages; `POST /api/returns/<id>/photos/` adds a photo; `/api/returns/rules/`
reads (and for HQ changes) the rules. A dealer's staff read only their dealer's requests (another's:
404). Amounts are strings with two decimals (CNY); errors are JSON problems with the field and
code (a request outside the rules: 409 naming the rule)."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404  # an address naming nothing (not a UUID): 404
from rest_framework.request import Request
from rest_framework.response import Response

from aftersales.catalog.models import Part, ProductModel
from aftersales.catalog.selectors import part_scope
from aftersales.core.api import (
    MULTIPART_PARSERS,
    IdNameSerializer,
    RejectUnknownFieldsMixin,
    RoleWritePermission,
    ScopedPrimaryKeyRelatedField,
    export_action,
    problem_responses,
    request_user,
    transition_actions,
)
from aftersales.core.i18n import shown_params
from aftersales.core.idempotency import idempotent
from aftersales.customers.models import Customer
from aftersales.customers.selectors import customer_scope
from aftersales.devices.models import Device
from aftersales.devices.selectors import device_scope
from aftersales.returns.views import ReturnListView
from aftersales.workorders.models import WorkOrder
from aftersales.workorders.selectors import workorder_scope

from . import services
from .api_documents import register as register_documents
from .choices import InspectionResult, ItemCondition, RefundMethod, ReturnKind, ReturnReason, ReturnState
from .filtersets import ReturnRequestFilterSet
from .models import ReturnEvent, ReturnPhoto, ReturnPolicy, ReturnRequest
from .rules import breaches_open, policy_current
from .selectors import is_follow_up_overdue, return_get, return_list
from .transitions import RETURN_REQUEST

AMOUNT = {"max_digits": 14, "decimal_places": 2}


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    uploaded_by = IdNameSerializer(read_only=True)

    class Meta:
        model = ReturnPhoto
        fields = [
            "id",
            "uuid",
            "original_name",
            "content_type",
            "size",
            "description",
            "uploaded_by",
            "created_at",
            "url",
        ]
        read_only_fields = fields

    def get_url(self, photo: ReturnPhoto) -> str:
        """The photo itself (for who may see the request): `GET /api/returns/<id>/photos/<photo>/`."""
        return reverse("return-request-photo-file", args=[photo.request_id, str(photo.uuid)])


class ReturnStepSerializer(serializers.ModelSerializer):
    actor = IdNameSerializer(read_only=True, allow_null=True)
    params = serializers.SerializerMethodField()

    class Meta:
        model = ReturnEvent
        fields = ["action", "from_state", "to_state", "note", "params", "actor", "created_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_params(self, event: ReturnEvent) -> dict[str, Any]:
        """What the step recorded (carrier, tracking number, inspection, amount, rules waived...)."""
        return {key: str(value) for key, value in shown_params(event.params).items()}


class BreachSerializer(serializers.Serializer):
    rule = serializers.CharField(help_text=_("purchase_date, window, condition or proof"))
    code = serializers.CharField()
    field = serializers.CharField()
    message = serializers.CharField()


class ReturnRequestSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    reason_display = serializers.CharField(source="get_reason_display", read_only=True)
    condition_display = serializers.CharField(source="get_condition_display", read_only=True)
    customer = IdNameSerializer(read_only=True)
    work_order_number = serializers.CharField(source="work_order.number", read_only=True, allow_null=True)
    product_model = IdNameSerializer(read_only=True, allow_null=True)
    requested_by = IdNameSerializer(read_only=True)
    approved_by = IdNameSerializer(read_only=True, allow_null=True)
    refused_by = IdNameSerializer(read_only=True, allow_null=True)
    exception_by = IdNameSerializer(read_only=True, allow_null=True)
    inspected_by = IdNameSerializer(read_only=True, allow_null=True)
    refunded_by = IdNameSerializer(read_only=True, allow_null=True)
    followed_up_by = IdNameSerializer(read_only=True, allow_null=True)
    returned_part = IdNameSerializer(read_only=True, allow_null=True)
    returned_to = IdNameSerializer(read_only=True, allow_null=True)
    refund_amount = serializers.DecimalField(**AMOUNT, read_only=True, allow_null=True)
    follow_up_overdue = serializers.SerializerMethodField()
    rules_broken = serializers.SerializerMethodField()
    photos = PhotoSerializer(many=True, read_only=True)
    steps = ReturnStepSerializer(
        source="events", many=True, read_only=True, help_text=_("Every step, oldest first.")
    )
    available_actions = serializers.SerializerMethodField()
    print_url = serializers.SerializerMethodField()

    class Meta:
        model = ReturnRequest
        fields = [
            "id",
            "number",
            "kind",
            "kind_display",
            "state",
            "state_display",
            "work_order",
            "work_order_number",
            "device",
            "customer",
            "product_model",
            "product_text",
            "serial_number",
            "reason",
            "reason_display",
            "reason_text",
            "purchase_date",
            "proof_of_purchase",
            "condition",
            "condition_display",
            "condition_note",
            "requested_by",
            "created_at",
            "submitted_at",
            "exception_rules",
            "exception_reason",
            "exception_by",
            "exception_at",
            "approved_by",
            "approved_at",
            "refused_by",
            "refused_at",
            "refusal_reason",
            "pickup_carrier",
            "pickup_tracking_number",
            "picked_up_at",
            "received_at",
            "inspection_result",
            "inspection_note",
            "inspected_by",
            "inspected_at",
            "returned_part",
            "returned_quantity",
            "returned_to",
            "replacement_carrier",
            "replacement_tracking_number",
            "replacement_serial_number",
            "replacement_shipped_at",
            "replacement_delivered_at",
            "refund_amount",
            "refund_method",
            "refund_reference",
            "refunded_by",
            "refunded_at",
            "follow_up_due_on",
            "follow_up_overdue",
            "follow_up_note",
            "followed_up_by",
            "followed_up_at",
            "cancel_reason",
            "cancelled_at",
            "closed_at",
            "rules_broken",
            "photos",
            "steps",
            "available_actions",
            "print_url",
        ]
        read_only_fields = fields

    def get_follow_up_overdue(self, rq: ReturnRequest) -> bool:
        """Refunded or delivered and not followed up by `follow_up_due_on`."""
        return is_follow_up_overdue(rq)

    @extend_schema_field(BreachSerializer(many=True))
    def get_rules_broken(self, rq: ReturnRequest) -> list[dict[str, str]]:
        """R33: the rules a draft or submitted request breaks and no exception waived (empty once
        decided): submitting or approving it is refused with 409 until they are fixed or waived."""
        if rq.state not in (ReturnState.DRAFT, ReturnState.SUBMITTED):
            return []
        return [
            {"rule": b.rule, "code": b.code, "field": b.field, "message": b.message}
            for b in breaches_open(rq)
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_available_actions(self, rq: ReturnRequest) -> list[str]:
        """The action endpoints this user may call now."""
        user = request_user(self.context)
        return [t.name for t in RETURN_REQUEST.available(rq, user)] if user is not None else []

    def get_print_url(self, rq: ReturnRequest) -> str:
        """The printed request (`?format=pdf` for the PDF)."""
        return reverse("returns:print", args=[rq.pk])


LIST_EXCLUDED = ("photos", "steps", "rules_broken")


class ReturnRequestListSerializer(ReturnRequestSerializer):
    class Meta(ReturnRequestSerializer.Meta):
        fields = [name for name in ReturnRequestSerializer.Meta.fields if name not in LIST_EXCLUDED]
        read_only_fields = fields


class Input(RejectUnknownFieldsMixin, serializers.Serializer):
    """An input: unknown keys are an error, not silently dropped."""


def _text(max_length: int = 5000, **kwargs: Any) -> serializers.CharField:
    return serializers.CharField(required=False, allow_blank=True, max_length=max_length, **kwargs)


class FactsInput(Input):
    """The facts of a draft (what is left out stays, on a change)."""

    kind = serializers.ChoiceField(choices=ReturnKind.choices, required=False)
    product_model = serializers.PrimaryKeyRelatedField(
        queryset=ProductModel.objects.all(), required=False, allow_null=True
    )
    product_text = _text(128)
    serial_number = _text(64)
    reason = serializers.ChoiceField(choices=ReturnReason.choices, required=False)
    reason_text = _text()
    purchase_date = serializers.DateField(required=False, allow_null=True)
    proof_of_purchase = _text(64, help_text=_("Invoice or receipt number."))
    condition = serializers.ChoiceField(choices=ItemCondition.choices, required=False)
    condition_note = _text()


class ReturnCreateInput(FactsInput):
    """R33: a draft for a customer's product: the work order (its customer, device, model, serial
    number and purchase date are taken over unless given), or the device, or the customer."""

    kind = serializers.ChoiceField(choices=ReturnKind.choices)
    reason = serializers.ChoiceField(choices=ReturnReason.choices)
    condition = serializers.ChoiceField(choices=ItemCondition.choices)
    work_order = ScopedPrimaryKeyRelatedField(
        scope=workorder_scope, queryset=WorkOrder.objects.all(), required=False, allow_null=True
    )
    device = ScopedPrimaryKeyRelatedField(
        scope=device_scope, queryset=Device.objects.all(), required=False, allow_null=True
    )
    customer = ScopedPrimaryKeyRelatedField(
        scope=customer_scope, queryset=Customer.objects.all(), required=False, allow_null=True
    )


class PhotoInput(Input):
    photo = serializers.FileField(help_text=_("JPEG, PNG, GIF or WebP, recognised by its content."))
    description = _text(255)


class PolicySerializer(serializers.ModelSerializer):
    updated_by = IdNameSerializer(read_only=True, allow_null=True)
    updated_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text=_("Null while the rules are the defaults.")
    )

    class Meta:
        model = ReturnPolicy
        fields = [
            "return_days",
            "exchange_days",
            "return_conditions",
            "exchange_conditions",
            "proof_required",
            "follow_up_days",
            "updated_by",
            "updated_at",
        ]
        read_only_fields = fields


class PolicyInput(Input):
    """R33: the rules HQ changes (what is left out stays)."""

    return_days = serializers.IntegerField(min_value=0, max_value=3650, required=False)
    exchange_days = serializers.IntegerField(min_value=0, max_value=3650, required=False)
    return_conditions = serializers.ListField(
        child=serializers.ChoiceField(choices=ItemCondition.choices), required=False
    )
    exchange_conditions = serializers.ListField(
        child=serializers.ChoiceField(choices=ItemCondition.choices), required=False
    )
    proof_required = serializers.BooleanField(required=False)
    follow_up_days = serializers.IntegerField(min_value=0, max_value=365, required=False)


RETURN_API_INPUTS = {
    "note": lambda: _text(),
    "reason": lambda: _text(255),
    "carrier": lambda: _text(64),
    "tracking_number": lambda: _text(64),
    "inspection_result": lambda: serializers.ChoiceField(choices=InspectionResult.choices, required=False),
    "inspection_note": lambda: _text(),
    "part": lambda: ScopedPrimaryKeyRelatedField(
        scope=part_scope,
        queryset=Part.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("A part of the catalog taken into the defective location (its id)."),
    ),
    "quantity": lambda: serializers.IntegerField(min_value=1, max_value=9999, required=False),
    "refund_amount": lambda: serializers.DecimalField(
        **AMOUNT, min_value=0, required=False, help_text=_("CNY")
    ),
    "refund_method": lambda: serializers.ChoiceField(choices=RefundMethod.choices, required=False),
    "refund_reference": lambda: _text(64),
    "replacement_serial_number": lambda: _text(64),
}


def _run(rq, transition, actor, version, inputs):
    return services.return_transition(request_id=rq.pk, action=transition.name, actor=actor, **inputs)


@extend_schema_view(
    list=extend_schema(
        summary=_("Return and exchange requests in your scope"),
        responses={200: ReturnRequestListSerializer(many=True)},
    ),
    retrieve=extend_schema(responses={200: ReturnRequestSerializer, **problem_responses(404)}),
)
@transition_actions(
    RETURN_REQUEST,
    fields=RETURN_API_INPUTS,
    prefix="ReturnRequest",
    run={t.name: _run for t in RETURN_REQUEST},
    moves_money=frozenset({"refund"}),
)
class ReturnRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Return and exchange requests (退换货申请表, R33)."""

    queryset = ReturnRequest.objects.none()
    serializer_class = ReturnRequestSerializer
    filterset_class = ReturnRequestFilterSet
    export = export_action(ReturnListView, summary=_("Export the return and exchange requests to Excel"))
    permission_classes = [RoleWritePermission]
    ordering_fields = ["created_at", "number", "purchase_date", "follow_up_due_on"]

    def get_queryset(self):
        return return_list(self.request.user, full=True).order_by("-created_at", "-id")

    def get_serializer_class(self):
        return ReturnRequestListSerializer if self.action == "list" else ReturnRequestSerializer

    def _request(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        rq = return_get(self.request.user, pk)
        return Response(ReturnRequestSerializer(rq, context=self.get_serializer_context()).data, status=code)

    def transition_response(self, result: Any) -> Response:
        return self._request(result.pk)

    def _input(self, request: Request, input_class: type[serializers.Serializer]) -> dict[str, Any]:
        serializer = input_class(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    @extend_schema(
        summary=_("Draw up a return or exchange request (a draft)"),
        request=ReturnCreateInput,
        responses={201: ReturnRequestSerializer, **problem_responses(400, 403)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = self._input(request, ReturnCreateInput)
        rq = services.return_create(actor=request.user, **data)
        return self._request(rq.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Change a draft's facts"),
        request=FactsInput,
        responses={200: ReturnRequestSerializer, **problem_responses(400, 403, 404, 409)},
    )
    def partial_update(self, request: Request, pk=None) -> Response:
        rq = self.get_object()
        data = self._input(request, FactsInput)
        services.return_update(request_id=rq.pk, actor=request.user, **data)
        return self._request(rq.pk)

    @extend_schema(
        summary=_("Throw away a draft never submitted"),
        responses={204: None, **problem_responses(403, 404, 409)},
    )
    def destroy(self, request: Request, pk=None) -> Response:
        rq = self.get_object()
        services.return_delete(request_id=rq.pk, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary=_("Add a photo of the product"),
        request={"multipart/form-data": PhotoInput},
        responses={201: ReturnRequestSerializer, **problem_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], parser_classes=MULTIPART_PARSERS)
    @idempotent
    def photos(self, request: Request, pk=None) -> Response:
        rq = self.get_object()
        data = self._input(request, PhotoInput)
        services.return_photo_add(
            request_id=rq.pk,
            actor=request.user,
            upload=data["photo"],
            description=data.get("description", ""),
        )
        return self._request(rq.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("A photo of the request (the image itself)"),
        responses={(200, "image/*"): OpenApiTypes.BINARY, **problem_responses(404)},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"photos/(?P<photo_id>[0-9a-f-]{36})",  # the photo's random key, never its id (R41)
        url_name="photo-file",
    )
    def photo_file(self, request: Request, pk=None, photo_id=None) -> FileResponse:
        rq = self.get_object()
        photo = get_object_or_404(ReturnPhoto.objects.filter(request=rq), uuid=photo_id)  # never the id (R41)
        try:
            handle = photo.file.open("rb")
        except FileNotFoundError as error:
            raise Http404 from error
        return FileResponse(handle, content_type=photo.content_type)

    @extend_schema(
        summary=_("Take a photo off a draft"),
        description=_(
            "As the request page's remove button: the photo (by its key, as in its `url`) and its "
            "file are removed and the request's history notes it. 409 `return_not_draft` once the "
            "request was submitted; 403 `permission_denied` for who may not change it; a request "
            "outside your scope, or a photo of another request, is 404."
        ),
        request=None,
        responses={204: None, **problem_responses(403, 404, 409)},
    )
    @photo_file.mapping.delete
    def photo_remove(self, request: Request, pk=None, photo_id=None) -> Response:
        rq = self.get_object()
        photo = get_object_or_404(ReturnPhoto.objects.filter(request=rq), uuid=photo_id)  # never the id (R41)
        services.return_photo_remove(photo_id=photo.pk, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        methods=["GET"],
        summary=_("The return and exchange rules"),
        request=None,
        responses={200: PolicySerializer},
    )
    @extend_schema(
        methods=["PATCH"],
        summary=_("Change the return and exchange rules (HQ)"),
        request=PolicyInput,
        responses={200: PolicySerializer, **problem_responses(400, 403)},
    )
    @action(
        detail=False, methods=["get", "patch"], url_path="rules", filterset_class=None, pagination_class=None
    )
    def rules(self, request: Request) -> Response:
        if request.method == "PATCH":
            data = self._input(request, PolicyInput)
            services.policy_update(actor=request.user, **data)
        return Response(PolicySerializer(policy_current()).data)


def register(router) -> None:
    router.register("returns", ReturnRequestViewSet, basename="return-request")
    register_documents(router)
