"""Quote endpoints (R8, R9): read the quotes of the work orders in your scope, draw one up, add,
change and remove its lines while it is a draft, and one `POST /api/quotes/<id>/<action>/` per
transition (send, approve, reject, revise, authorise), running the same services as the pages.
Amounts are strings with two decimals (CNY); errors are JSON problems with the field and code."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from aftersales.billing.finance import InvoiceListView, ReceivablesListView, WaiverListView
from aftersales.core.api import (
    IdNameSerializer,
    RejectUnknownFieldsMixin,
    RoleWritePermission,
    ScopedPrimaryKeyRelatedField,
    export_action,
    problem_responses,
    request_user,
    transition_actions,
)
from aftersales.core.idempotency import idempotent
from aftersales.devices.choices import Payer
from aftersales.notifications.choices import Channel as MessageChannel
from aftersales.workorders.models import WorkOrder
from aftersales.workorders.selectors import workorder_scope

from . import services
from .api_documents import register as register_documents
from .api_finance import AMOUNT, PaymentSerializer
from .api_finance import register as register_finance
from .choices import (
    ApprovalMethod,
    InvoiceDelivery,
    InvoiceType,
    LineKind,
    PaymentMethod,
    WaiverKind,
)
from .filtersets import InvoiceListFilterSet, QuoteFilterSet, WaiverFilterSet
from .models import InvoiceRequest, Payment, Quote, QuoteLine, Settlement, SettlementLine, WaiverRequest
from .selectors import invoice_scope, payer_totals, quote_get, quote_scope, settlement_scope, waiver_scope
from .transitions import INVOICE, QUOTE


class QuoteLineSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    payer_display = serializers.CharField(source="get_payer_display", read_only=True)
    part = IdNameSerializer(read_only=True, allow_null=True)
    unit_price = serializers.DecimalField(**AMOUNT)
    list_price = serializers.DecimalField(**AMOUNT, allow_null=True)
    card_price = serializers.DecimalField(**AMOUNT, allow_null=True)
    amount = serializers.DecimalField(**AMOUNT)

    class Meta:
        model = QuoteLine
        fields = [
            "id",
            "position",
            "kind",
            "kind_display",
            "description",
            "part",
            "part_category",
            "quantity",
            "unit_price",
            "list_price",
            "card_price",
            "price_source",
            "amount",
            "payer",
            "payer_display",
            "cover_reason",
        ]
        read_only_fields = fields


class PayerTotalSerializer(serializers.Serializer):
    payer = serializers.ChoiceField(choices=Payer.choices)
    payer_display = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class QuoteSerializer(serializers.ModelSerializer):
    work_order_number = serializers.CharField(source="work_order.number", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    total = serializers.DecimalField(**AMOUNT)
    customer_total = serializers.DecimalField(**AMOUNT, help_text=_("What the customer pays (CNY)."))
    payer_totals = serializers.SerializerMethodField()
    lines = QuoteLineSerializer(many=True, read_only=True)
    created_by = IdNameSerializer(read_only=True)
    authorised_by = IdNameSerializer(read_only=True, allow_null=True)
    recorded_by = IdNameSerializer(read_only=True, allow_null=True)
    awaits_authorisation = serializers.BooleanField(read_only=True)
    available_actions = serializers.SerializerMethodField()

    class Meta:
        model = Quote
        fields = [
            "id",
            "work_order",
            "work_order_number",
            "version",
            "plan",
            "previous",
            "revision_reason",
            "state",
            "state_display",
            "total",
            "customer_total",
            "payer_totals",
            "lines",
            "valid_until",
            "created_by",
            "needs_authorisation",
            "awaits_authorisation",
            "authorised_by",
            "authorised_at",
            "sent_at",
            "sent_via",
            "approved_at",
            "approved_by_name",
            "approval_method",
            "content_hash",
            "recorded_by",
            "rejected_at",
            "rejection_reason",
            "created_at",
            "available_actions",
        ]
        read_only_fields = fields

    @extend_schema_field(PayerTotalSerializer(many=True))
    def get_payer_totals(self, quote: Quote) -> list[dict[str, Any]]:
        """What each payer owes; they add up to `total`."""
        totals = payer_totals(list(quote.lines.all()))
        return [
            {"payer": payer, "payer_display": str(Payer(payer).label), "amount": f"{amount:.2f}"}
            for payer, amount in totals.items()
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_available_actions(self, quote: Quote) -> list[str]:
        """The action endpoints this user may call now."""
        user = request_user(self.context)
        return [t.name for t in QUOTE.available(quote, user)] if user is not None else []


class Input(RejectUnknownFieldsMixin, serializers.Serializer):
    """An action's input: unknown keys are an error, not silently dropped."""


class QuoteCreateInput(Input):
    """Start the work order's quote (an empty draft, R9)."""

    work_order = ScopedPrimaryKeyRelatedField(scope=workorder_scope, queryset=WorkOrder.objects.all())


class QuoteLineInput(Input):
    """R9: one itemised line: quantity (hours for labour) × unit price; a part line names the part
    (its id); a discount's price is taken as a reduction."""

    kind = serializers.ChoiceField(choices=LineKind.choices)
    part = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("Part id (part lines only).")
    )
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)
    quantity = serializers.DecimalField(max_digits=10, decimal_places=2, required=False, default="1")
    unit_price = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text=_(
            "CNY; left out: the price list's or fee standard's, the lower of the current and the card's (R10)"
        ),
    )
    distance_km = serializers.DecimalField(
        max_digits=7,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text=_("visit and travel fees by distance"),
    )


class QuoteLineChangeInput(Input):
    """R9: what changes on a draft's line (what is left out stays)."""

    quantity = serializers.DecimalField(max_digits=10, decimal_places=2, required=False)
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, help_text=_("CNY"))
    description = serializers.CharField(required=False, max_length=255)


def _text():
    return serializers.CharField(required=False, allow_blank=True, max_length=5000)


QUOTE_INPUTS = {
    "sent_via": lambda: serializers.ChoiceField(choices=MessageChannel.choices, required=False),
    "approved_by_name": lambda: serializers.CharField(required=False, allow_blank=True, max_length=64),
    "approval_method": lambda: serializers.ChoiceField(choices=ApprovalMethod.choices, required=False),
    "signature": lambda: serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("approve by signature: the drawn signature as a data URL (PNG, JPEG or WebP)."),
    ),
    "reason": _text,
}


def _approve(quote, transition, actor, version, inputs):
    return services.quote_approve(
        quote_id=quote.pk,
        actor=actor,
        approved_by_name=inputs.get("approved_by_name", ""),
        approval_method=inputs.get("approval_method", ""),
        drawn_signature=inputs.get("signature", ""),
    )


def _revise(quote, transition, actor, version, inputs):
    return services.quote_revise(quote_id=quote.pk, actor=actor, reason=inputs.get("reason", ""))


@extend_schema_view(
    list=extend_schema(summary=_("Quotes of the work orders in your scope")),
    retrieve=extend_schema(responses={200: QuoteSerializer, **problem_responses(404)}),
)
@transition_actions(
    QUOTE,
    fields=QUOTE_INPUTS,
    prefix="Quote",
    run={"approve": _approve, "revise": _revise},
    created={"revise": QuoteSerializer},
)
class QuoteViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Quotes (R8, R9): itemised, each line with its payer (R36), approved by the customer."""

    queryset = Quote.objects.none()
    serializer_class = QuoteSerializer
    filterset_class = QuoteFilterSet
    permission_classes = [RoleWritePermission]
    ordering = ["-id"]

    def get_queryset(self):
        return quote_scope(self.request.user).prefetch_related("lines__part").order_by("-id")

    def transition_response(self, result: Any) -> Response:
        return self._quote(result.pk, status.HTTP_200_OK)

    def _quote(self, pk: int, code: int) -> Response:
        quote = quote_get(self.request.user, pk)
        return Response(QuoteSerializer(quote, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        summary=_("Draw up a quote (an empty draft)"),
        request=QuoteCreateInput,
        responses={201: QuoteSerializer, **problem_responses(400, 403, 409)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        serializer = QuoteCreateInput(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        quote = services.quote_create(
            work_order_id=serializer.validated_data["work_order"].pk, actor=request.user
        )
        return self._quote(quote.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Add a line to a draft quote"),
        request=QuoteLineInput,
        responses={201: QuoteSerializer, **problem_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def lines(self, request: Request, pk=None) -> Response:
        quote = self.get_object()
        serializer = QuoteLineInput(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.quote_line_add(
            quote_id=quote.pk,
            actor=request.user,
            kind=data["kind"],
            part_id=data.get("part"),
            description=data["description"],
            quantity=data["quantity"],
            unit_price=data.get("unit_price"),
            distance_km=data.get("distance_km"),
        )
        return self._quote(quote.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Add the parts replaced on the work order's visits (a draft's part lines)"),
        request=None,
        responses={200: QuoteSerializer, **problem_responses(403, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="add-visit-parts")
    def add_visit_parts(self, request: Request, pk=None) -> Response:
        """R9, R12: parts no price list prices are left out; add them with a unit price."""
        quote = self.get_object()
        services.quote_visit_parts_add(quote_id=quote.pk, actor=request.user)
        return self._quote(quote.pk, status.HTTP_200_OK)

    @extend_schema(
        summary=_("Apply the discount rules the work order meets (a draft's discount lines)"),
        request=None,
        responses={200: QuoteSerializer, **problem_responses(403, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="apply-discounts")
    def apply_discounts(self, request: Request, pk=None) -> Response:
        quote = self.get_object()
        services.quote_discounts_apply(quote_id=quote.pk, actor=request.user)
        return self._quote(quote.pk, status.HTTP_200_OK)


class QuoteLineViewSet(viewsets.GenericViewSet):
    """A draft quote's line: change it or remove it; the answer is the quote with its new totals."""

    queryset = QuoteLine.objects.none()
    serializer_class = QuoteLineSerializer
    permission_classes = [RoleWritePermission]
    http_method_names = ["patch", "delete"]

    def get_queryset(self):
        return QuoteLine.objects.filter(quote__in=quote_scope(self.request.user))

    def _quote(self, pk: int) -> Response:
        quote = quote_get(self.request.user, pk)
        return Response(QuoteSerializer(quote, context=self.get_serializer_context()).data)

    @extend_schema(
        summary=_("Change a draft quote's line"),
        request=QuoteLineChangeInput,
        responses={200: QuoteSerializer, **problem_responses(400, 403, 404, 409)},
    )
    def partial_update(self, request: Request, pk=None) -> Response:
        line = self.get_object()
        serializer = QuoteLineChangeInput(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        services.quote_line_update(line_id=line.pk, actor=request.user, **serializer.validated_data)
        return self._quote(line.quote_id)

    @extend_schema(
        summary=_("Remove a draft quote's line"),
        request=None,
        responses={200: QuoteSerializer, **problem_responses(403, 404, 409)},
    )
    def destroy(self, request: Request, pk=None) -> Response:
        line = self.get_object()
        services.quote_line_remove(line_id=line.pk, actor=request.user)
        return self._quote(line.quote_id)


# --- settlement (R9, R10, R11, R15) -----------------------------------------------------------------


class SettlementLineSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    unit_price = serializers.DecimalField(**AMOUNT)
    amount = serializers.DecimalField(**AMOUNT)
    quoted_amount = serializers.DecimalField(**AMOUNT)

    class Meta:
        model = SettlementLine
        fields = [
            "id",
            "quote_line",
            "position",
            "kind",
            "kind_display",
            "description",
            "quantity",
            "unit_price",
            "amount",
            "quoted_amount",
            "payer",
            "lowered_reason",
        ]
        read_only_fields = fields


class WaiverSerializer(serializers.ModelSerializer):
    work_order = serializers.IntegerField(source="settlement.work_order_id", read_only=True)
    work_order_number = serializers.CharField(source="settlement.work_order.number", read_only=True)
    amount_requested = serializers.DecimalField(**AMOUNT)
    amount_approved = serializers.DecimalField(**AMOUNT, allow_null=True)
    requested_by = IdNameSerializer(read_only=True)
    decided_by = IdNameSerializer(read_only=True, allow_null=True)

    class Meta:
        model = WaiverRequest
        fields = [
            "id",
            "settlement",
            "work_order",
            "work_order_number",
            "kind",
            "amount_requested",
            "reason",
            "requested_by",
            "state",
            "amount_approved",
            "decided_by",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = fields


class SettlementSerializer(serializers.ModelSerializer):
    work_order_number = serializers.CharField(source="work_order.number", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    total = serializers.DecimalField(**AMOUNT)
    customer_total = serializers.DecimalField(**AMOUNT)
    amount_paid = serializers.DecimalField(**AMOUNT)
    amount_refunded = serializers.DecimalField(**AMOUNT)
    amount_waived = serializers.DecimalField(**AMOUNT)
    balance = serializers.DecimalField(**AMOUNT, help_text=_("What the customer still owes (CNY)."))
    lines = SettlementLineSerializer(many=True, read_only=True)
    payments = PaymentSerializer(many=True, read_only=True)
    waivers = WaiverSerializer(many=True, read_only=True)

    class Meta:
        model = Settlement
        fields = [
            "id",
            "work_order",
            "work_order_number",
            "quote",
            "state",
            "state_display",
            "total",
            "customer_total",
            "amount_paid",
            "amount_refunded",
            "amount_waived",
            "balance",
            "lines",
            "payments",
            "waivers",
            "settled_at",
            "created_at",
        ]
        read_only_fields = fields


class SettlementChangeInput(Input):
    """R9: a quoted line settled lower: its quantity and/or unit price, and why."""

    quote_line = serializers.IntegerField()
    quantity = serializers.DecimalField(max_digits=10, decimal_places=2, required=False)
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    reason = serializers.CharField(max_length=255)


class SettlementCreateInput(Input):
    """R9, R15: settle the work order's fees from its approved quote; lines not named are as quoted."""

    work_order = ScopedPrimaryKeyRelatedField(scope=workorder_scope, queryset=WorkOrder.objects.all())
    changes = SettlementChangeInput(many=True, required=False)


class PaymentInput(Input):
    """R15: a payment taken from the customer. Send an `Idempotency-Key` header: the same request
    sent again with it is answered with the first response, never a second payment (a payment
    already recorded under the key on this settlement by someone else is answered 200)."""

    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text=_("CNY"))
    reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=64)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


class RefundInput(Input):
    """R15: money given back; send an `Idempotency-Key` header as for payments."""

    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text=_("CNY"))
    reason = serializers.CharField(max_length=255)
    reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=64)


class WaiverInput(Input):
    """R11: the customer refuses to pay (all that is owed) or asks for a waiver or discount."""

    kind = serializers.ChoiceField(choices=WaiverKind.choices)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    reason = serializers.CharField(max_length=5000)


class WaiverDecisionInput(Input):
    """R11: the amount waived (all, part, or 0 to reject) and why."""

    amount_approved = serializers.DecimalField(max_digits=14, decimal_places=2)
    note = serializers.CharField(max_length=5000)


# --- invoices (R10) ---------------------------------------------------------------------------------


class InvoiceSerializer(serializers.ModelSerializer):
    work_order = serializers.IntegerField(source="settlement.work_order_id", read_only=True)
    work_order_number = serializers.CharField(source="settlement.work_order.number", read_only=True)
    amount = serializers.DecimalField(**AMOUNT)
    overdue = serializers.BooleanField(read_only=True)
    requested_by = IdNameSerializer(read_only=True)
    issued_by = IdNameSerializer(read_only=True, allow_null=True)
    available_actions = serializers.SerializerMethodField()

    class Meta:
        model = InvoiceRequest
        fields = [
            "id",
            "settlement",
            "work_order",
            "work_order_number",
            "invoice_type",
            "title",
            "tax_number",
            "buyer_address",
            "buyer_phone",
            "buyer_bank",
            "buyer_account",
            "amount",
            "delivery",
            "email",
            "postal_address",
            "state",
            "due_on",
            "overdue",
            "invoice_number",
            "issued_on",
            "sent_at",
            "requested_by",
            "issued_by",
            "note",
            "created_at",
            "available_actions",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_available_actions(self, invoice: InvoiceRequest) -> list[str]:
        user = request_user(self.context)
        return [t.name for t in INVOICE.available(invoice, user)] if user is not None else []


class InvoiceRequestInput(Input):
    """R10: the invoice the customer asks for; `amount` empty is all that was paid."""

    invoice_type = serializers.ChoiceField(choices=InvoiceType.choices, default=InvoiceType.ORDINARY)
    title = serializers.CharField(max_length=128)
    tax_number = serializers.CharField(required=False, allow_blank=True, default="", max_length=18)
    buyer_address = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)
    buyer_phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=32)
    buyer_bank = serializers.CharField(required=False, allow_blank=True, default="", max_length=128)
    buyer_account = serializers.CharField(required=False, allow_blank=True, default="", max_length=64)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    delivery = serializers.ChoiceField(choices=InvoiceDelivery.choices, default=InvoiceDelivery.EMAIL)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    postal_address = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


INVOICE_API_INPUTS = {
    "invoice_number": lambda: serializers.CharField(required=False, allow_blank=True, max_length=24),
    "issued_on": lambda: serializers.DateField(required=False, allow_null=True),
    "note": lambda: serializers.CharField(required=False, allow_blank=True, max_length=255),
}


class SettlementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Settlements (R9, R10, R11, R15): the fees of a work order from its approved quote, the
    payments with their receipts, refunds and waiver requests."""

    queryset = Settlement.objects.none()
    serializer_class = SettlementSerializer
    export = export_action(ReceivablesListView, summary=_("Export the receivables to Excel"))
    permission_classes = [RoleWritePermission]
    filterset_fields = ["work_order", "state"]

    def get_queryset(self):
        return (
            settlement_scope(self.request.user)
            .prefetch_related(
                "lines", "payments__recorded_by", "waivers__requested_by", "waivers__decided_by"
            )
            .order_by("-id")
        )

    def _settlement(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        settlement = self.get_queryset().get(pk=pk)
        return Response(
            SettlementSerializer(settlement, context=self.get_serializer_context()).data, status=code
        )

    def _input(self, request: Request, input_class: type[serializers.Serializer]) -> dict[str, Any]:
        serializer = input_class(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    @extend_schema(
        summary=_("Settle a work order's fees from its approved quote"),
        request=SettlementCreateInput,
        responses={201: SettlementSerializer, **problem_responses(400, 403, 409)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = self._input(request, SettlementCreateInput)
        changes = {change.pop("quote_line"): change for change in data.get("changes", [])}
        settlement = services.settlement_create(
            work_order_id=data["work_order"].pk, actor=request.user, changes=changes
        )
        return self._settlement(settlement.pk, status.HTTP_201_CREATED)

    def _money(self, request: Request, input_class, record) -> Response:
        settlement = self.get_object()
        data = self._input(request, input_class)
        key = request.headers.get("Idempotency-Key", "").strip()
        replay = bool(key) and Payment.objects.filter(settlement=settlement, idempotency_key=key).exists()
        payment = record(settlement_id=settlement.pk, actor=request.user, idempotency_key=key, **data)
        code = status.HTTP_200_OK if replay else status.HTTP_201_CREATED
        return Response(PaymentSerializer(payment, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        summary=_("Record a payment (with its receipt)"),
        request=PaymentInput,
        responses={
            201: PaymentSerializer,
            200: PaymentSerializer,
            **problem_responses(400, 403, 404, 409, 422),
        },
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def payments(self, request: Request, pk=None) -> Response:
        return self._money(request, PaymentInput, services.payment_record)

    @extend_schema(
        summary=_("Record a refund"),
        request=RefundInput,
        responses={
            201: PaymentSerializer,
            200: PaymentSerializer,
            **problem_responses(400, 403, 404, 409, 422),
        },
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def refunds(self, request: Request, pk=None) -> Response:
        return self._money(request, RefundInput, services.refund_record)

    @extend_schema(
        summary=_("The customer refuses to pay or asks for a waiver or discount"),
        request=WaiverInput,
        responses={201: WaiverSerializer, **problem_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def waiver(self, request: Request, pk=None) -> Response:
        settlement = self.get_object()
        data = self._input(request, WaiverInput)
        waiver = services.waiver_request(settlement_id=settlement.pk, actor=request.user, **data)
        return Response(WaiverSerializer(waiver).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("The customer asks for an invoice"),
        request=InvoiceRequestInput,
        responses={201: InvoiceSerializer, **problem_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def invoices(self, request: Request, pk=None) -> Response:
        settlement = self.get_object()
        data = self._input(request, InvoiceRequestInput)
        invoice = services.invoice_request(settlement_id=settlement.pk, actor=request.user, **data)
        return Response(
            InvoiceSerializer(invoice, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema_view(
    list=extend_schema(summary=_("Refusals and waiver requests of the work orders in your scope")),
    retrieve=extend_schema(responses={200: WaiverSerializer, **problem_responses(404)}),
)
class WaiverViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Refusals and waiver requests (R11), filtered and sorted as the finance area's list
    (`?state=requested` wait for a supervisor), and a supervisor's decision on them."""

    queryset = WaiverRequest.objects.none()
    serializer_class = WaiverSerializer
    filterset_class = WaiverFilterSet
    export = export_action(WaiverListView, summary=_("Export the refusals and waiver requests to Excel"))
    permission_classes = [RoleWritePermission]

    def get_queryset(self):
        return waiver_scope(self.request.user).order_by("-created_at", "-id")

    @extend_schema(
        summary=_("Decide on a waiver request (supervisors)"),
        request=WaiverDecisionInput,
        responses={200: WaiverSerializer, **problem_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk=None) -> Response:
        waiver = self.get_object()
        serializer = WaiverDecisionInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        decided = services.waiver_decide(waiver_id=waiver.pk, actor=request.user, **serializer.validated_data)
        return Response(WaiverSerializer(decided).data)


@extend_schema_view(
    list=extend_schema(summary=_("Invoice requests of the work orders in your scope")),
    retrieve=extend_schema(responses={200: InvoiceSerializer, **problem_responses(404)}),
)
@transition_actions(INVOICE, fields=INVOICE_API_INPUTS, prefix="Invoice")
class InvoiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Invoice requests (R10): asked for at settlement or later, recorded issued and sent."""

    queryset = InvoiceRequest.objects.none()
    serializer_class = InvoiceSerializer
    filterset_class = InvoiceListFilterSet
    export = export_action(InvoiceListView, summary=_("Export the invoice requests to Excel"))
    permission_classes = [RoleWritePermission]

    def get_queryset(self):
        return invoice_scope(self.request.user).order_by("due_on", "id")

    def transition_response(self, result: Any) -> Response:
        return Response(InvoiceSerializer(result, context=self.get_serializer_context()).data)


def register(router) -> None:
    """Add this app's viewsets to the project's router."""
    router.register(r"quotes", QuoteViewSet, basename="quote")
    register_documents(router)
    router.register(r"quote-lines", QuoteLineViewSet, basename="quoteline")
    router.register(r"settlements", SettlementViewSet, basename="settlement")
    router.register(r"waivers", WaiverViewSet, basename="waiver")
    router.register(r"invoices", InvoiceViewSet, basename="invoice")
    register_finance(router)
