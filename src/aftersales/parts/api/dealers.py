"""The dealer network's endpoints (R28-R31): part requests (`/api/part-requests/`: drafts and their
lines written by a dealer's staff, one `POST /api/part-requests/<id>/<action>/` per transition),
dealer accounts (`/api/dealer-accounts/`: balance and limit, the monthly statement, payments
received, the credit limit), and their entries (`/api/account-entries/?dealer=<id>`, a reversal).
The printed request and statement are PDFs (`GET /api/part-requests/<id>/print/`, `GET
/api/dealer-accounts/<id>/statement/print/?month=`), the same documents as their print views'; the
statement in Excel is `GET /api/dealer-accounts/<id>/statement/export/?month=`, the statement
page's workbook.
Everything is scoped: a dealer's staff read and write only their own dealer's (another's: 404).
Amounts are strings with two decimals (CNY); errors are JSON problems with the field and code."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse, HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from aftersales.accounts.models import Dealer, ServicePoint
from aftersales.accounts.selectors import service_points_in_scope
from aftersales.catalog.models import Part
from aftersales.catalog.selectors import part_scope
from aftersales.core.api import (
    FILE_ACTION,
    PDF_MEDIA_TYPE,
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
from aftersales.core.excel import XLSX_MIME
from aftersales.core.idempotency import idempotent
from aftersales.parts.views_dealers import AccountLedgerView, DealerAccountListView, PartRequestListView

from ..filtersets_dealers import AccountEntryFilterSet, DealerAccountFilterSet, PartRequestFilterSet
from ..models import AccountEntry, PartRequest, PartRequestLine
from ..printing_dealers import account_statement, part_request_form, statement_form, statement_sheet
from ..selectors_dealers import (
    account_dealer_scope,
    account_of_dealer,
    entry_document,
    entry_scope,
    is_over_limit,
    may_read_accounts,
    month_of,
    part_request_get,
    part_request_scope,
    statement_for,
)
from ..services import dealer_accounts, requests
from ..transitions import PART_REQUEST
from .steps import StepSerializer

AMOUNT = {"max_digits": 14, "decimal_places": 2, "read_only": True}


# --- part requests ------------------------------------------------------------------------------------


class PartRequestLineSerializer(serializers.ModelSerializer):
    part = IdNameSerializer(read_only=True)
    part_number = serializers.CharField(source="part.number", read_only=True)
    unit_cost = serializers.DecimalField(**AMOUNT, allow_null=True)
    amount = serializers.DecimalField(**AMOUNT)

    class Meta:
        model = PartRequestLine
        fields = ["id", "part", "part_number", "quantity", "confirmed_quantity", "unit_cost", "amount"]
        read_only_fields = fields


class PartRequestShipmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    state = serializers.CharField()
    carrier = serializers.CharField()
    tracking_number = serializers.CharField()
    shipped_at = serializers.DateTimeField(allow_null=True)
    received_at = serializers.DateTimeField(allow_null=True)


class PartRequestSerializer(serializers.ModelSerializer):
    dealer = IdNameSerializer(read_only=True)
    service_point = IdNameSerializer(read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    total = serializers.DecimalField(**AMOUNT, help_text=_("The confirmed lines at cost (CNY, R30)."))
    created_by = IdNameSerializer(read_only=True)
    confirmed_by = IdNameSerializer(read_only=True, allow_null=True)
    credit_approved_by = IdNameSerializer(read_only=True, allow_null=True)
    shipment = PartRequestShipmentSerializer(source="transfer", read_only=True, allow_null=True)
    lines = PartRequestLineSerializer(many=True, read_only=True)
    events = StepSerializer(many=True, read_only=True, help_text=_("Every step, oldest first."))
    available_actions = serializers.SerializerMethodField()
    print_url = serializers.SerializerMethodField()

    class Meta:
        model = PartRequest
        fields = [
            "id",
            "number",
            "dealer",
            "service_point",
            "state",
            "state_display",
            "note",
            "total",
            "expected_ship_date",
            "needs_credit_approval",
            "credit_approved_by",
            "shipment",
            "reject_reason",
            "created_by",
            "created_at",
            "submitted_at",
            "confirmed_at",
            "confirmed_by",
            "accepted_at",
            "debited_at",
            "lines",
            "events",
            "available_actions",
            "print_url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_available_actions(self, pr: PartRequest) -> list[str]:
        """The action endpoints this user may call now."""
        user = request_user(self.context)
        return [t.name for t in PART_REQUEST.available(pr, user)] if user is not None else []

    def get_print_url(self, pr: PartRequest) -> str:
        """The printed request (`?format=pdf` for the PDF)."""
        return reverse("parts:part_request_print", args=[pr.pk])


class PartRequestListSerializer(PartRequestSerializer):
    class Meta(PartRequestSerializer.Meta):
        fields = [name for name in PartRequestSerializer.Meta.fields if name not in ("lines", "events")]
        read_only_fields = fields


class Input(RejectUnknownFieldsMixin, serializers.Serializer):
    """An input: unknown keys are an error, not silently dropped."""


def _own_points(user) -> Any:
    return service_points_in_scope(user).filter(dealer_id=user.dealer_id)


class PartRequestLineInput(Input):
    """R28: a part (its id) and how many of it."""

    part = ScopedPrimaryKeyRelatedField(scope=part_scope, queryset=Part.objects.all())
    quantity = serializers.IntegerField(min_value=1, max_value=9999, default=1)


class PartRequestCreateInput(Input):
    """R28: a draft request for one of your dealer's service points, with its first lines."""

    service_point = ScopedPrimaryKeyRelatedField(scope=_own_points, queryset=ServicePoint.objects.all())
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    lines = PartRequestLineInput(many=True, required=False)


class PartRequestUpdateInput(Input):
    """A draft's delivery point or note (what is left out stays)."""

    service_point = ScopedPrimaryKeyRelatedField(
        scope=_own_points, queryset=ServicePoint.objects.all(), required=False
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class PartRequestLineChangeInput(Input):
    quantity = serializers.IntegerField(min_value=1, max_value=9999)


class PartRequestConfirmLineInput(Input):
    """R28, R30: one line as HQ confirms it; left out: the quantity asked, the cost price list's."""

    line = serializers.IntegerField(help_text=_("The line's id."))
    quantity = serializers.IntegerField(min_value=0, max_value=9999, required=False, allow_null=True)
    unit_cost = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True, help_text=_("CNY")
    )


def _text(max_length: int = 5000):
    return lambda: serializers.CharField(required=False, allow_blank=True, max_length=max_length)


REQUEST_API_INPUTS = {
    "note": _text(),
    "reason": _text(255),
    "carrier": _text(64),
    "tracking_number": _text(64),
    "expected_ship_date": lambda: serializers.DateField(required=False, allow_null=True),
    "lines": lambda: PartRequestConfirmLineInput(many=True, required=False),
    "approve_over_limit": lambda: serializers.BooleanField(
        required=False,
        help_text=_("Finance's explicit approval to debit a request over the dealer's credit limit."),
    ),
}


def _run(pr, transition, actor, version, inputs):
    if "lines" in inputs:
        inputs["lines"] = [dict(line) for line in inputs["lines"]]
    return requests.part_request_transition(request_id=pr.pk, action=transition.name, actor=actor, **inputs)


@extend_schema_view(
    list=extend_schema(
        summary=_("Part requests in your scope"), responses={200: PartRequestListSerializer(many=True)}
    ),
    retrieve=extend_schema(responses={200: PartRequestSerializer, **problem_responses(404)}),
)
@transition_actions(
    PART_REQUEST,
    fields=REQUEST_API_INPUTS,
    prefix="PartRequest",
    run={t.name: _run for t in PART_REQUEST},
)
class PartRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Part requests (售后服务配件申请单, R28): drawn up by a dealer's staff, confirmed by HQ, accepted,
    debited by finance, shipped and received."""

    queryset = PartRequest.objects.none()
    serializer_class = PartRequestSerializer
    filterset_class = PartRequestFilterSet
    export = export_action(PartRequestListView, summary=_("Export the part requests to Excel"))
    permission_classes = [RoleWritePermission]

    def get_queryset(self):
        return part_request_scope(self.request.user).order_by("-created_at", "-id")

    def get_serializer_class(self):
        return PartRequestListSerializer if self.action == "list" else PartRequestSerializer

    def _request(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        pr = part_request_get(self.request.user, pk)
        return Response(PartRequestSerializer(pr, context=self.get_serializer_context()).data, status=code)

    def transition_response(self, result: Any) -> Response:
        return self._request(result.pk)

    def _input(self, request: Request, input_class: type[serializers.Serializer]) -> dict[str, Any]:
        serializer = input_class(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    @extend_schema(
        summary=_("Draw up a part request (a draft)"),
        request=PartRequestCreateInput,
        responses={201: PartRequestSerializer, **problem_responses(400, 403)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = self._input(request, PartRequestCreateInput)
        pr = requests.part_request_create(
            service_point=data["service_point"],
            actor=request.user,
            note=data["note"],
            lines=[(line["part"], line["quantity"]) for line in data.get("lines", [])],
        )
        return self._request(pr.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Change a draft's delivery point or note"),
        request=PartRequestUpdateInput,
        responses={200: PartRequestSerializer, **problem_responses(400, 403, 404, 409)},
    )
    def partial_update(self, request: Request, pk=None) -> Response:
        pr = self.get_object()
        data = self._input(request, PartRequestUpdateInput)
        requests.part_request_update(request_id=pr.pk, actor=request.user, **data)
        return self._request(pr.pk)

    @extend_schema(
        summary=_("Withdraw a draft (it is cancelled; its history stays)"),
        responses={204: None, **problem_responses(403, 404, 409)},
    )
    def destroy(self, request: Request, pk=None) -> Response:
        pr = self.get_object()
        requests.part_request_withdraw(request_id=pr.pk, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary=_("Add a part to a draft"),
        request=PartRequestLineInput,
        responses={201: PartRequestSerializer, **problem_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def lines(self, request: Request, pk=None) -> Response:
        pr = self.get_object()
        data = self._input(request, PartRequestLineInput)
        requests.part_request_line_add(
            request_id=pr.pk, part=data["part"], quantity=data["quantity"], actor=request.user
        )
        return self._request(pr.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("The printed part request (售后服务配件申请单, PDF)"),
        responses=file_responses(PDF_MEDIA_TYPE, 403, 404),
    )
    @action(url_path="print", filterset_class=None, **FILE_ACTION)
    def print_request(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The request's printed form, the print view's PDF: its lines (confirmed quantities and
        costs once HQ confirmed), the total in words and its steps."""
        return printed_form_pdf(request, part_request_form(request.user, path_id(pk)))


class PartRequestLineViewSet(viewsets.GenericViewSet):
    """A draft's line: another quantity, or taken off; the answer is the request."""

    queryset = PartRequestLine.objects.none()
    serializer_class = PartRequestLineSerializer
    permission_classes = [RoleWritePermission]
    http_method_names = ["patch", "delete"]

    def get_queryset(self):
        return PartRequestLine.objects.filter(request__in=part_request_scope(self.request.user))

    def _request(self, pk: int) -> Response:
        pr = part_request_get(self.request.user, pk)
        return Response(PartRequestSerializer(pr, context=self.get_serializer_context()).data)

    @extend_schema(
        summary=_("Change a draft's line"),
        request=PartRequestLineChangeInput,
        responses={200: PartRequestSerializer, **problem_responses(400, 403, 404, 409)},
    )
    def partial_update(self, request: Request, pk=None) -> Response:
        line = self.get_object()
        data = PartRequestLineChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        requests.part_request_line_update(
            line_id=line.pk, quantity=data.validated_data["quantity"], actor=request.user
        )
        return self._request(line.request_id)

    @extend_schema(
        summary=_("Take a line off a draft"),
        request=None,
        responses={200: PartRequestSerializer, **problem_responses(403, 404, 409)},
    )
    def destroy(self, request: Request, pk=None) -> Response:
        line = self.get_object()
        requests.part_request_line_remove(line_id=line.pk, actor=request.user)
        return self._request(line.request_id)


# --- dealer accounts ------------------------------------------------------------------------------------


class DealerAccountSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=_("The dealer's id."))
    code = serializers.CharField()
    name = serializers.CharField()
    balance = serializers.DecimalField(**AMOUNT, help_text=_("What the dealer owes HQ (negative: is owed)."))
    credit_limit = serializers.DecimalField(**AMOUNT, allow_null=True, help_text=_("Empty: no limit."))
    over_limit = serializers.BooleanField()

    def to_representation(self, dealer: Dealer) -> dict[str, Any]:
        account = account_of_dealer(dealer)
        return super().to_representation(
            {
                "id": dealer.pk,
                "code": dealer.code,
                "name": dealer.name,
                "balance": account.balance,
                "credit_limit": account.credit_limit,
                "over_limit": is_over_limit(account),
            }
        )


class AccountEntrySerializer(serializers.ModelSerializer):
    dealer = serializers.IntegerField(source="account.dealer_id", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    amount = serializers.DecimalField(**AMOUNT, help_text=_("A debit is positive, a credit negative (CNY)."))
    balance_after = serializers.DecimalField(**AMOUNT)
    document = serializers.SerializerMethodField()
    posted_by = IdNameSerializer(read_only=True, allow_null=True)

    class Meta:
        model = AccountEntry
        fields = [
            "id",
            "dealer",
            "kind",
            "kind_display",
            "amount",
            "balance_after",
            "document",
            "reference",
            "reason",
            "part_request",
            "old_part",
            "claim",
            "reverses",
            "posted_by",
            "posted_at",
        ]
        read_only_fields = fields

    def get_document(self, entry: AccountEntry) -> str:
        """The number of the document posted (a part request, an old part, a claim) or the reference."""
        return entry_document(entry)


class StatementFlagSerializer(serializers.Serializer):
    day = serializers.DateField()
    document = serializers.CharField()
    description = serializers.CharField()
    amount = serializers.DecimalField(**AMOUNT)
    reason = serializers.CharField()


class DealerStatementSerializer(serializers.Serializer):
    dealer = serializers.IntegerField(source="dealer.pk")
    month = serializers.CharField(source="label", help_text=_("YYYY-MM"))
    opening = serializers.DecimalField(**AMOUNT, help_text=_("Owed at the start of the month."))
    debits = serializers.DecimalField(**AMOUNT)
    credits = serializers.DecimalField(**AMOUNT)
    closing = serializers.DecimalField(**AMOUNT, help_text=_("Owed at the end: opening + debits - credits."))
    entries = AccountEntrySerializer(many=True)
    flagged = StatementFlagSerializer(
        many=True, help_text=_("Fees charged on a fee standard HQ had not approved (R30).")
    )


class DealerPaymentInput(Input):
    """R28: money received from the dealer (a credit on its account)."""

    amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text=_("CNY, above 0"))
    reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=32)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


class DealerCreditLimitInput(Input):
    """R28: the most the dealer may owe before a request needs finance's approval; null: no limit."""

    credit_limit = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, allow_null=True)


class AccountEntryReverseInput(Input):
    reason = serializers.CharField(max_length=255)


MONTH = OpenApiParameter(
    "month", OpenApiTypes.STR, description=_("YYYY-MM; this month when omitted."), required=False
)


class AccountReadMixin:
    def check_reader(self, request: Request) -> None:
        if not may_read_accounts(request.user):
            raise PermissionDenied(_("Your role does not read dealer accounts."))


@extend_schema_view(
    list=extend_schema(
        summary=_("Dealer accounts in your scope"),
        responses={200: DealerAccountSerializer, **problem_responses(403)},
    ),
    retrieve=extend_schema(responses={200: DealerAccountSerializer, **problem_responses(403, 404)}),
)
class DealerAccountViewSet(
    AccountReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Dealer accounts (R28-R31), by dealer id: what each owes and its credit limit; HQ's finance
    records payments and sets limits; a dealer's staff read their own."""

    queryset = Dealer.objects.none()
    serializer_class = DealerAccountSerializer
    filterset_class = DealerAccountFilterSet
    export = export_action(DealerAccountListView, summary=_("Export the dealer accounts to Excel"))
    export_entries = export_action(
        AccountLedgerView,
        summary=_("Export a dealer account's entries to Excel"),
        name="export_entries",
        url_path="entries/export",
        detail=True,
    )
    permission_classes = [RoleWritePermission]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.check_reader(request)

    def get_queryset(self):
        return account_dealer_scope(self.request.user)

    @extend_schema(
        summary=_("The monthly statement (对账单)"),
        parameters=[MONTH],
        responses={200: DealerStatementSerializer, **problem_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def statement(self, request: Request, pk=None) -> Response:
        dealer = self.get_object()
        statement = statement_for(dealer, month_of(request.query_params.get("month")))
        return Response(DealerStatementSerializer(statement).data)

    @extend_schema(
        summary=_("The printed monthly statement (对账单, PDF)"),
        parameters=[MONTH],
        responses=file_responses(PDF_MEDIA_TYPE, 400, 403, 404),
    )
    @action(
        url_path="statement/print",
        url_name="statement-print",
        filterset_class=None,
        **FILE_ACTION,
    )
    def print_statement(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The dealer's monthly statement, printed: the print view's PDF (opening balance, the
        month's entries, closing balance in words). A month not written `YYYY-MM` is a 400."""
        form = statement_form(request.user, path_id(pk), request.query_params.get("month"))
        return printed_form_pdf(request, form)

    @extend_schema(
        summary=_("Export the monthly statement (对账单) to Excel"),
        parameters=[MONTH],
        responses=file_responses(XLSX_MIME, 400, 403, 404),
    )
    @action(
        url_path="statement/export",
        url_name="statement-export",
        filterset_class=None,
        **FILE_ACTION,
    )
    def export_statement(self, request: Request, pk: str | None = None) -> HttpResponseBase:
        """The dealer's monthly statement as an Excel workbook (.xlsx), the same as the statement
        page's export: the opening balance, the month's entries, its totals, the closing balance and
        the charges flagged (R30); the export is logged (R41). A month not written `YYYY-MM` is a
        400."""
        statement = account_statement(request.user, path_id(pk), request.query_params.get("month"))
        return sheet_xlsx(request, statement_sheet(statement))

    @extend_schema(
        summary=_("Record a payment received from the dealer"),
        request=DealerPaymentInput,
        responses={201: AccountEntrySerializer, **problem_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def payments(self, request: Request, pk=None) -> Response:
        dealer = self.get_object()
        data = DealerPaymentInput(data=request.data)
        data.is_valid(raise_exception=True)
        entry = dealer_accounts.payment_record(dealer=dealer, actor=request.user, **data.validated_data)
        return Response(AccountEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Set the dealer's credit limit"),
        request=DealerCreditLimitInput,
        responses={200: DealerAccountSerializer, **problem_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="credit-limit", url_name="credit-limit")
    def credit_limit(self, request: Request, pk=None) -> Response:
        dealer = self.get_object()
        data = DealerCreditLimitInput(data=request.data)
        data.is_valid(raise_exception=True)
        dealer_accounts.credit_limit_set(
            dealer=dealer, credit_limit=data.validated_data["credit_limit"], actor=request.user
        )
        return Response(DealerAccountSerializer(account_dealer_scope(request.user).get(pk=dealer.pk)).data)


@extend_schema_view(
    list=extend_schema(
        summary=_("Account entries of the dealers in your scope (`?dealer=<id>`)"),
        responses={200: AccountEntrySerializer, **problem_responses(403)},
    ),
    retrieve=extend_schema(responses={200: AccountEntrySerializer, **problem_responses(403, 404)}),
)
class AccountEntryViewSet(
    AccountReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The ledger of the dealers' accounts (R41): append-only; a mistake is reversed by a new entry."""

    queryset = AccountEntry.objects.none()
    serializer_class = AccountEntrySerializer
    filterset_class = AccountEntryFilterSet
    permission_classes = [RoleWritePermission]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.check_reader(request)

    def get_queryset(self):
        return entry_scope(self.request.user).order_by("-posted_at", "-id")

    @extend_schema(
        summary=_("Reverse an entry (with the reason)"),
        request=AccountEntryReverseInput,
        responses={201: AccountEntrySerializer, **problem_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def reverse(self, request: Request, pk=None) -> Response:
        entry = self.get_object()
        data = AccountEntryReverseInput(data=request.data)
        data.is_valid(raise_exception=True)
        reversal = dealer_accounts.account_entry_reverse(
            entry=entry, actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(AccountEntrySerializer(reversal).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    """Add this area's viewsets to the project's router."""
    router.register(r"part-requests", PartRequestViewSet, basename="partrequest")
    router.register(r"part-request-lines", PartRequestLineViewSet, basename="partrequestline")
    router.register(r"dealer-accounts", DealerAccountViewSet, basename="dealeraccount")
    router.register(r"account-entries", AccountEntryViewSet, basename="accountentry")
