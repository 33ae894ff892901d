"""REST API of the product catalog: product lines and models, and the parts catalog (read-only).

Lines and models are readable by every staff user (intake needs them); written only by HQ admins
and supervisors. Parts are read by the roles that quote, fit or order them (`selectors`), retired
parts by the catalog's keepers only; they are kept through the admin and the Excel import.
Catalog rows carry no rule beyond model validation, so the writes here are `full_clean()` + save
(ReferenceDataWriteMixin); move them to catalog/services.py once the catalog gains rules.
"""

from __future__ import annotations

import django_filters
from django.db import transaction
from django.db.models import Model, Q
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets

from aftersales.accounts.choices import REFERENCE_ADMIN_ROLES
from aftersales.core.api import RoleWritePermission, problem_responses

from .choices import ModelKind
from .filtersets import PartFilterSet
from .models import Part, ProductLine, ProductModel
from .selectors import can_read_parts, part_links, part_scope


class ProductLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProductLine
        fields = ["id", "code", "name", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class ProductModelSerializer(serializers.ModelSerializer):
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


class ReferenceDataWriteMixin:
    """Create/update/delete of plain reference data: model validation, then save, never from
    the serializer itself (ARCHITECTURE.md §9)."""

    @transaction.atomic
    def perform_create(self, serializer: serializers.ModelSerializer) -> None:
        instance = serializer.Meta.model(**serializer.validated_data)
        instance.full_clean()
        instance.save()
        serializer.instance = instance

    @transaction.atomic
    def perform_update(self, serializer: serializers.ModelSerializer) -> None:
        instance: Model = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(instance, name, value)
        instance.full_clean()
        instance.save()

    @transaction.atomic
    def perform_destroy(self, instance: Model) -> None:
        instance.delete()  # ProtectedError (still referenced) → 409 "protected"


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
    filter_backends = [DjangoFilterBackend]
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
    filter_backends = [DjangoFilterBackend]
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
    filter_backends = [DjangoFilterBackend]
    filterset_class = PartFilterSet

    def get_queryset(self):
        return part_scope(self.request.user).prefetch_related("fits").order_by("number", "pk")

    def get_serializer_class(self):
        return CatalogPartDetailSerializer if self.action == "retrieve" else CatalogPartSerializer


def register(router) -> None:
    """Add this app's viewsets to the project's router."""
    router.register(r"product-lines", ProductLineViewSet, basename="productline")
    router.register(r"product-models", ProductModelViewSet, basename="productmodel")
    router.register(r"parts", PartViewSet, basename="part")
