"""REST API of installed devices, scoped through their customer (R37).

Creation goes through `services.device_create` (serial upper-cased, unique per model). There is
no `device_update` service yet; edits here validate the model the same way and should move to
services.py when it exists.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from aftersales.accounts.choices import FRONT_LINE_ROLES, REFERENCE_ADMIN_ROLES
from aftersales.catalog.models import ProductModel
from aftersales.core.api import (
    IdNameSerializer,
    RoleWritePermission,
    ScopedPrimaryKeyRelatedField,
    problem_responses,
)
from aftersales.customers.models import Customer
from aftersales.customers.selectors import customer_scope

from . import services
from .filtersets import DeviceFilterSet
from .models import Device
from .selectors import device_scope


class DeviceSerializer(serializers.ModelSerializer):
    product_model = IdNameSerializer(read_only=True)
    customer = IdNameSerializer(read_only=True)

    class Meta:
        model = Device
        fields = [
            "id",
            "serial_number",
            "product_model",
            "customer",
            "purchase_date",
            "install_address",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class DeviceWriteSerializer(serializers.Serializer):
    """A device on file; the customer must be one the user may see (R37)."""

    product_model = serializers.PrimaryKeyRelatedField(queryset=ProductModel.objects.all())
    serial_number = serializers.CharField(max_length=64)
    customer = ScopedPrimaryKeyRelatedField(scope=customer_scope, queryset=Customer.objects.all())
    purchase_date = serializers.DateField(required=False, allow_null=True, default=None)
    install_address = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class DeviceUpdateSerializer(serializers.Serializer):
    """Editable fields of a device (PATCH/PUT); model and serial stay as registered."""

    customer = ScopedPrimaryKeyRelatedField(scope=customer_scope, queryset=Customer.objects.all())
    purchase_date = serializers.DateField(allow_null=True)
    install_address = serializers.CharField(max_length=255, allow_blank=True)
    notes = serializers.CharField(allow_blank=True)


def _on_serial_number(error: ValidationError) -> ValidationError:
    """The model's "serial unique per model" constraint reads as an error of `serial_number`."""
    errors = getattr(error, "error_dict", {})
    duplicates = [e for e in errors.get(NON_FIELD_ERRORS, []) if e.code in ("unique", "unique_together")]
    if not duplicates:
        return error
    rest = {name: items for name, items in errors.items() if name != NON_FIELD_ERRORS}
    others = [e for e in errors[NON_FIELD_ERRORS] if e not in duplicates]
    message = ValidationError(
        _("A device of this model with this serial number is already on file."), code="unique"
    )
    return ValidationError(
        {**rest, **({NON_FIELD_ERRORS: others} if others else {}), "serial_number": [message]}
    )


_ERRORS = problem_responses(400, 403, 404)


@extend_schema_view(
    list=extend_schema(responses={200: DeviceSerializer(many=True), **problem_responses(400)}),
    retrieve=extend_schema(responses={200: DeviceSerializer, **problem_responses(404)}),
    create=extend_schema(request=DeviceWriteSerializer, responses={201: DeviceSerializer, **_ERRORS}),
    update=extend_schema(request=DeviceUpdateSerializer, responses={200: DeviceSerializer, **_ERRORS}),
    partial_update=extend_schema(
        request=DeviceUpdateSerializer, responses={200: DeviceSerializer, **_ERRORS}
    ),
    destroy=extend_schema(responses={204: None, **problem_responses(403, 404, 409)}),
)
class DeviceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Installed devices in the user's scope; ?serial= and ?customer= filter."""

    queryset = Device.objects.none()  # for the schema; get_queryset scopes per user
    serializer_class = DeviceSerializer
    permission_classes = [RoleWritePermission]
    filter_backends = [DjangoFilterBackend]
    filterset_class = DeviceFilterSet

    @property
    def write_roles(self) -> frozenset[str]:
        return REFERENCE_ADMIN_ROLES if self.action == "destroy" else FRONT_LINE_ROLES

    def get_queryset(self):
        return device_scope(self.request.user).select_related("product_model", "customer")

    def _output(self, device: Device, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(DeviceSerializer(device, context=self.get_serializer_context()).data, status_code)

    def create(self, request: Request) -> Response:
        serializer = DeviceWriteSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        try:
            device = services.device_create(actor=request.user, **serializer.validated_data)
        except ValidationError as error:
            raise _on_serial_number(error) from error
        return self._output(device, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partial = kwargs.pop("partial", False)
        device = self.get_object()
        serializer = DeviceUpdateSerializer(
            data=request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        device = services.device_update(device=device, actor=request.user, **serializer.validated_data)
        return self._output(device)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)


def register(router) -> None:
    """Add this app's viewsets to the project's router."""
    router.register(r"devices", DeviceViewSet, basename="device")
