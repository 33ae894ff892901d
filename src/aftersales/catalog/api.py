"""REST API of the product catalog: product lines and models.

Readable by every staff user (intake needs them); written only by HQ admins and supervisors.
Catalog rows carry no rule beyond model validation, so the writes here are `full_clean()` + save
(ReferenceDataWriteMixin); move them to catalog/services.py once the catalog gains rules.
"""

from __future__ import annotations

import django_filters
from django.db import transaction
from django.db.models import Model, Q
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from aftersales.accounts.choices import REFERENCE_ADMIN_ROLES
from aftersales.core.api import RoleWritePermission, problem_responses

from .choices import ModelKind
from .models import ProductLine, ProductModel


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


def register(router) -> None:
    """Add this app's viewsets to the project's router."""
    router.register(r"product-lines", ProductLineViewSet, basename="productline")
    router.register(r"product-models", ProductModelViewSet, basename="productmodel")
