"""The finance area's lists through the API (R15, R30): payments and refunds, and fees charged on a
dealer's fee standard HQ had not approved; each the page's filters, search and sort, paged, with
the page's Excel export. Rows are those of the work orders in the user's scope (R37), as for
settlements and invoices; the export keeps the page's gate (the finance roles). A payment's receipt
(or refund voucher) is `GET /api/payments/<id>/receipt/`, the print view's PDF."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request

from aftersales.catalog.choices import FeeApproval
from aftersales.core.api import (
    FILE_ACTION,
    PDF_MEDIA_TYPE,
    IdNameSerializer,
    export_action,
    file_responses,
    path_id,
    printed_form_pdf,
    problem_responses,
)

from .choices import QuoteState
from .filtersets import PaymentFilterSet, UnapprovedFeeFilterSet
from .finance import PaymentListView, UnapprovedFeeListView
from .models import Payment, QuoteLine
from .printing import receipt_form
from .selectors import payment_scope, unapproved_fee_lines

# An amount as the API writes it: CNY, two places.
AMOUNT = {"max_digits": 14, "decimal_places": 2, "read_only": True}


class PaymentSerializer(serializers.ModelSerializer):
    work_order = serializers.IntegerField(source="settlement.work_order_id", read_only=True)
    work_order_number = serializers.CharField(source="settlement.work_order.number", read_only=True)
    amount = serializers.DecimalField(**AMOUNT)
    method_display = serializers.CharField(source="get_method_display", read_only=True)
    recorded_by = IdNameSerializer(read_only=True)
    receipt_url = serializers.SerializerMethodField()

    class Meta:
        model = Payment
        fields = [
            "id",
            "settlement",
            "work_order",
            "work_order_number",
            "kind",
            "method",
            "method_display",
            "amount",
            "reference",
            "note",
            "receipt_number",
            "receipt_url",
            "idempotency_key",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_receipt_url(self, payment: Payment) -> str:
        """The receipt's print view (`?format=pdf` for the PDF; the API's: `receipt/`)."""
        return reverse("billing:receipt", args=[payment.pk])


@extend_schema_view(
    list=extend_schema(summary=_("Payments and refunds of the work orders in your scope")),
    retrieve=extend_schema(
        summary=_("One payment or refund"), responses={200: PaymentSerializer, **problem_responses(404)}
    ),
)
class PaymentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Payments and refunds (R15) with their receipts; recorded on a settlement
    (`POST /api/settlements/{id}/payments/`, `…/refunds/`)."""

    queryset = Payment.objects.none()
    serializer_class = PaymentSerializer
    filterset_class = PaymentFilterSet
    export = export_action(PaymentListView, summary=_("Export the payments and refunds to Excel"))

    def get_queryset(self):
        return payment_scope(self.request.user).order_by("-created_at", "-id")

    @extend_schema(
        summary=_("The printed receipt or refund voucher (收据, PDF)"),
        responses=file_responses(PDF_MEDIA_TYPE, 403, 404),
    )
    @action(url_path="receipt", filterset_class=None, **FILE_ACTION)
    def receipt(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The payment's receipt (or the refund's voucher), the print view's PDF: numbered, the
        amount in words, the charges settled and waivers, and a QR code that checks it (R10,
        R15). For the roles that read quotes (403 otherwise, as on the page)."""
        return printed_form_pdf(request, receipt_form(request._request, path_id(pk)))


class UnapprovedFeeSerializer(serializers.ModelSerializer):
    """R30: a fee line priced on a dealer's fee standard that was not approved when it was charged."""

    work_order = serializers.IntegerField(source="quote.work_order_id", read_only=True)
    work_order_number = serializers.CharField(source="quote.work_order.number", read_only=True)
    service_point = IdNameSerializer(source="quote.work_order.service_point", read_only=True, allow_null=True)
    dealer = IdNameSerializer(source="fee_schedule.dealer", read_only=True)
    fee_schedule = IdNameSerializer(read_only=True)
    approval_state = serializers.ChoiceField(
        source="fee_schedule.approval_state", choices=FeeApproval.choices, read_only=True
    )
    quote_state = serializers.ChoiceField(source="quote.state", choices=QuoteState.choices, read_only=True)
    unit_price = serializers.DecimalField(**AMOUNT)
    amount = serializers.DecimalField(**AMOUNT)

    class Meta:
        model = QuoteLine
        fields = [
            "id",
            "quote",
            "quote_state",
            "work_order",
            "work_order_number",
            "service_point",
            "dealer",
            "kind",
            "description",
            "quantity",
            "unit_price",
            "amount",
            "fee_schedule",
            "approval_state",
            "created_at",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary=_("Fees charged on dealers' fee standards HQ had not approved (R30)")),
)
class UnapprovedFeeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """R30: fees charged to customers on a dealer's fee standard HQ had not approved when the line
    was drawn up (awaiting approval, rejected, or approved only afterwards), of quotes put to the
    customer; a line is read and changed through its quote (`/api/quotes/{id}/`)."""

    queryset = QuoteLine.objects.none()
    serializer_class = UnapprovedFeeSerializer
    filterset_class = UnapprovedFeeFilterSet
    export = export_action(
        UnapprovedFeeListView, summary=_("Export the fees on unapproved standards to Excel")
    )

    def get_queryset(self):
        return unapproved_fee_lines(self.request.user).order_by("-created_at", "-id")


def register(router) -> None:
    """Add the finance area's lists to the project's router."""
    router.register(r"payments", PaymentViewSet, basename="payment")
    router.register(r"unapproved-fees", UnapprovedFeeViewSet, basename="unapproved-fee")
