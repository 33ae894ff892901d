"""The stock desk's API (R32, R37, R41), all under `/api/stock/`, scoped like the pages (another
dealer's warehouse, transfer or count is a 404):

- `warehouses/` (list, read) with `POST warehouses/<id>/receipts/` (purchased parts at their unit
  cost) and `POST warehouses/<id>/scraps/` (with the reason);
- `balances/` (on hand, in transit, reserved, reorder point; `?below=true`), `moves/` (the ledger);
- `transfers/` (list, read, create with lines; `POST transfers/<id>/lines/`, `DELETE
  transfers/<id>/lines/<line id>/` while a draft; one `POST` per transition: ship, receive, cancel;
  `GET transfers/<id>/print/`: the printed transfer (调拨单) as a PDF, the print view's document);
- `counts/` (list, read, create; `POST counts/<id>/counted/` the quantities found; `GET
  counts/<id>/sheet/` the count sheet in Excel, `POST` it back filled in; one `POST` per
  transition: submit, approve, recount, cancel);
- `reorder-rules/` (create, read, change, delete), `alerts/` (list, read);
- `alternatives/?part=&warehouse=`: the shortage help (substitutes in stock there, then the nearest
  warehouses holding the part) for a refused issue (409 `insufficient_stock`).

Amounts are strings with two decimals (CNY); errors are JSON problems naming the field and code."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse, HttpResponseBase
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from aftersales.catalog.models import Part
from aftersales.catalog.selectors import part_scope
from aftersales.core.api import (
    FILE_ACTION,
    ID_PATTERN,
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
from aftersales.core.api_filters import ListFilterBackend
from aftersales.core.excel import XLSX_MIME
from aftersales.core.idempotency import idempotent
from aftersales.core.lists import PK_MAX
from aftersales.parts.views_stock import (
    AlertListView,
    MoveListView,
    OnHandListView,
    ReorderRuleListView,
    WarehouseListView,
)
from aftersales.parts.views_stock_documents import CountListView, TransferListView
from aftersales.workorders.models import WorkOrder
from aftersales.workorders.selectors import workorder_scope

from ..filtersets_stock import (
    AlertFilterSet,
    BalanceFilterSet,
    CountFilterSet,
    MoveFilterSet,
    ReorderRuleFilterSet,
    TransferFilterSet,
    WarehouseFilterSet,
)
from ..models import (
    ReorderRule,
    StockAlert,
    StockBalance,
    StockCount,
    StockCountLine,
    StockMove,
    StockTransfer,
    TransferLine,
    Warehouse,
)
from ..printing_stock import count_sheet, transfer_form
from ..selectors_stock import (
    alert_scope,
    balance_scope,
    count_get,
    count_scope,
    destination_scope,
    move_scope,
    rule_scope,
    shortage_help,
    transfer_get,
    transfer_scope,
    warehouse_list,
    warehouse_scope,
)
from ..services import alerts as alert_services
from ..services.counts import count_create, count_lines_set, count_sheet_import
from ..services.stock_desk import stock_receive, stock_scrap
from ..services.transfers import transfer_create, transfer_line_add, transfer_line_remove
from ..transitions import COUNT, TRANSFER
from .steps import StepSerializer

AMOUNT = {"max_digits": 14, "decimal_places": 2, "read_only": True}


def _parts(user):
    return part_scope(user).filter(is_active=True)


def _part_field(**kwargs: Any) -> ScopedPrimaryKeyRelatedField:
    return ScopedPrimaryKeyRelatedField(scope=_parts, queryset=Part.objects.all(), **kwargs)


def _warehouse_field(scope=warehouse_scope, **kwargs: Any) -> ScopedPrimaryKeyRelatedField:
    return ScopedPrimaryKeyRelatedField(scope=scope, queryset=Warehouse.objects.all(), **kwargs)


# --- output ---------------------------------------------------------------------------------------------


class PartRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Part
        fields = ["id", "number", "name"]
        read_only_fields = fields


class WarehouseRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Warehouse
        fields = ["id", "code", "name", "kind"]
        read_only_fields = fields


class WarehouseSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    service_point = IdNameSerializer(read_only=True, allow_null=True)
    engineer = IdNameSerializer(read_only=True, allow_null=True)
    part_count = serializers.IntegerField(read_only=True, help_text=_("Parts with stock on hand."))
    unit_count = serializers.IntegerField(read_only=True, help_text=_("Units on hand, all parts."))

    class Meta:
        model = Warehouse
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "kind_display",
            "service_point",
            "engineer",
            "is_active",
            "part_count",
            "unit_count",
        ]
        read_only_fields = fields


class BalanceSerializer(serializers.ModelSerializer):
    warehouse = WarehouseRefSerializer(read_only=True)
    part = PartRefSerializer(read_only=True)
    available = serializers.IntegerField(read_only=True, help_text=_("On hand less reserved."))
    projected = serializers.IntegerField(
        source="projected_quantity", read_only=True, help_text=_("On hand + in transit − reserved.")
    )
    reorder_point = serializers.IntegerField(source="reorder_minimum", read_only=True, allow_null=True)
    value = serializers.DecimalField(**AMOUNT, help_text=_("At moving average cost (CNY)."))

    class Meta:
        model = StockBalance
        fields = [
            "id",
            "warehouse",
            "part",
            "on_hand",
            "in_transit",
            "reserved",
            "available",
            "projected",
            "reorder_point",
            "value",
            "updated_at",
        ]
        read_only_fields = fields


class WorkOrderRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = WorkOrder
        fields = ["id", "number"]
        read_only_fields = fields


class MoveSerializer(serializers.ModelSerializer):
    warehouse = WarehouseRefSerializer(read_only=True)
    part = PartRefSerializer(read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    unit_cost = serializers.DecimalField(**AMOUNT)
    value = serializers.DecimalField(**AMOUNT, help_text=_("Signed: in > 0, out < 0 (CNY)."))
    value_after = serializers.DecimalField(**AMOUNT)
    work_order = WorkOrderRefSerializer(read_only=True, allow_null=True)
    posted_by = IdNameSerializer(read_only=True, allow_null=True)

    class Meta:
        model = StockMove
        fields = [
            "id",
            "warehouse",
            "part",
            "kind",
            "kind_display",
            "quantity",
            "unit_cost",
            "value",
            "quantity_after",
            "value_after",
            "reference",
            "work_order",
            "note",
            "posted_by",
            "posted_at",
        ]
        read_only_fields = fields


class TransferLineSerializer(serializers.ModelSerializer):
    part = PartRefSerializer(read_only=True)
    value = serializers.DecimalField(**AMOUNT, help_text=_("At cost, once shipped (CNY)."))

    class Meta:
        model = TransferLine
        fields = ["id", "part", "quantity", "value"]
        read_only_fields = fields


class TransferSerializer(serializers.ModelSerializer):
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    source = WarehouseRefSerializer(read_only=True)
    destination = WarehouseRefSerializer(read_only=True)
    work_order = WorkOrderRefSerializer(read_only=True, allow_null=True)
    created_by = IdNameSerializer(read_only=True)
    shipped_by = IdNameSerializer(read_only=True, allow_null=True)
    received_by = IdNameSerializer(read_only=True, allow_null=True)
    lines = TransferLineSerializer(many=True, read_only=True)
    steps = StepSerializer(source="events", many=True, read_only=True)
    available_actions = serializers.SerializerMethodField()

    class Meta:
        model = StockTransfer
        fields = [
            "id",
            "number",
            "state",
            "state_display",
            "source",
            "destination",
            "work_order",
            "carrier",
            "tracking_number",
            "note",
            "created_by",
            "created_at",
            "shipped_at",
            "shipped_by",
            "received_at",
            "received_by",
            "lines",
            "steps",
            "available_actions",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_available_actions(self, transfer: StockTransfer) -> list[str]:
        """The action endpoints this user's role may call now."""
        user = request_user(self.context)
        return [t.name for t in TRANSFER.available(transfer, user)] if user is not None else []


class CountLineSerializer(serializers.ModelSerializer):
    part = PartRefSerializer(read_only=True)
    difference = serializers.IntegerField(read_only=True, allow_null=True, help_text=_("Counted − expected."))

    class Meta:
        model = StockCountLine
        fields = ["id", "part", "expected", "counted", "difference"]
        read_only_fields = fields


class CountSerializer(serializers.ModelSerializer):
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    warehouse = WarehouseRefSerializer(read_only=True)
    created_by = IdNameSerializer(read_only=True)
    approved_by = IdNameSerializer(read_only=True, allow_null=True)
    lines = CountLineSerializer(many=True, read_only=True)
    steps = StepSerializer(source="events", many=True, read_only=True)
    available_actions = serializers.SerializerMethodField()

    class Meta:
        model = StockCount
        fields = [
            "id",
            "number",
            "state",
            "state_display",
            "warehouse",
            "note",
            "created_by",
            "created_at",
            "submitted_at",
            "approved_at",
            "approved_by",
            "lines",
            "steps",
            "available_actions",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_available_actions(self, count: StockCount) -> list[str]:
        """The action endpoints this user's role may call now."""
        user = request_user(self.context)
        return [t.name for t in COUNT.available(count, user)] if user is not None else []


class ReorderRuleSerializer(serializers.ModelSerializer):
    warehouse = WarehouseRefSerializer(read_only=True)
    part = PartRefSerializer(read_only=True)

    class Meta:
        model = ReorderRule
        fields = ["id", "warehouse", "part", "minimum", "target", "created_at", "updated_at"]
        read_only_fields = fields


class AlertSerializer(serializers.ModelSerializer):
    warehouse = WarehouseRefSerializer(read_only=True)
    part = PartRefSerializer(read_only=True)
    is_open = serializers.SerializerMethodField()

    class Meta:
        model = StockAlert
        fields = [
            "id",
            "warehouse",
            "part",
            "projected",
            "minimum",
            "suggested_quantity",
            "is_open",
            "created_at",
            "resolved_at",
        ]
        read_only_fields = fields

    def get_is_open(self, alert: StockAlert) -> bool:
        return alert.resolved_at is None


class HoldingSerializer(serializers.Serializer):
    warehouse = WarehouseRefSerializer(read_only=True)
    part = PartRefSerializer(read_only=True)
    available = serializers.IntegerField(read_only=True)
    distance_km = serializers.DecimalField(
        max_digits=8, decimal_places=1, read_only=True, allow_null=True, help_text=_("Null when not known.")
    )
    same_point = serializers.BooleanField(read_only=True, help_text=_("At the same service point."))


class ShortageHelpSerializer(serializers.Serializer):
    part = PartRefSerializer(read_only=True)
    warehouse = WarehouseRefSerializer(read_only=True)
    substitutes_here = HoldingSerializer(many=True, read_only=True)
    nearby = HoldingSerializer(many=True, read_only=True)


# --- input ---------------------------------------------------------------------------------------------


class Input(RejectUnknownFieldsMixin, serializers.Serializer):
    """An action's input: unknown keys are an error, not silently dropped."""


class ReceiptInput(Input):
    """R32: purchased parts received at their unit cost (HQ's stock keepers)."""

    part = _part_field()
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)
    unit_cost = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, help_text=_("CNY"))
    reference = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=32, help_text=_("Delivery note or order.")
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


class ScrapInput(Input):
    """R32, R41: parts written off at average cost, with the reason."""

    part = _part_field()
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)
    reason = serializers.CharField(max_length=255)


class StockLineInput(Input):
    part = _part_field()
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)


class TransferCreateInput(Input):
    """R32: a draft transfer of parts from a warehouse you keep to another one."""

    source = _warehouse_field()
    destination = _warehouse_field(scope=destination_scope)
    lines = StockLineInput(many=True, allow_empty=False)
    work_order = ScopedPrimaryKeyRelatedField(
        scope=workorder_scope, queryset=WorkOrder.objects.all(), required=False, allow_null=True
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


class CountCreateInput(Input):
    """R32: a count sheet of a warehouse: every part it holds, or the parts named."""

    warehouse = _warehouse_field()
    parts = ScopedPrimaryKeyRelatedField(
        scope=part_scope, queryset=Part.objects.all(), many=True, required=False
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


class CountedInput(Input):
    line = serializers.IntegerField(help_text=_("The count line's id."))
    counted = serializers.IntegerField(min_value=0, allow_null=True, help_text=_("Null clears it."))


class CountedLinesInput(Input):
    """R32: what was found, line by line (all or nothing)."""

    lines = CountedInput(many=True, allow_empty=False)


class CountSheetInput(Input):
    """R32: the count sheet's Excel export with the "Counted" column filled in."""

    file = serializers.FileField(help_text=_("The filled-in sheet (.xlsx)."))


class ReorderRuleInput(Input):
    """R32: keep at least `minimum` of a part in a warehouse, ordering up to `target`."""

    warehouse = _warehouse_field()
    part = _part_field()
    minimum = serializers.IntegerField(min_value=0, max_value=1_000_000)
    target = serializers.IntegerField(min_value=1, max_value=1_000_000)


class ReorderRuleChangeInput(Input):
    needs = ("minimum", "target")  # both, even in a PATCH (the schema says so)

    minimum = serializers.IntegerField(min_value=0, max_value=1_000_000)
    target = serializers.IntegerField(min_value=1, max_value=1_000_000)


def _text():
    return serializers.CharField(required=False, allow_blank=True, max_length=2000)


def _line(max_length: int = 64):
    return lambda: serializers.CharField(required=False, allow_blank=True, max_length=max_length)


STOCK_API_INPUTS = {"carrier": _line(), "tracking_number": _line(), "reason": _text, "note": _text}


# --- viewsets --------------------------------------------------------------------------------------------


class StockViewSet(viewsets.GenericViewSet):
    permission_classes = [RoleWritePermission]
    filter_backends = [ListFilterBackend]

    def _input(self, request: Request, input_class: type[serializers.Serializer]) -> dict[str, Any]:
        serializer = input_class(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _move(self, move: StockMove) -> Response:
        move = move_scope(self.request.user).get(pk=move.pk)
        return Response(MoveSerializer(move).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary=_("Warehouses in your scope")),
    retrieve=extend_schema(responses={200: WarehouseSerializer, **problem_responses(404)}),
)
class WarehouseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StockViewSet):
    """Warehouses (R32): HQ, service points, engineers' vans and defective locations."""

    queryset = Warehouse.objects.none()
    serializer_class = WarehouseSerializer
    filterset_class = WarehouseFilterSet
    export = export_action(WarehouseListView, summary=_("Export the warehouses to Excel"))

    def get_queryset(self):
        return warehouse_list(self.request.user).order_by("code", "id")

    @extend_schema(
        summary=_("Receive purchased parts at their unit cost"),
        request=ReceiptInput,
        responses={201: MoveSerializer, **problem_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def receipts(self, request: Request, pk=None) -> Response:
        warehouse = self.get_object()
        data = self._input(request, ReceiptInput)
        return self._move(stock_receive(warehouse=warehouse, actor=request.user, **data))

    @extend_schema(
        summary=_("Scrap parts (with the reason)"),
        description=_("409 `insufficient_stock` beyond what is available: see `/api/stock/alternatives/`."),
        request=ScrapInput,
        responses={201: MoveSerializer, **problem_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def scraps(self, request: Request, pk=None) -> Response:
        warehouse = self.get_object()
        data = self._input(request, ScrapInput)
        return self._move(stock_scrap(warehouse=warehouse, actor=request.user, **data))


@extend_schema_view(
    list=extend_schema(
        summary=_("Stock on hand in your scope (`?below=true`: at or under the reorder point)")
    ),
    retrieve=extend_schema(responses={200: BalanceSerializer, **problem_responses(404)}),
)
class BalanceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StockViewSet):
    """Stock balances (R32): per warehouse and part, kept with the ledger in one transaction."""

    queryset = StockBalance.objects.none()
    serializer_class = BalanceSerializer
    filterset_class = BalanceFilterSet
    export = export_action(OnHandListView, summary=_("Export the stock on hand to Excel"))

    def get_queryset(self):
        return balance_scope(self.request.user).order_by("warehouse__code", "part__number", "id")


@extend_schema_view(
    list=extend_schema(summary=_("The stock ledger in your scope")),
    retrieve=extend_schema(responses={200: MoveSerializer, **problem_responses(404)}),
)
class MoveViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StockViewSet):
    """Stock moves (R32, R41): append-only, each with who, when, the document and what was left."""

    queryset = StockMove.objects.none()
    serializer_class = MoveSerializer
    filterset_class = MoveFilterSet
    export = export_action(MoveListView, summary=_("Export the stock moves to Excel"))

    def get_queryset(self):
        return move_scope(self.request.user).order_by("-posted_at", "-id")


@extend_schema_view(
    list=extend_schema(summary=_("Transfers from or to the warehouses in your scope")),
    retrieve=extend_schema(responses={200: TransferSerializer, **problem_responses(404)}),
)
@transition_actions(TRANSFER, fields=STOCK_API_INPUTS, prefix="StockTransfer")
class TransferViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StockViewSet):
    """Transfers (调拨单, R32): draft → shipped (in transit) → received, or cancelled while a draft.
    Shipping answers 409 `insufficient_stock` when the source has fewer available (nothing moves)."""

    queryset = StockTransfer.objects.none()
    serializer_class = TransferSerializer
    filterset_class = TransferFilterSet
    export = export_action(TransferListView, summary=_("Export the stock transfers to Excel"))

    def get_queryset(self):
        return (
            transfer_scope(self.request.user)
            .prefetch_related("lines__part", "events__actor")
            .order_by("-created_at", "-id")
        )

    def transition_response(self, result: Any) -> Response:
        return self._transfer(result.pk)

    def _transfer(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        transfer = transfer_get(self.request.user, pk)
        return Response(TransferSerializer(transfer, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        summary=_("Draw up a transfer with its lines"),
        request=TransferCreateInput,
        responses={201: TransferSerializer, **problem_responses(400, 403)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = self._input(request, TransferCreateInput)
        transfer = transfer_create(
            source=data["source"],
            destination=data["destination"],
            lines=[(line["part"], line["quantity"]) for line in data["lines"]],
            work_order=data.get("work_order"),
            note=data["note"],
            actor=request.user,
        )
        return self._transfer(transfer.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Add a part to a draft transfer"),
        request=StockLineInput,
        responses={201: TransferSerializer, **problem_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def lines(self, request: Request, pk=None) -> Response:
        transfer = self.get_object()
        data = self._input(request, StockLineInput)
        transfer_line_add(transfer_id=transfer.pk, actor=request.user, **data)
        return self._transfer(transfer.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Take a line off a draft transfer"),
        request=None,
        responses={200: TransferSerializer, **problem_responses(403, 404, 409)},
    )
    @action(detail=True, methods=["delete"], url_path=rf"lines/(?P<line_id>{ID_PATTERN})", url_name="line")
    def line(self, request: Request, pk=None, line_id=None) -> Response:
        transfer = self.get_object()
        line = TransferLine.objects.filter(transfer=transfer, pk=line_id).first()
        if line is None:
            raise Http404
        transfer_line_remove(line_id=line.pk, actor=request.user)
        return self._transfer(transfer.pk)

    @extend_schema(
        summary=_("The printed transfer (调拨单, PDF)"),
        responses=file_responses(PDF_MEDIA_TYPE, 403, 404),
    )
    @action(url_path="print", filterset_class=None, **FILE_ACTION)
    def print_transfer(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The transfer's printed form, the print view's PDF: its lines, carrier and tracking
        number, and a QR code that opens it."""
        return printed_form_pdf(request, transfer_form(request._request, path_id(pk)))


@extend_schema_view(
    list=extend_schema(summary=_("Stock counts of the warehouses in your scope")),
    retrieve=extend_schema(responses={200: CountSerializer, **problem_responses(404)}),
)
@transition_actions(COUNT, fields=STOCK_API_INPUTS, prefix="StockCount")
class CountViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StockViewSet):
    """Stock counts (盘点, R32): counted line by line, submitted, approved by HQ (the differences
    post as adjustment moves), sent back for a recount or cancelled."""

    queryset = StockCount.objects.none()
    serializer_class = CountSerializer
    filterset_class = CountFilterSet
    export = export_action(CountListView, summary=_("Export the stock counts to Excel"))

    def get_queryset(self):
        return (
            count_scope(self.request.user)
            .prefetch_related("lines__part", "events__actor")
            .order_by("-created_at", "-id")
        )

    def transition_response(self, result: Any) -> Response:
        return self._count(result.pk)

    def _count(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        count = count_get(self.request.user, pk)
        return Response(CountSerializer(count, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        summary=_("Make a count sheet"),
        description=_("409 `count_open` while another count of the warehouse is open."),
        request=CountCreateInput,
        responses={201: CountSerializer, **problem_responses(400, 403, 409)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = self._input(request, CountCreateInput)
        count = count_create(
            warehouse=data["warehouse"],
            parts=data.get("parts") or None,
            note=data["note"],
            actor=request.user,
        )
        return self._count(count.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Enter counted quantities"),
        request=CountedLinesInput,
        responses={200: CountSerializer, **problem_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def counted(self, request: Request, pk=None) -> Response:
        count = self.get_object()
        data = self._input(request, CountedLinesInput)
        count_lines_set(
            count_id=count.pk,
            counted={line["line"]: line["counted"] for line in data["lines"]},
            actor=request.user,
        )
        return self._count(count.pk)

    @extend_schema(
        summary=_("Read counted quantities from the filled-in sheet (Excel)"),
        request={"multipart/form-data": CountSheetInput},
        responses={200: CountSerializer, **problem_responses(400, 403, 404, 409)},
    )
    @action(
        detail=True,
        methods=["post"],
        parser_classes=MULTIPART_PARSERS,
        content_negotiation_class=FileContentNegotiation,  # its GET answers the workbook
    )
    def sheet(self, request: Request, pk=None) -> Response:
        """The count sheet (`GET` it) with its "Counted" column filled in: each part's counted
        quantity is entered, as on the count page's import."""
        count = self.get_object()
        data = self._input(request, CountSheetInput)
        count_sheet_import(count_id=count.pk, upload=data["file"], actor=request.user)
        return self._count(count.pk)

    @extend_schema(
        summary=_("The count sheet in Excel"),
        responses=file_responses(XLSX_MIME, 403, 404),
    )
    @sheet.mapping.get
    def sheet_export(self, request: Request, pk=None) -> HttpResponseBase:
        """The count sheet as an Excel workbook (.xlsx), the same as the count page's export: each
        line's part number, part, expected quantity and, as counted so far, the counted quantity
        and the difference; blank counts to fill in and send back (`POST`). The export is logged
        (R41)."""
        return sheet_xlsx(request, count_sheet(request.user, path_id(pk)))


@extend_schema_view(
    list=extend_schema(summary=_("Reorder rules of the warehouses in your scope")),
    retrieve=extend_schema(responses={200: ReorderRuleSerializer, **problem_responses(404)}),
)
class ReorderRuleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StockViewSet):
    """Reorder rules (R32): a part at or under its reorder point (projected) raises one alert."""

    queryset = ReorderRule.objects.none()
    serializer_class = ReorderRuleSerializer
    filterset_class = ReorderRuleFilterSet
    export = export_action(ReorderRuleListView, summary=_("Export the reorder rules to Excel"))
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return rule_scope(self.request.user).order_by("warehouse__code", "part__number", "id")

    def _rule(self, rule: ReorderRule, code: int = status.HTTP_200_OK) -> Response:
        return Response(ReorderRuleSerializer(self.get_queryset().get(pk=rule.pk)).data, status=code)

    @extend_schema(
        summary=_("Set a reorder rule"),
        request=ReorderRuleInput,
        responses={201: ReorderRuleSerializer, **problem_responses(400, 403)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = self._input(request, ReorderRuleInput)
        return self._rule(
            alert_services.reorder_rule_create(actor=request.user, **data), status.HTTP_201_CREATED
        )

    @extend_schema(
        summary=_("Change a reorder rule"),
        request=ReorderRuleChangeInput,
        responses={200: ReorderRuleSerializer, **problem_responses(400, 403, 404)},
    )
    def partial_update(self, request: Request, pk=None) -> Response:
        rule = self.get_object()
        data = self._input(request, ReorderRuleChangeInput)
        return self._rule(alert_services.reorder_rule_update(rule_id=rule.pk, actor=request.user, **data))

    @extend_schema(summary=_("Delete a reorder rule"), responses={204: None, **problem_responses(403, 404)})
    def destroy(self, request: Request, pk=None) -> Response:
        rule = self.get_object()
        alert_services.reorder_rule_delete(rule_id=rule.pk, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary=_("Stock alerts in your scope (`?open=true`: not resolved)")),
    retrieve=extend_schema(responses={200: AlertSerializer, **problem_responses(404)}),
)
class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StockViewSet):
    """Stock alerts (R32): one per crossing of a reorder point, resolved when stock is back."""

    queryset = StockAlert.objects.none()
    serializer_class = AlertSerializer
    filterset_class = AlertFilterSet
    export = export_action(AlertListView, summary=_("Export the stock alerts to Excel"))

    def get_queryset(self):
        return alert_scope(self.request.user).order_by("-created_at", "-id")


class AlternativesQuery(serializers.Serializer):
    part = serializers.IntegerField(min_value=1, max_value=PK_MAX, help_text=_("The part's id."))
    warehouse = serializers.IntegerField(min_value=1, max_value=PK_MAX, help_text=_("The warehouse's id."))


class AlternativesViewSet(viewsets.ViewSet):
    """R32: the shortage help of a part short in a warehouse."""

    permission_classes = [RoleWritePermission]

    @extend_schema(
        summary=_("Substitutes and the nearest stock of a part short in a warehouse"),
        parameters=[AlternativesQuery],
        responses={200: ShortageHelpSerializer, **problem_responses(400, 404)},
    )
    def list(self, request: Request) -> Response:
        query = AlternativesQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        ids = query.validated_data
        warehouse = warehouse_scope(request.user).filter(pk=ids["warehouse"]).first()
        part = part_scope(request.user).filter(pk=ids["part"]).first()
        if warehouse is None or part is None:
            raise Http404
        help = shortage_help(user=request.user, part=part, warehouse=warehouse)
        return Response(ShortageHelpSerializer(help).data)


def register(router) -> None:
    """Add this area's viewsets to the project's router (`/api/stock/...`)."""
    router.register(r"stock/warehouses", WarehouseViewSet, basename="stock-warehouse")
    router.register(r"stock/balances", BalanceViewSet, basename="stock-balance")
    router.register(r"stock/moves", MoveViewSet, basename="stock-move")
    router.register(r"stock/transfers", TransferViewSet, basename="stock-transfer")
    router.register(r"stock/counts", CountViewSet, basename="stock-count")
    router.register(r"stock/reorder-rules", ReorderRuleViewSet, basename="stock-reorder-rule")
    router.register(r"stock/alerts", AlertViewSet, basename="stock-alert")
    router.register(r"stock/alternatives", AlternativesViewSet, basename="stock-alternatives")
