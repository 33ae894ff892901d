"""REST API of installed devices and of the service contracts on them (R35), scoped through their
customer (R37).

Creation goes through `services.device_create` (serial upper-cased, unique per model). There is
no `device_update` service yet; edits here validate the model the same way and should move to
services.py when it exists.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from aftersales.accounts.choices import FRONT_LINE_ROLES, REFERENCE_ADMIN_ROLES
from aftersales.catalog.choices import FeeKind
from aftersales.catalog.models import ProductModel
from aftersales.core.api import (
    IdNameSerializer,
    PersonalAddressField,
    RejectUnknownFieldsMixin,
    RoleWritePermission,
    ScopedPrimaryKeyRelatedField,
    export_action,
    problem_responses,
    request_user,
    transition_actions,
)
from aftersales.core.api_filters import ListFilterBackend
from aftersales.core.idempotency import idempotent
from aftersales.core.import_api import import_action, import_template_action
from aftersales.core.money import MAX_DIGITS
from aftersales.core.panels_api import HISTORY_PARAMETERS, HistoryPageSerializer, history_response
from aftersales.customers.importing import IMPORT_ROLES_TEXT, can_import
from aftersales.customers.models import Customer
from aftersales.customers.privacy import customer_in_full
from aftersales.customers.selectors import customer_scope

from . import services
from .choices import ContractKind, DateShift, Payer, StartBasis
from .entitlement import (
    WARRANTY_CONTRACT,
    WARRANTY_IN,
    WARRANTY_OUT,
    WARRANTY_UNKNOWN,
    device_warranty,
    warranty_state,
)
from .filtersets import DeviceFilterSet, ServiceContractFilterSet
from .importing import DEVICE_COLUMNS_HELP, device_template, devices_import
from .models import ContractEvent, Device, MaintenancePlan, ServiceContract
from .selectors import contract_get, contract_history, contract_list, device_scope, plans_of_contract
from .tables import history_text
from .transitions import CONTRACT, SELL_ROLES
from .views import ContractExportView, DeviceExportView


class DeviceSerializer(serializers.ModelSerializer):
    product_model = IdNameSerializer(read_only=True)
    customer = IdNameSerializer(read_only=True)
    # A record: the street masked for every role, revealed through /api/privacy/reveal/ (R41).
    install_address = PersonalAddressField(attribute="install_address", in_full=customer_in_full)

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


class DeviceWriteSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    """A device on file; the customer must be one the user may see (R37)."""

    product_model = serializers.PrimaryKeyRelatedField(queryset=ProductModel.objects.all())
    serial_number = serializers.CharField(max_length=64)
    customer = ScopedPrimaryKeyRelatedField(scope=customer_scope, queryset=Customer.objects.all())
    purchase_date = serializers.DateField(required=False, allow_null=True, default=None)
    install_address = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class DeviceUpdateSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
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


class DeviceWarrantySerializer(serializers.Serializer):
    """The device's warranty today (R36), extended by a service contract in force (R35)."""

    state = serializers.ChoiceField(
        choices=[WARRANTY_IN, WARRANTY_CONTRACT, WARRANTY_OUT, WARRANTY_UNKNOWN],
        help_text="in: in warranty; contract: covered by a service contract; out; unknown.",
    )
    covered_until = serializers.DateField(allow_null=True)
    reason = serializers.CharField()


class DeviceHistorySerializer(HistoryPageSerializer):
    warranty = DeviceWarrantySerializer()


# -- warranty entitlement (R36, R35): shared with the work order's (servicing's /api/warranty/) ------


class LineCoverSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=FeeKind.choices)
    part_category = serializers.CharField(help_text=_("normal, wear or consumable for parts, else empty"))
    label = serializers.CharField()
    covered = serializers.BooleanField()
    payer = serializers.ChoiceField(choices=Payer.choices)
    payer_display = serializers.CharField(source="payer_label")
    until = serializers.DateField(allow_null=True)
    reason = serializers.CharField()


class EntitlementBaseSerializer(serializers.Serializer):
    """R36: a warranty on a day (`entitlement.Entitlement`), and line by line what it covers and
    who pays; R35: extended by the service contract in force (`contract`), whose lines it pays."""

    day = serializers.DateField()
    policy = IdNameSerializer(allow_null=True)
    start_basis = serializers.ChoiceField(choices=StartBasis.choices)
    start = serializers.DateField(allow_null=True)
    until = serializers.DateField(allow_null=True)
    reason = serializers.CharField()
    lines = LineCoverSerializer(many=True)
    contract = IdNameSerializer(
        allow_null=True, help_text=_("R35: the service contract in force for the device on the day.")
    )
    covered_until = serializers.DateField(
        allow_null=True, help_text=_("The last day of cover: the contract's when one is in force.")
    )


class EntitlementQuerySerializer(serializers.Serializer):
    day = serializers.DateField(required=False, help_text=_("The day to decide on (default today)."))


class DeviceEntitlementSerializer(EntitlementBaseSerializer):
    """R36, R35: the device's own warranty on a day (no work order: no exclusion or override)."""

    state = serializers.SerializerMethodField()
    in_warranty = serializers.BooleanField(help_text=_("Within the maker's warranty on the day."))

    @extend_schema_field(
        serializers.CharField(
            help_text=_(
                "in: in warranty; contract: out of it but covered by a service contract; out; "
                "unknown: the model, or the date cover runs from, is not on file."
            ),
        )
    )
    def get_state(self, entitlement) -> str:
        return warranty_state(entitlement)


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
    filter_backends = [ListFilterBackend]
    filterset_class = DeviceFilterSet
    export = export_action(DeviceExportView, summary=_("Export the devices to Excel"))
    import_file = import_action(
        run=devices_import,
        allowed=can_import,
        summary=_("Import devices from Excel"),
        columns=DEVICE_COLUMNS_HELP,
        roles=IMPORT_ROLES_TEXT,
    )
    import_template = import_template_action(
        content=device_template,
        filename="devices-template.xlsx",
        allowed=can_import,
        summary=_("The empty workbook of the devices' import"),
        roles=IMPORT_ROLES_TEXT,
    )

    @property
    def write_roles(self) -> frozenset[str]:
        return REFERENCE_ADMIN_ROLES if self.action == "destroy" else FRONT_LINE_ROLES

    def get_queryset(self):
        return device_scope(self.request.user).select_related("product_model", "customer")

    def _output(self, device: Device, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(DeviceSerializer(device, context=self.get_serializer_context()).data, status_code)

    @idempotent
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

    # -- service contracts (R35) -------------------------------------------------------------------

    @extend_schema(
        summary=_("Warranty status of a device (R36, R35)"),
        description=_(
            "The device's warranty on `day` (default today) from its product model's warranty "
            "policy and the date cover runs from (purchase, installation or activation), extended "
            "by a service contract in force; for every kind of line (diagnosis, visit, labour, "
            "travel, parts by category) whether it is covered and who pays, each with its reason. "
            "The same entitlement as a work order's (`GET /api/warranty/{id}/`), without the "
            "exclusions and overrides recorded on a work order. 404 for a device outside the "
            "user's scope (R37)."
        ),
        parameters=[EntitlementQuerySerializer],
        responses={200: DeviceEntitlementSerializer, **problem_responses(400, 404)},
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def warranty(self, request: Request, pk: str | None = None) -> Response:
        device = self.get_object()
        query = EntitlementQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        entitlement = device_warranty(device, day=query.validated_data.get("day") or timezone.localdate())
        return Response(DeviceEntitlementSerializer(entitlement).data)

    @extend_schema(
        summary=_("Device history: its service records, newest first, a page at a time"),
        description="Work orders, visits, parts replaced on site and in the depot, depot and "
        "external repairs (with what was found), each from the app that keeps it and scoped to the "
        "user (R37). Cursor pagination: follow `next` for the older entries (null on the last page).",
        parameters=HISTORY_PARAMETERS,
        responses={200: DeviceHistorySerializer, **problem_responses(400, 404)},
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def history(self, request: Request, pk: str | None = None) -> Response:
        device = self.get_object()
        entitlement = device_warranty(device, day=timezone.localdate())
        warranty = {
            "state": warranty_state(entitlement),
            "covered_until": entitlement.covered_until,
            "reason": entitlement.reason,
        }
        return Response(
            {
                "warranty": DeviceWarrantySerializer(warranty).data,
                **history_response(request, "device", device),
            }
        )


def _action_slug(name: str) -> str:
    return name.replace("_", "-")


class MaintenancePlanSerializer(serializers.ModelSerializer):
    created_by = IdNameSerializer(read_only=True)

    class Meta:
        model = MaintenancePlan
        fields = [
            "id",
            "every_n_months",
            "first_due_on",
            "lead_days",
            "shift",
            "is_active",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class ServiceContractSerializer(serializers.ModelSerializer):
    """R35: a service contract; `price` is a string with 2 places (CNY), never a float."""

    state_display = serializers.CharField(source="get_state_display", read_only=True)
    customer = IdNameSerializer(read_only=True)
    devices = IdNameSerializer(many=True, read_only=True)
    sold_by = IdNameSerializer(read_only=True)
    price = serializers.DecimalField(
        max_digits=MAX_DIGITS, decimal_places=2, coerce_to_string=True, read_only=True
    )
    available_actions = serializers.SerializerMethodField()

    class Meta:
        model = ServiceContract
        fields = [
            "id",
            "number",
            "state",
            "state_display",
            "available_actions",
            "kind",
            "customer",
            "devices",
            "starts_on",
            "ends_on",
            "price",
            "visits_included",
            *services.COVER_FIELDS,
            "sold_by",
            "notes",
            "cancel_reason",
            "activated_at",
            "cancelled_at",
            "expired_at",
            "expiry_reminded_at",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(
        serializers.ListField(
            child=serializers.ChoiceField(choices=[_action_slug(t.name) for t in CONTRACT if t.roles])
        )
    )
    def get_available_actions(self, contract) -> list[str]:
        """The action endpoints this user may call now (the buttons on the page)."""
        user = request_user(self.context)
        return [_action_slug(t.name) for t in CONTRACT.available(contract, user)] if user else []


class ContractEventSerializer(serializers.ModelSerializer):
    actor = IdNameSerializer(read_only=True, allow_null=True)
    from_state = serializers.CharField(read_only=True)
    to_state = serializers.CharField(read_only=True)
    text = serializers.SerializerMethodField(help_text=_("The step's text, in the reader's language."))

    class Meta:
        model = ContractEvent
        fields = ["id", "created_at", "action", "from_state", "to_state", "text", "note", "actor"]
        read_only_fields = fields

    def get_text(self, step) -> str:
        return history_text(step)


class ContractCreateSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    """R35: sell a contract (a draft) to a customer in your scope on some of its devices; the cover
    flags default to a warranty policy's (diagnosis, visit, labour, normal parts)."""

    customer = ScopedPrimaryKeyRelatedField(scope=customer_scope, queryset=Customer.objects.all())
    devices = ScopedPrimaryKeyRelatedField(
        scope=device_scope, queryset=Device.objects.all(), many=True, allow_empty=True
    )
    kind = serializers.ChoiceField(choices=ContractKind.choices)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(help_text=_("The last day covered; after `starts_on`."))
    price = serializers.DecimalField(
        max_digits=MAX_DIGITS, decimal_places=2, min_value=0, help_text=_('CNY, as a string: "1280.00".')
    )
    visits_included = serializers.IntegerField(min_value=0, max_value=1000, required=False, default=0)
    covers_diagnosis = serializers.BooleanField(required=False, default=True)
    covers_visit = serializers.BooleanField(required=False, default=True)
    covers_labour = serializers.BooleanField(required=False, default=True)
    covers_travel = serializers.BooleanField(required=False, default=False)
    covers_normal_parts = serializers.BooleanField(required=False, default=True)
    covers_wear_parts = serializers.BooleanField(required=False, default=False)
    covers_consumables = serializers.BooleanField(required=False, default=False)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class MaintenancePlanInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    """R35: a maintenance plan on a maintenance or bundle contract."""

    every_n_months = serializers.IntegerField(min_value=1, max_value=60)
    first_due_on = serializers.DateField(help_text=_("Within the contract's term."))
    lead_days = serializers.IntegerField(min_value=0, max_value=90, required=False, default=7)
    shift = serializers.ChoiceField(choices=DateShift.choices, required=False, default=DateShift.EARLIER)


class MaintenancePlanActiveSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    is_active = serializers.BooleanField(help_text=_("False pauses the plan, true resumes it."))


CONTRACT_INPUTS = {
    "reason": lambda: serializers.CharField(required=False, allow_blank=True, max_length=4000),
}


@extend_schema_view(
    list=extend_schema(
        summary=_("Service contracts in your scope (R35)"),
        responses={200: ServiceContractSerializer(many=True), **problem_responses(400)},
    ),
    retrieve=extend_schema(responses={200: ServiceContractSerializer, **problem_responses(404)}),
)
@transition_actions(CONTRACT, fields=CONTRACT_INPUTS, prefix="Contract")
class ServiceContractViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """R35, R37: service contracts of the customers in your scope, filtered like the list page;
    sold and managed by clerks, supervisors and HQ admins."""

    queryset = ServiceContract.objects.none()
    serializer_class = ServiceContractSerializer
    permission_classes = [RoleWritePermission]
    filter_backends = [ListFilterBackend]
    filterset_class = ServiceContractFilterSet
    export = export_action(ContractExportView, summary=_("Export the service contracts to Excel"))
    http_method_names = ["get", "post", "patch", "head", "options"]

    @property
    def write_roles(self) -> frozenset[str] | None:
        return SELL_ROLES if self.action in ("create", "plans", "plan") else None

    def get_queryset(self):
        return contract_list(self.request.user)

    def get_object(self):
        """One contract in the user's scope, or 404 (never 403: existence is not disclosed)."""
        try:
            pk = int(self.kwargs[self.lookup_field])
        except (TypeError, ValueError):
            raise exceptions.NotFound() from None
        return contract_get(self.request.user, pk)

    def _output(self, contract: ServiceContract, status_code: int = status.HTTP_200_OK) -> Response:
        contract = contract_get(self.request.user, contract.pk)
        return Response(
            ServiceContractSerializer(contract, context=self.get_serializer_context()).data, status_code
        )

    def transition_response(self, contract: ServiceContract) -> Response:
        return self._output(contract)

    @extend_schema(
        summary=_("Sell a service contract (R35)"),
        request=ContractCreateSerializer,
        responses={201: ServiceContractSerializer, **problem_responses(400, 403)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        serializer = ContractCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        contract = services.contract_create(actor=request.user, **serializer.validated_data)
        return self._output(contract, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("History of a service contract"),
        responses={200: ContractEventSerializer(many=True), **problem_responses(404)},
    )
    @action(
        detail=True, methods=["get"], filter_backends=[], pagination_class=None
    )  # a contract's few events
    def history(self, request: Request, pk: str | None = None) -> Response:
        events = contract_history(self.get_object())
        return Response(
            ContractEventSerializer(events, many=True, context=self.get_serializer_context()).data
        )

    @extend_schema(
        methods=["GET"],
        summary=_("Maintenance plans of a contract (R35)"),
        responses={200: MaintenancePlanSerializer(many=True), **problem_responses(404)},
    )
    @extend_schema(
        methods=["POST"],
        summary=_("Add a maintenance plan (R35)"),
        description=_(
            "Only on maintenance or bundle contracts (400 `plan_not_allowed`) that are draft or active "
            "(409 `contract_closed`); the first due date within the term (400 `due_outside_contract`)."
        ),
        request=MaintenancePlanInputSerializer,
        responses={201: MaintenancePlanSerializer, **problem_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    @idempotent
    def plans(self, request: Request, pk: str | None = None) -> Response:
        contract = self.get_object()
        context = self.get_serializer_context()
        if request.method == "GET":
            return Response(
                MaintenancePlanSerializer(plans_of_contract(contract), many=True, context=context).data
            )
        data = MaintenancePlanInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = services.maintenance_plan_create(contract=contract, actor=request.user, **data.validated_data)
        return Response(MaintenancePlanSerializer(plan, context=context).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Pause or resume a maintenance plan (R35)"),
        description=_(
            "As the contract page's pause / resume button: `is_active` false pauses the plan (it "
            "generates no more maintenance work orders), true resumes it; the contract's history "
            "records it. Setting what it already is changes nothing. 403 `permission_denied` for "
            "other roles than clerks, supervisors and HQ admins; a contract outside your scope, or "
            "a plan of another contract, is 404."
        ),
        request=MaintenancePlanActiveSerializer,
        responses={200: MaintenancePlanSerializer, **problem_responses(400, 403, 404)},
    )
    @action(
        detail=True,
        methods=["patch"],
        url_path=r"plans/(?P<plan_id>[0-9]{1,18})",
        url_name="plan",
        filter_backends=[],
        pagination_class=None,
    )
    def plan(self, request: Request, pk: str | None = None, plan_id: str | None = None) -> Response:
        contract = self.get_object()
        plan = get_object_or_404(plans_of_contract(contract), pk=int(plan_id or 0))
        data = MaintenancePlanActiveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = services.maintenance_plan_set_active(
            plan_id=plan.pk, is_active=data.validated_data["is_active"], actor=request.user
        )
        plan = plans_of_contract(contract).get(pk=plan.pk)
        return Response(MaintenancePlanSerializer(plan, context=self.get_serializer_context()).data)


def register(router) -> None:
    """Add this app's viewsets to the project's router."""
    router.register(r"devices", DeviceViewSet, basename="device")
    router.register(r"contracts", ServiceContractViewSet, basename="service-contract")
