"""REST API of the organisation (R37, R38): `/api/dealers/`, `/api/service-points/`,
`/api/engineers/` with their qualifications under `/api/engineers/<id>/qualifications/`.

Reads: every staff user, scoped (R37): company-wide roles see everything, dealer staff their
dealer, its points and engineers, an engineer their point and its engineers; another dealer's id
is 404. Writes: HQ admins and supervisors (REFERENCE_ADMIN_ROLES), through `services_org`, which
validates, keeps the history (R41) and so makes dispatch's routing caches reload. Deleting a row
still referred to is 409 `protected`: deactivate it instead (`is_active: false`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model, Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from phonenumbers import NumberParseException
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from aftersales.core.api import (
    ReferenceDataWriteMixin,
    RejectUnknownFieldsMixin,
    RoleWritePermission,
    ScopedPrimaryKeyRelatedField,
    problem_responses,
)
from aftersales.core.api_filters import ListFilterBackend
from aftersales.core.idempotency import idempotent
from aftersales.core.phones import phone_display

from . import services_org as services
from .choices import REFERENCE_ADMIN_ROLES
from .filtersets import DealerFilterSet, EngineerFilterSet, ServicePointFilterSet
from .models import Dealer, Engineer, Qualification, ServicePoint, User
from .selectors import dealer_list, engineer_list, service_point_list


class PhoneField(serializers.CharField):
    """A company or staff phone (not a customer's: never masked): written in any usual form and
    stored in E.164 by the services, read as national digits (13812341234, 02161234567)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)

    def to_representation(self, value: str) -> str:
        try:
            return phone_display(value)
        except NumberParseException:  # a number kept before it was validated reads as it was
            return value


# --- serializers ---------------------------------------------------------------------------------


class DealerSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    """A dealer (R37): a partner company running service points; `is_active` false retires it."""

    phone = PhoneField()

    class Meta:
        model = Dealer
        fields = ["id", "code", "name", "contact_name", "phone", "is_active", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class ServicePointSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    """A service point (R5): HQ's or a dealer's, its region, position and the product lines it
    serves; the areas it covers are /api/service-areas/."""

    dealer = ScopedPrimaryKeyRelatedField(
        queryset=Dealer.objects.all(),
        scope=dealer_list,
        required=False,
        allow_null=True,
        help_text=_("Empty (null) for a point run by HQ; a dealer newly chosen must be active."),
    )
    dealer_name = serializers.CharField(source="dealer.name", read_only=True, default="")
    region = serializers.CharField(read_only=True, help_text=_("Province, city and district."))
    phone = PhoneField()
    product_line_names = serializers.SerializerMethodField()

    class Meta:
        model = ServicePoint
        fields = [
            "id",
            "code",
            "name",
            "dealer",
            "dealer_name",
            "province",
            "city",
            "district",
            "region",
            "address",
            "latitude",
            "longitude",
            "phone",
            "product_lines",
            "product_line_names",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {
            "province": {"help_text": _("A province of China, e.g. 上海市 (R5 routes by region).")},
            "city": {"help_text": _("A city of the province, e.g. 上海市.")},
            "district": {"help_text": _("A district of the city; empty: the whole city.")},
            "latitude": {"help_text": _("WGS-84, -90 to 90; given with the longitude or not at all.")},
            "longitude": {"help_text": _("WGS-84, -180 to 180; given with the latitude or not at all.")},
            "product_lines": {
                "help_text": _("Ids of the product lines served; empty: every line (R5)."),
                "required": False,
            },
        }

    def get_product_line_names(self, point: ServicePoint) -> list[str]:
        return [line.name for line in point.product_lines.all()]


class QualificationSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    """An engineer's qualification for a product line (R38): valid from `certified_on` to
    `expires_on`, both included; only a qualified engineer is assigned work on the line."""

    product_line_name = serializers.CharField(source="product_line.name", read_only=True)
    is_valid = serializers.SerializerMethodField(help_text=_("Valid today (R38)."))

    class Meta:
        model = Qualification
        fields = [
            "id",
            "engineer",
            "product_line",
            "product_line_name",
            "certified_on",
            "expires_on",
            "is_valid",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "engineer", "created_at", "updated_at"]
        extra_kwargs = {"expires_on": {"help_text": _("The last day it is valid; not before certified_on.")}}

    def get_is_valid(self, qualification: Qualification) -> bool:
        return qualification.is_valid_on(timezone.localdate())


class EngineerSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    """An engineer (R38): a user account with the engineer role working at a service point, with
    their qualifications (read here, written under /api/engineers/{id}/qualifications/)."""

    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(),
        help_text=_(
            "The engineer's user account: active, with the engineer role, not already an engineer. "
            "Set when the engineer is made; it never changes."
        ),
    )
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.CharField(source="user.display_name", read_only=True)
    phone = serializers.CharField(source="phone_display", read_only=True)
    service_point = ScopedPrimaryKeyRelatedField(
        queryset=ServicePoint.objects.all(),
        scope=service_point_list,
        help_text=_("A service point newly chosen must be active."),
    )
    service_point_name = serializers.CharField(source="service_point.name", read_only=True)
    dealer = serializers.IntegerField(
        source="service_point.dealer_id",
        read_only=True,
        allow_null=True,
        help_text=_("The dealer of the service point; null for HQ's own."),
    )
    qualifications = QualificationSerializer(
        many=True,
        read_only=True,
        help_text=_("Per product line (R38); written under /api/engineers/{id}/qualifications/."),
    )

    class Meta:
        model = Engineer
        fields = [
            "id",
            "user",
            "username",
            "name",
            "phone",
            "service_point",
            "service_point_name",
            "dealer",
            "employee_no",
            "is_active",
            "qualifications",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]


# --- viewsets ------------------------------------------------------------------------------------

WRITE_ERRORS = problem_responses(400, 401, 403, 404)


def crud_schema(
    serializer: type[serializers.Serializer], *, delete: Any, read_roles: bool = False, protected: bool = True
) -> Any:
    """The OpenAPI description of a scoped CRUD viewset of the organisation: its responses, with
    the problems each may answer (`delete` says what deleting does; `read_roles`: only some roles
    read it, the others get 403; `protected`: a row still referred to is not deleted, 409)."""
    forbidden = (403,) if read_roles else ()
    conflict = (409,) if protected else ()
    return extend_schema_view(
        list=extend_schema(responses={200: serializer(many=True), **problem_responses(400, 401, *forbidden)}),
        retrieve=extend_schema(responses={200: serializer, **problem_responses(401, *forbidden, 404)}),
        create=extend_schema(responses={201: serializer, **problem_responses(400, 401, 403)}),
        update=extend_schema(responses={200: serializer, **WRITE_ERRORS}),
        partial_update=extend_schema(responses={200: serializer, **WRITE_ERRORS}),
        destroy=extend_schema(
            description=delete, responses={204: None, **problem_responses(401, 403, 404, *conflict)}
        ),
    )


class OrgViewSet(ReferenceDataWriteMixin, viewsets.ModelViewSet):
    """A scoped list of the organisation, written by the catalog's keepers through the services
    the subclass names: `create_service(actor=, **fields)`, `update_service(<row_argument>=,
    actor=, **fields)` and `delete_service(<row_argument>=, actor=)`. What a write returns is read
    again like a read."""

    permission_classes = [RoleWritePermission]
    write_roles = REFERENCE_ADMIN_ROLES
    filter_backends = [ListFilterBackend]
    row_argument: str
    create_service: Callable[..., Model]
    update_service: Callable[..., Model]
    delete_service: Callable[..., None]

    def fresh(self, instance: Model) -> Model:
        return self.get_queryset().get(pk=instance.pk)

    def record_create(self, model: type[Model], data: dict) -> Model:
        return self.fresh(self.create_service(actor=self.request.user, **data))

    def record_update(self, instance: Model, data: dict) -> Model:
        row = {self.row_argument: instance}
        return self.fresh(self.update_service(**row, actor=self.request.user, **data))

    def record_delete(self, instance: Model) -> None:
        self.delete_service(**{self.row_argument: instance}, actor=self.request.user)


@crud_schema(
    DealerSerializer,
    delete=_("Only a dealer nothing refers to; else 409 `protected`: deactivate it instead."),
)
class DealerViewSet(OrgViewSet):
    """Dealers (R37): `q` searches code, name, contact and phone; `is_active` filters."""

    queryset = Dealer.objects.none()  # for the schema; get_queryset scopes per user
    serializer_class = DealerSerializer
    filterset_class = DealerFilterSet

    def get_queryset(self):
        return dealer_list(self.request.user)

    row_argument = "dealer"
    create_service = staticmethod(services.dealer_create)
    update_service = staticmethod(services.dealer_update)
    delete_service = staticmethod(services.dealer_delete)


@crud_schema(
    ServicePointSerializer,
    delete=_(
        "Only a point nothing refers to (its areas and working calendar go with it); else 409 "
        "`protected`: deactivate it instead."
    ),
)
class ServicePointViewSet(OrgViewSet):
    """Service points (R5, R37): `q` searches code, name, city, district, address and phone;
    `dealer`, `hq`, `product_line` (points serving every line included), `province` and
    `is_active` filter. The areas a point covers are `/api/service-areas/`."""

    queryset = ServicePoint.objects.none()
    serializer_class = ServicePointSerializer
    filterset_class = ServicePointFilterSet

    def get_queryset(self):
        points = service_point_list(self.request.user)
        return points.select_related("dealer").prefetch_related("product_lines")

    row_argument = "point"
    create_service = staticmethod(services.service_point_create)
    update_service = staticmethod(services.service_point_update)
    delete_service = staticmethod(services.service_point_delete)


QUALIFICATION_ID = OpenApiParameter(
    "qualification_id", int, OpenApiParameter.PATH, description=_("The qualification's id.")
)


@crud_schema(
    EngineerSerializer,
    delete=_(
        "Only an engineer without work orders, appointments, visits or a van (their qualifications "
        "and leave go with them); else 409 `protected`: deactivate them instead."
    ),
)
class EngineerViewSet(OrgViewSet):
    """Engineers (R37, R38) with their qualifications: `q` searches name, user name, employee
    number and phone; `dealer`, `service_point`, `product_line` and `qualified_on` (a qualification
    valid that day, for that line when both are given) and `is_active` filter."""

    queryset = Engineer.objects.none()
    serializer_class = EngineerSerializer
    filterset_class = EngineerFilterSet

    def get_queryset(self):
        held = Qualification.objects.select_related("product_line").order_by("product_line__code", "pk")
        return (
            engineer_list(self.request.user)
            .select_related("user", "service_point")
            .prefetch_related(Prefetch("qualifications", queryset=held))
            .order_by("employee_no", "pk")
        )

    row_argument = "engineer"
    create_service = staticmethod(services.engineer_create)
    update_service = staticmethod(services.engineer_update)
    delete_service = staticmethod(services.engineer_delete)

    # --- qualifications (R38) ----------------------------------------------------------------

    def _qualification_output(self, qualification: Qualification, code: int = status.HTTP_200_OK) -> Response:
        fresh = Qualification.objects.select_related("product_line").get(pk=qualification.pk)
        return Response(QualificationSerializer(fresh, context=self.get_serializer_context()).data, code)

    @extend_schema(
        methods=["GET"],
        summary=_("Qualifications of an engineer (R38)"),
        description=_("Every product line the engineer is qualified for, valid or not; not paginated."),
        responses={200: QualificationSerializer(many=True), **problem_responses(401, 404)},
    )
    @extend_schema(
        methods=["POST"],
        summary=_("Qualify an engineer for a product line (R38; HQ admins, supervisors)"),
        description=_(
            "One qualification per product line: 400 `unique` on `product_line` when the engineer "
            "has one (renew it with PATCH), 400 `date_order` on `expires_on` before `certified_on`."
        ),
        request=QualificationSerializer,
        responses={201: QualificationSerializer, **problem_responses(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    @idempotent
    def qualifications(self, request: Request, pk: str | None = None) -> Response:
        engineer = self.get_object()
        if request.method == "GET":
            rows = engineer.qualifications.all()  # prefetched, in product line order
            context = self.get_serializer_context()
            return Response(QualificationSerializer(rows, many=True, context=context).data)
        data = QualificationSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        qualification = services.qualification_create(
            engineer=engineer, actor=request.user, **data.validated_data
        )
        return self._qualification_output(qualification, status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary=_("One qualification of an engineer"),
        parameters=[QUALIFICATION_ID],
        responses={200: QualificationSerializer, **problem_responses(401, 404)},
    )
    @extend_schema(
        methods=["PUT", "PATCH"],
        summary=_("Renew or change a qualification (R38; HQ admins, supervisors)"),
        parameters=[QUALIFICATION_ID],
        request=QualificationSerializer,
        responses={200: QualificationSerializer, **problem_responses(400, 401, 403, 404)},
    )
    @extend_schema(
        methods=["DELETE"],
        summary=_("Withdraw a qualification (R38; HQ admins, supervisors)"),
        description=_("The engineer may no longer be assigned work on the line; the history keeps it."),
        parameters=[QUALIFICATION_ID],
        responses={204: None, **problem_responses(401, 403, 404)},
    )
    @action(
        detail=True,
        methods=["get", "put", "patch", "delete"],
        url_path=r"qualifications/(?P<qualification_id>[0-9]+)",
        url_name="qualification",
        filter_backends=[],
        pagination_class=None,
    )
    def qualification(self, request: Request, pk: str | None = None, qualification_id: str = "") -> Response:
        engineer = self.get_object()
        qualification = get_object_or_404(engineer.qualifications.all(), pk=qualification_id)
        if request.method == "GET":
            return self._qualification_output(qualification)
        if request.method == "DELETE":
            services.qualification_delete(qualification=qualification, actor=request.user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        data = QualificationSerializer(
            qualification,
            data=request.data,
            partial=request.method == "PATCH",
            context=self.get_serializer_context(),
        )
        data.is_valid(raise_exception=True)
        qualification = services.qualification_update(
            qualification=qualification, actor=request.user, **data.validated_data
        )
        return self._qualification_output(qualification)


def register(router) -> None:
    """Add the organisation's viewsets to the project's router (called by accounts.api.register)."""
    router.register("dealers", DealerViewSet, basename="dealer")
    router.register("service-points", ServicePointViewSet, basename="service-point")
    router.register("engineers", EngineerViewSet, basename="engineer")
