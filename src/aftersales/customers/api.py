"""REST API of customers: scoped to the user (R37), phones masked by role (R41).

Creation goes through `services.customer_create` (phone validated and normalised to E.164).
There is no `customer_update` service yet; edits here normalise the phone the same way and
validate the model, and should move to services.py when that service exists.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from aftersales.accounts.choices import FRONT_LINE_ROLES, REFERENCE_ADMIN_ROLES
from aftersales.accounts.models import Dealer
from aftersales.core.api import (
    PersonalAddressField,
    PersonalPhoneField,
    RejectUnknownFieldsMixin,
    RoleWritePermission,
    export_action,
    problem_responses,
    request_user,
)
from aftersales.core.api_filters import ListFilterBackend
from aftersales.core.idempotency import idempotent
from aftersales.core.import_api import import_action, import_template_action
from aftersales.core.panels import last_contact, object_facts
from aftersales.core.panels_api import FactSerializer
from aftersales.core.privacy import personal_data_viewed

from . import services
from .choices import CustomerKind
from .filtersets import CustomerFilterSet
from .importing import (
    CUSTOMER_COLUMNS_HELP,
    IMPORT_ROLES_TEXT,
    can_import,
    customer_template,
    customers_import,
)
from .models import Address, Contact, Customer
from .privacy import customer_in_full
from .selectors import customer_scope
from .views import CustomerExportView


class ContactSerializer(serializers.ModelSerializer):
    phone = PersonalPhoneField(attribute="phone", in_full=customer_in_full)

    class Meta:
        model = Contact
        fields = ["id", "name", "phone", "email", "title", "is_primary"]
        read_only_fields = fields


class CustomerSerializer(serializers.ModelSerializer):
    """A customer as readers get it: phones and the street masked (revealed one at a time through
    /api/privacy/reveal/, R41)."""

    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    phone = PersonalPhoneField(attribute="phone", in_full=customer_in_full)
    address = PersonalAddressField(attribute="address", in_full=customer_in_full)
    contacts = ContactSerializer(many=True, read_only=True)

    class Meta:
        model = Customer
        fields = [
            "id",
            "code",
            "kind",
            "kind_display",
            "name",
            "phone",
            "email",
            "province",
            "city",
            "district",
            "address",
            "notes",
            "dealer",
            "contacts",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CustomerWriteSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    """Input of a new customer; shapes only, the service validates and normalises."""

    name = serializers.CharField(max_length=128)
    phone = serializers.CharField(max_length=32, help_text=_("Mobile or landline, region CN."))
    kind = serializers.ChoiceField(choices=CustomerKind.choices, default=CustomerKind.COMPANY)
    code = serializers.CharField(
        max_length=32, required=False, allow_blank=True, default="", help_text=_("Generated when empty.")
    )
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    province = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    city = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    district = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    contact_name = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default="", help_text=_("First contact person.")
    )
    dealer = serializers.PrimaryKeyRelatedField(
        queryset=Dealer.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Company-wide roles only; dealer staff always file customers under their dealer."),
    )

    def validate_dealer(self, dealer: Dealer | None) -> Dealer | None:
        user = request_user(self.context)
        scoped = user is not None and not user.sees_whole_company
        if dealer is not None and scoped and dealer.pk != _own_dealer_id(user):
            raise serializers.ValidationError(_("You can only file customers under your own dealer."))
        return dealer


class CustomerUpdateSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    """Editable fields of a customer (PATCH/PUT)."""

    name = serializers.CharField(max_length=128)
    phone = serializers.CharField(max_length=32)
    kind = serializers.ChoiceField(choices=CustomerKind.choices)
    email = serializers.EmailField(allow_blank=True)
    province = serializers.CharField(max_length=32, allow_blank=True)
    city = serializers.CharField(max_length=32, allow_blank=True)
    district = serializers.CharField(max_length=32, allow_blank=True)
    address = serializers.CharField(max_length=255, allow_blank=True)
    notes = serializers.CharField(allow_blank=True)


class AddressSerializer(serializers.ModelSerializer):
    class Meta:
        model = Address
        fields = ["id", "label", "province", "city", "district", "detail", "is_default"]
        read_only_fields = fields


class CustomerSummarySerializer(serializers.Serializer):
    """Customer 360: the customer with contacts and addresses, the counts the apps above give
    (work orders, open ones, devices, visits, complaints, return visits, average score; each
    scoped to the user), the last contact time, and where the lists are (paginated)."""

    customer = CustomerSerializer()
    addresses = AddressSerializer(many=True)
    facts = FactSerializer(many=True)
    last_contact_at = serializers.DateTimeField(allow_null=True)
    lists = serializers.DictField(
        child=serializers.CharField(),
        help_text="The paginated API lists of the customer's records, by name (work_orders, devices).",
    )


def _own_dealer_id(user) -> int | None:
    engineer = getattr(user, "engineer", None)
    return engineer.service_point.dealer_id if engineer is not None else user.dealer_id


_ERRORS = problem_responses(400, 403, 404)


@extend_schema_view(
    list=extend_schema(responses={200: CustomerSerializer(many=True), **problem_responses(400)}),
    retrieve=extend_schema(responses={200: CustomerSerializer, **problem_responses(404)}),
    create=extend_schema(request=CustomerWriteSerializer, responses={201: CustomerSerializer, **_ERRORS}),
    update=extend_schema(request=CustomerUpdateSerializer, responses={200: CustomerSerializer, **_ERRORS}),
    partial_update=extend_schema(
        request=CustomerUpdateSerializer, responses={200: CustomerSerializer, **_ERRORS}
    ),
    destroy=extend_schema(responses={204: None, **problem_responses(403, 404, 409)}),
)
class CustomerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Customers in the user's scope; ?q= searches name, code and phone digits."""

    queryset = Customer.objects.none()  # for the schema; get_queryset scopes per user
    serializer_class = CustomerSerializer
    permission_classes = [RoleWritePermission]
    filter_backends = [ListFilterBackend]
    filterset_class = CustomerFilterSet
    export = export_action(CustomerExportView, summary=_("Export the customers to Excel"))
    import_file = import_action(
        run=customers_import,
        allowed=can_import,
        summary=_("Import customers from Excel"),
        columns=CUSTOMER_COLUMNS_HELP,
        roles=IMPORT_ROLES_TEXT,
    )
    import_template = import_template_action(
        content=customer_template,
        filename="customers-template.xlsx",
        allowed=can_import,
        summary=_("The empty workbook of the customers' import"),
        roles=IMPORT_ROLES_TEXT,
    )

    @property
    def write_roles(self) -> frozenset[str]:
        return REFERENCE_ADMIN_ROLES if self.action == "destroy" else FRONT_LINE_ROLES

    def get_queryset(self):
        return customer_scope(self.request.user).prefetch_related("contacts")

    def _output(self, customer: Customer, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(CustomerSerializer(customer, context=self.get_serializer_context()).data, status_code)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Viewing one customer's personal data is logged (R41)."""
        customer = self.get_object()
        personal_data_viewed(request, resource="customer", object_id=customer.pk, detail=customer.code)
        return self._output(customer)

    @idempotent
    def create(self, request: Request) -> Response:
        serializer = CustomerWriteSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if not request.user.sees_whole_company and data.get("dealer") is None:
            data["dealer"] = Dealer.objects.filter(pk=_own_dealer_id(request.user)).first()
        customer = services.customer_create(actor=request.user, **data)
        return self._output(customer, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partial = kwargs.pop("partial", False)
        customer = self.get_object()
        serializer = CustomerUpdateSerializer(
            data=request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        customer = services.customer_update(
            customer=customer, actor=request.user, **serializer.validated_data
        )
        return self._output(customer)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(
        summary=_("Customer 360: the customer, the counts of their records and the last contact"),
        description="The counts come from the apps that keep the records, each scoped to the user "
        "like its own list (R37): dealer staff count only their points' work orders. The records "
        "themselves are read from the paginated lists named in `lists`.",
        responses={200: CustomerSummarySerializer, **problem_responses(404)},
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def summary(self, request: Request, pk: str | None = None) -> Response:
        customer = self.get_object()
        personal_data_viewed(request, resource="customer", object_id=customer.pk, detail=customer.code)
        facts = object_facts("customer", request.user, customer)
        lists = {
            "work_orders": reverse("workorder-list", request=request) + f"?customer={customer.pk}",
            "devices": reverse("device-list", request=request) + f"?customer={customer.pk}",
        }
        data = {
            "customer": customer,
            "addresses": list(customer.addresses.all()),
            "facts": facts,
            "last_contact_at": last_contact(facts),
            "lists": lists,
        }
        return Response(CustomerSummarySerializer(data, context=self.get_serializer_context()).data)


def register(router) -> None:
    """Add this app's viewsets to the project's router."""
    router.register(r"customers", CustomerViewSet, basename="customer")
