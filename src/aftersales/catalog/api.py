"""REST API of the product catalog: product lines and models, the parts catalog (read-only), price
lists (read, a list's prices in Excel in the import's format by `GET
/api/price-lists/<id>/items/export/`, and a new version by `POST /api/price-lists/<id>/revise/`),
fee schedules (read), and
the two pricing reads billing uses (`/api/prices/part/`, `/api/prices/fee/`). Amounts are strings.

Lines and models are readable by every staff user (intake needs them); written only by HQ admins
and supervisors. Parts are read by the roles that quote, fit or order them (`selectors`), retired
parts by the catalog's keepers only; they are kept through the admin and the Excel import.
Catalog rows carry no rule beyond model validation, so the writes here are `full_clean()` + save
(ReferenceDataWriteMixin); move them to catalog/services.py once the catalog gains rules.
"""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.http import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from aftersales.accounts.choices import REFERENCE_ADMIN_ROLES
from aftersales.catalog.views import FeeScheduleListView, PartListView, PriceListListView
from aftersales.core.api import (
    FileContentNegotiation,
    ReferenceDataWriteMixin,
    RejectUnknownFieldsMixin,
    RoleWritePermission,
    ScopedPrimaryKeyRelatedField,
    export_action,
    file_responses,
    path_id,
    problem_responses,
    sheet_xlsx,
    transition_actions,
)
from aftersales.core.api_filters import ListFilterBackend, filterset_check
from aftersales.core.excel import XLSX_MIME
from aftersales.core.idempotency import idempotent
from aftersales.core.import_api import import_action, import_template_action
from aftersales.core.importing import ImportReport

from .choices import FEE_STANDARD_KINDS, FeeUnit, ModelKind, PeriodStatus
from .filtersets import FeeScheduleFilterSet, PartFilterSet, PriceListFilterSet, PriceListItemFilterSet
from .importing import (
    PART_COLUMNS_HELP,
    PRICE_COLUMNS_HELP,
    part_template,
    parts_import,
    price_list_items_import,
    price_list_sheet,
    price_template,
)
from .models import (
    FeeSchedule,
    FeeStandard,
    Part,
    PriceList,
    PriceListItem,
    ProductLine,
    ProductModel,
    period_status,
)
from .pricing import fee_for, part_price
from .selectors import (
    PART_MANAGER_ROLES_TEXT,
    can_manage_parts,
    can_manage_prices,
    can_read_parts,
    can_read_prices,
    fee_schedule_list,
    fee_schedule_scope,
    fee_standards,
    part_links,
    part_scope,
    price_list_items,
    price_list_list,
)
from .services import fee_schedule_approve, fee_schedule_reject, fee_schedule_submit, price_list_revise
from .transitions import FEE_SCHEDULE, may_decide_fee_schedule


class ProductLineSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = ProductLine
        fields = ["id", "code", "name", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class ProductModelSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    product_line_name = serializers.CharField(source="product_line.name", read_only=True)

    class Meta:
        model = ProductModel
        fields = [
            "id",
            "product_line",
            "product_line_name",
            "code",
            "name",
            "kind",
            "kind_display",
            "warranty_months",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]


class ProductLineFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = ProductLine
        fields = ["q"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value)) if value else queryset


class ProductModelFilterSet(ProductLineFilterSet):
    kind = django_filters.ChoiceFilter(choices=ModelKind.choices, label=_("Kind"))
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = ProductModel
        fields = ["q", "product_line", "kind", "is_active"]


_ERRORS = problem_responses(400, 403, 404, 409)


@extend_schema_view(
    create=extend_schema(responses={201: ProductLineSerializer, **_ERRORS}),
    update=extend_schema(responses={200: ProductLineSerializer, **_ERRORS}),
    partial_update=extend_schema(responses={200: ProductLineSerializer, **_ERRORS}),
    destroy=extend_schema(responses={204: None, **_ERRORS}),
)
class ProductLineViewSet(ReferenceDataWriteMixin, viewsets.ModelViewSet):
    """Product lines (printers, copiers, consumables ...)."""

    queryset = ProductLine.objects.all()
    serializer_class = ProductLineSerializer
    permission_classes = [RoleWritePermission]
    write_roles = REFERENCE_ADMIN_ROLES
    filter_backends = [ListFilterBackend]
    filterset_class = ProductLineFilterSet


@extend_schema_view(
    create=extend_schema(responses={201: ProductModelSerializer, **_ERRORS}),
    update=extend_schema(responses={200: ProductModelSerializer, **_ERRORS}),
    partial_update=extend_schema(responses={200: ProductModelSerializer, **_ERRORS}),
    destroy=extend_schema(responses={204: None, **_ERRORS}),
)
class ProductModelViewSet(ReferenceDataWriteMixin, viewsets.ModelViewSet):
    """Product models with their default warranty months."""

    queryset = ProductModel.objects.select_related("product_line")
    serializer_class = ProductModelSerializer
    permission_classes = [RoleWritePermission]
    write_roles = REFERENCE_ADMIN_ROLES
    filter_backends = [ListFilterBackend]
    filterset_class = ProductModelFilterSet


# --- parts ---------------------------------------------------------------------------------------


class CatalogPartFitSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProductModel
        fields = ["id", "code", "name"]
        read_only_fields = fields


class CatalogPartSerializer(serializers.ModelSerializer):
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    unit_display = serializers.CharField(source="get_unit_display", read_only=True)
    fits = CatalogPartFitSerializer(many=True, read_only=True)

    class Meta:
        model = Part
        fields = [
            "id",
            "number",
            "name",
            "category",
            "category_display",
            "unit",
            "unit_display",
            "fits",
            "serialised",
            "is_active",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CatalogPartSubstituteSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="part.pk")
    number = serializers.CharField(source="part.number")
    name = serializers.CharField(source="part.name")
    both_ways = serializers.BooleanField(help_text=_("The part may also replace this substitute."))
    note = serializers.CharField()


class CatalogPartDetailSerializer(CatalogPartSerializer):
    substitutes = serializers.SerializerMethodField()

    class Meta(CatalogPartSerializer.Meta):
        fields = [*CatalogPartSerializer.Meta.fields, "substitutes"]
        read_only_fields = fields

    @extend_schema_field(CatalogPartSubstituteSerializer(many=True))
    def get_substitutes(self, part: Part) -> list[dict]:
        """The parts that may be fitted instead (one way from this part, or both ways)."""
        user = self.context["request"].user
        rows = [
            {"part": other, "both_ways": both, "note": note}
            for other, both, note in part_links(part, user=user)
        ]
        return CatalogPartSubstituteSerializer(rows, many=True).data


class PartReadPermission(permissions.BasePermission):
    """Signed in (else 401) with a role that reads the parts catalog (else 403)."""

    message = _("Your role does not read the parts catalog.")

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and can_read_parts(request.user))


@extend_schema_view(
    list=extend_schema(responses={200: CatalogPartSerializer(many=True), **problem_responses(400, 401, 403)}),
    retrieve=extend_schema(responses={200: CatalogPartDetailSerializer, **problem_responses(401, 403, 404)}),
)
class PartViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Parts of the catalog (R12, R32, R36): `q` searches number and name; `category`, `fits`
    (a product model id) and `active` filter; `ordering` sorts; `cursor` reads everything."""

    queryset = Part.objects.none()  # for the schema; get_queryset scopes per user
    serializer_class = CatalogPartSerializer
    permission_classes = [PartReadPermission]
    filter_backends = [ListFilterBackend]
    filterset_class = PartFilterSet
    export = export_action(PartListView, summary=_("Export the parts catalogue to Excel"))
    import_file = import_action(
        run=parts_import,
        allowed=can_manage_parts,
        summary=_("Import parts from Excel"),
        columns=PART_COLUMNS_HELP,
        roles=PART_MANAGER_ROLES_TEXT,
    )
    import_template = import_template_action(
        content=part_template,
        filename="parts-template.xlsx",
        allowed=can_manage_parts,
        summary=_("The empty workbook of the parts' import"),
        roles=PART_MANAGER_ROLES_TEXT,
    )

    def get_queryset(self):
        return part_scope(self.request.user).prefetch_related("fits").order_by("number", "pk")

    def get_serializer_class(self):
        return CatalogPartDetailSerializer if self.action == "retrieve" else CatalogPartSerializer


# --- price lists, fee schedules and prices -------------------------------------------------------

AMOUNT = {"max_digits": 14, "decimal_places": 2, "coerce_to_string": True, "read_only": True}


class PriceReadPermission(permissions.BasePermission):
    """Signed in (else 401) with a role that reads prices and fee standards (else 403)."""

    message = _("Your role does not read prices and fee standards.")

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and can_read_prices(request.user))


class PeriodStatusMixin(serializers.Serializer):
    status = serializers.SerializerMethodField(help_text=_("Where it stands today."))

    @extend_schema_field(serializers.ChoiceField(choices=PeriodStatus.choices))
    def get_status(self, obj: PriceList | FeeSchedule) -> str:
        return period_status(obj, timezone.localdate()).value


class PriceListSerializer(PeriodStatusMixin, serializers.ModelSerializer):
    label = serializers.CharField(read_only=True, help_text=_("Name and version, as quotes cite it."))
    item_count = serializers.IntegerField(read_only=True, help_text=_("Parts priced."))

    class Meta:
        model = PriceList
        fields = [
            "id",
            "name",
            "version",
            "label",
            "province",
            "effective_from",
            "effective_until",
            "is_active",
            "status",
            "notes",
            "item_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PriceListItemSerializer(serializers.ModelSerializer):
    part_number = serializers.CharField(source="part.number", read_only=True)
    part_name = serializers.CharField(source="part.name", read_only=True)
    cost_price = serializers.DecimalField(help_text=_("What HQ charges dealers (R30)."), **AMOUNT)
    retail_price = serializers.DecimalField(help_text=_("What the customer pays (R9)."), **AMOUNT)

    class Meta:
        model = PriceListItem
        fields = ["id", "part", "part_number", "part_name", "cost_price", "retail_price", "updated_at"]
        read_only_fields = fields


class PriceListReviseSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    effective_from = serializers.DateField(
        help_text=_("The first day of the new version (after today); the current one ends the day before.")
    )


def _price_list_import(*, record: PriceList, upload, skip_invalid: bool, actor) -> ImportReport:
    """The page's import into one price list (refused as the file's problem once it is in effect)."""
    return price_list_items_import(
        price_list_id=record.pk, upload=upload, skip_invalid=skip_invalid, actor=actor
    )


class PriceListViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Price lists, every version (R9, R30): `q` searches the name; `status` (as of today), `region`
    (`national` or a province) and `active` filter; the prices are under `items/`."""

    queryset = PriceList.objects.none()  # for the schema; get_queryset scopes per user
    serializer_class = PriceListSerializer
    permission_classes = [PriceReadPermission]
    filter_backends = [ListFilterBackend]
    filterset_class = PriceListFilterSet
    export = export_action(PriceListListView, summary=_("Export the price lists to Excel"))
    import_file = import_action(
        run=_price_list_import,
        allowed=can_manage_prices,
        summary=_("Import a price list's prices from Excel"),
        columns=PRICE_COLUMNS_HELP,
        roles=PART_MANAGER_ROLES_TEXT,
        detail=True,
    )
    import_template = import_template_action(
        content=price_template,
        filename="price-list-template.xlsx",
        allowed=can_manage_prices,
        summary=_("The empty workbook of a price list's import"),
        roles=PART_MANAGER_ROLES_TEXT,
    )

    def get_queryset(self):
        return price_list_list(self.request.user)

    @extend_schema(
        summary=_("List price lists"),
        responses={200: PriceListSerializer(many=True), **problem_responses(400, 401, 403)},
    )
    def list(self, request: Request, *args, **kwargs) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: PriceListSerializer, **problem_responses(401, 403, 404)})
    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary=_("Prices of a price list"),
        description=_("Paginated, by part number; `q` searches part number and name."),
        responses={200: PriceListItemSerializer(many=True), **problem_responses(400, 401, 403, 404)},
    )
    @action(
        detail=True,
        methods=["get"],
        queryset=PriceListItem.objects.none(),  # the rows it lists (its filters, its schema)
        filterset_class=PriceListItemFilterSet,
        serializer_class=PriceListItemSerializer,
    )
    def items(self, request: Request, pk: str | None = None) -> Response:
        price_list = get_object_or_404(price_list_list(request.user), pk=pk)
        rows = self.filter_queryset(price_list_items(price_list))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(PriceListItemSerializer(page, many=True).data)

    @extend_schema(
        summary=_("Export a price list's prices to Excel"),
        description=_(
            "The prices as an Excel workbook (.xlsx) in the import's format (part number, name, "
            "cost, retail), the same as the price list page's export: those the filters find "
            "(`q` part number or name, `ordering`, `ids`), by part number unless sorted; no "
            "pagination. The export is logged (R41)."
        ),
        responses=file_responses(XLSX_MIME, 400, 401, 403, 404),
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="items/export",
        url_name="items-export",
        queryset=PriceListItem.objects.none(),  # the rows it exports (its filters, its schema)
        filterset_class=PriceListItemFilterSet,
        pagination_class=None,
        content_negotiation_class=FileContentNegotiation,
    )
    def export_items(self, request: Request, pk: str | None = None) -> HttpResponseBase:
        filterset = ListFilterBackend().get_filterset(request, PriceListItem.objects.none(), self)
        filterset_check(filterset, request.query_params)
        return sheet_xlsx(request, price_list_sheet(request._request, path_id(pk)))

    export_items.filtered_export = True  # type: ignore[attr-defined]  # the schema documents its filters

    @extend_schema(
        summary=_("Make a new version of a price list"),
        description=_(
            "Copies every price into version + 1 from `effective_from` (after today); the list "
            "revised ends the day before. Only the latest version is revised (409 "
            "`not_latest_version`); a date not after today or the current start is 400 "
            "`revision_date`. Keepers of the catalog only."
        ),
        request=PriceListReviseSerializer,
        responses={201: PriceListSerializer, **problem_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    @idempotent
    def revise(self, request: Request, pk: str | None = None) -> Response:
        if not can_manage_prices(request.user):
            raise exceptions.PermissionDenied(_("Your role may not revise price lists."))
        price_list = get_object_or_404(price_list_list(request.user), pk=pk)
        data = PriceListReviseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        revision = price_list_revise(
            price_list_id=price_list.pk,
            effective_from=data.validated_data["effective_from"],
            actor=request.user,
        )
        revision = price_list_list(request.user).get(pk=revision.pk)
        return Response(PriceListSerializer(revision).data, status=status.HTTP_201_CREATED)


class FeeStandardSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    unit_display = serializers.CharField(source="get_unit_display", read_only=True)
    product_line_name = serializers.CharField(source="product_line.name", read_only=True, allow_null=True)
    label = serializers.CharField(source="scope_label", read_only=True)
    amount = serializers.DecimalField(**AMOUNT)
    distance_from_km = serializers.DecimalField(
        max_digits=8, decimal_places=2, read_only=True, allow_null=True, help_text=_("Band start, included.")
    )
    distance_to_km = serializers.DecimalField(
        max_digits=8,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text=_("Band end, not included."),
    )

    class Meta:
        model = FeeStandard
        fields = [
            "id",
            "kind",
            "kind_display",
            "product_line",
            "product_line_name",
            "province",
            "distance_from_km",
            "distance_to_km",
            "unit",
            "unit_display",
            "amount",
            "note",
            "label",
        ]
        read_only_fields = fields


class FeeScheduleSerializer(PeriodStatusMixin, serializers.ModelSerializer):
    standard_count = serializers.IntegerField(read_only=True)
    dealer_name = serializers.CharField(source="dealer.name", read_only=True, allow_null=True)
    available_actions = serializers.SerializerMethodField()

    class Meta:
        model = FeeSchedule
        fields = [
            "id",
            "code",
            "name",
            "effective_from",
            "effective_until",
            "is_active",
            "status",
            "notes",
            "standard_count",
            "dealer",
            "dealer_name",
            "approval_state",
            "approval_note",
            "decided_at",
            "available_actions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_available_actions(self, schedule: FeeSchedule) -> list[str]:
        """R30: the decisions this user may take now (HQ on a dealer's standard awaiting approval)."""
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or not may_decide_fee_schedule(user):
            return []
        return [t.name for t in FEE_SCHEDULE.available(schedule, user)]


class FeeScheduleDetailSerializer(FeeScheduleSerializer):
    standards = serializers.SerializerMethodField()

    class Meta(FeeScheduleSerializer.Meta):
        fields = [*FeeScheduleSerializer.Meta.fields, "standards"]
        read_only_fields = fields

    @extend_schema_field(FeeStandardSerializer(many=True))
    def get_standards(self, schedule: FeeSchedule) -> list[dict]:
        return FeeStandardSerializer(fee_standards(schedule), many=True).data


class FeeStandardInput(RejectUnknownFieldsMixin, serializers.Serializer):
    """One fee of a dealer's standard (R30), as in HQ's editions."""

    kind = serializers.ChoiceField(choices=[(k.value, k.label) for k in FEE_STANDARD_KINDS])
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, help_text=_("CNY"))
    unit = serializers.ChoiceField(choices=FeeUnit.choices, default=FeeUnit.PER_TIME)
    product_line = serializers.PrimaryKeyRelatedField(
        queryset=ProductLine.objects.all(), required=False, allow_null=True, default=None
    )
    province = serializers.CharField(required=False, allow_blank=True, default="", max_length=32)
    distance_from_km = serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=0, required=False, allow_null=True, default=None
    )
    distance_to_km = serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=0, required=False, allow_null=True, default=None
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


class FeeScheduleSubmitInput(RejectUnknownFieldsMixin, serializers.Serializer):
    """R30: a dealer's local fee standard submitted to HQ (for the caller's own dealer); it is used
    by pricing only once HQ approved it."""

    code = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=64)
    effective_from = serializers.DateField()
    effective_until = serializers.DateField(required=False, allow_null=True, default=None)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    standards = FeeStandardInput(many=True, allow_empty=False)


def _decide(schedule, transition, actor, version, inputs):
    if transition.name == "approve":
        return fee_schedule_approve(schedule_id=schedule.pk, actor=actor, reason=inputs.get("reason", ""))
    return fee_schedule_reject(schedule_id=schedule.pk, actor=actor, reason=inputs.get("reason", ""))


@extend_schema_view(
    list=extend_schema(responses={200: FeeScheduleSerializer(many=True), **problem_responses(400, 401, 403)}),
    retrieve=extend_schema(responses={200: FeeScheduleDetailSerializer, **problem_responses(401, 403, 404)}),
)
@transition_actions(
    FEE_SCHEDULE,
    fields={"reason": lambda: serializers.CharField(required=False, allow_blank=True, max_length=255)},
    prefix="FeeSchedule",
    run={"approve": _decide, "reject": _decide},
)
class FeeScheduleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Editions of the fee standards (收费标准, R9, R10); the detail embeds its standards. A dealer
    submits its local standard (`POST`), HQ approves or rejects it (R30)."""

    queryset = FeeSchedule.objects.none()
    serializer_class = FeeScheduleSerializer
    permission_classes = [PriceReadPermission]
    filter_backends = [ListFilterBackend]
    filterset_class = FeeScheduleFilterSet
    export = export_action(FeeScheduleListView, summary=_("Export the fee schedules to Excel"))

    def get_queryset(self):
        return fee_schedule_list(self.request.user)

    def get_serializer_class(self):
        return FeeScheduleDetailSerializer if self.action == "retrieve" else FeeScheduleSerializer

    def _schedule(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        schedule = fee_schedule_list(self.request.user).get(pk=pk)
        return Response(
            FeeScheduleDetailSerializer(schedule, context=self.get_serializer_context()).data, status=code
        )

    def transition_response(self, result: FeeSchedule) -> Response:
        return self._schedule(result.pk)

    @extend_schema(
        summary=_("Submit the dealer's local fee standard to HQ"),
        request=FeeScheduleSubmitInput,
        responses={201: FeeScheduleDetailSerializer, **problem_responses(400, 401, 403)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = FeeScheduleSubmitInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        standards = []
        for row in values.pop("standards"):
            row = dict(row)
            line = row.pop("product_line")
            standards.append({**row, "product_line_id": line.pk if line is not None else None})
        schedule = fee_schedule_submit(
            dealer_id=request.user.dealer_id, actor=request.user, standards=standards, **values
        )
        return self._schedule(schedule.pk, status.HTTP_201_CREATED)


class PartPriceQuerySerializer(serializers.Serializer):
    part = ScopedPrimaryKeyRelatedField(
        scope=part_scope, queryset=Part.objects.all(), help_text=_("Part id.")
    )
    day = serializers.DateField(required=False, help_text=_("The day priced; today when omitted."))
    province = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("Its regional list beats the national one.")
    )


class PartPriceSerializer(serializers.Serializer):
    part = serializers.IntegerField()
    day = serializers.DateField()
    province = serializers.CharField()
    retail = serializers.DecimalField(help_text=_("What the customer pays (R9)."), **AMOUNT)
    cost = serializers.DecimalField(help_text=_("What HQ charges dealers (R30)."), **AMOUNT)
    price_list = serializers.IntegerField(help_text=_("The price list it comes from."))
    label = serializers.CharField(help_text=_("The list's name and version, e.g. “2026 零售价目表 v2”."))


class FeeQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[(k.value, k.label) for k in FEE_STANDARD_KINDS])
    day = serializers.DateField(required=False, help_text=_("The day charged; today when omitted."))
    product_line = serializers.PrimaryKeyRelatedField(
        queryset=ProductLine.objects.all(), required=False, allow_null=True, default=None
    )
    province = serializers.CharField(required=False, allow_blank=True, default="")
    distance_km = serializers.DecimalField(
        max_digits=8,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("For visit and travel fees banded by distance."),
    )
    schedule = ScopedPrimaryKeyRelatedField(
        scope=fee_schedule_scope,
        queryset=FeeSchedule.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("A given edition (a warranty card's, R10) instead of the one in effect."),
    )


class FeeSerializer(serializers.Serializer):
    kind = serializers.CharField()
    day = serializers.DateField()
    amount = serializers.DecimalField(**AMOUNT)
    unit = serializers.CharField(help_text=_("per_time, per_hour or per_km."))
    schedule = serializers.IntegerField(help_text=_("The fee schedule (edition) it comes from."))
    standard = serializers.IntegerField(help_text=_("The fee standard it comes from."))
    label = serializers.CharField(help_text=_("E.g. “2025版收费标准 · 上门费 0–20 km”."))


class PriceViewSet(viewsets.ViewSet):
    """What a part or a fee costs on a day (catalog.pricing): the reads a quote is built from."""

    permission_classes = [PriceReadPermission]

    @extend_schema(
        summary=_("Price of a part on a day"),
        parameters=[PartPriceQuerySerializer],
        responses={200: PartPriceSerializer, **problem_responses(400, 401, 403, 404)},
        description=_(
            "From the active price list in effect on `day`: a regional list for `province` beats the "
            "national one, then the highest version. 404 `no_part_price` when no list prices the part."
        ),
    )
    @action(detail=False, methods=["get"])
    def part(self, request: Request) -> Response:
        query = PartPriceQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        data = query.validated_data
        day = data.get("day") or timezone.localdate()
        price = part_price(data["part"].pk, day=day, province=data["province"])
        if price is None:
            raise exceptions.NotFound(
                _("No price list in effect on that day prices this part."), code="no_part_price"
            )
        return Response(
            PartPriceSerializer(
                {
                    "part": data["part"].pk,
                    "day": day,
                    "province": data["province"],
                    "retail": price.retail,
                    "cost": price.cost,
                    "price_list": price.price_list_id,
                    "label": price.label,
                }
            ).data
        )

    @extend_schema(
        summary=_("A fee on a day"),
        parameters=[FeeQuerySerializer],
        responses={200: FeeSerializer, **problem_responses(400, 401, 403, 404)},
        description=_(
            "The most specific standard of the edition in effect on `day` (or of `schedule`): a "
            "product line's over every line's, a province's over the national one, then the distance "
            "band [from, to) holding `distance_km`. 404 `no_fee_standard` when none matches."
        ),
    )
    @action(detail=False, methods=["get"])
    def fee(self, request: Request) -> Response:
        query = FeeQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        data = query.validated_data
        day = data.get("day") or timezone.localdate()
        line, schedule = data["product_line"], data["schedule"]
        fee = fee_for(
            data["kind"],
            day=day,
            product_line_id=line.pk if line is not None else None,
            province=data["province"],
            distance_km=data["distance_km"],
            schedule_id=schedule.pk if schedule is not None else None,
        )
        if fee is None:
            raise exceptions.NotFound(
                _("No fee standard in effect on that day matches."), code="no_fee_standard"
            )
        return Response(
            FeeSerializer(
                {
                    "kind": data["kind"],
                    "day": day,
                    "amount": fee.amount,
                    "unit": fee.unit,
                    "schedule": fee.schedule_id,
                    "standard": fee.standard_id,
                    "label": fee.label,
                }
            ).data
        )


def register(router) -> None:
    """Add this app's viewsets to the project's router."""
    router.register(r"product-lines", ProductLineViewSet, basename="productline")
    router.register(r"product-models", ProductModelViewSet, basename="productmodel")
    router.register(r"parts", PartViewSet, basename="part")
    router.register(r"price-lists", PriceListViewSet, basename="pricelist")
    router.register(r"fee-schedules", FeeScheduleViewSet, basename="feeschedule")
    router.register(r"prices", PriceViewSet, basename="price")
