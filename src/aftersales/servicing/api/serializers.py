"""Servicing serializers: output shapes, and inputs that the views hand to the services. None of
them saves anything. States are plain strings with a `_display` label (the choice sets differ per
record, so they are not shared OpenAPI enums)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from aftersales.catalog.choices import FeeKind, PartCategory
from aftersales.catalog.models import ProductLine
from aftersales.core.api import (
    IdNameSerializer,
    RejectUnknownFieldsMixin,
    ScopedPrimaryKeyRelatedField,
    request_user,
)
from aftersales.core.phones import phone_normalize
from aftersales.core.transitions import Machine
from aftersales.devices.api import EntitlementBaseSerializer
from aftersales.devices.choices import Payer
from aftersales.notifications.choices import Channel as MessageChannel
from aftersales.workorders.models import WorkOrder
from aftersales.workorders.selectors import workorder_scope

from ..choices import (
    ConfirmationMethod,
    ExclusionReason,
    FeeBasis,
    RemoteMethod,
    SendOutReason,
    WarrantyState,
)
from ..models import (
    DepotRepair,
    DepotRepairPart,
    ExternalRepair,
    ExternalRepairFollowUp,
    RemoteSession,
    RepairLogEntry,
    ServicePlan,
    Vendor,
)
from ..transitions import DEPOT, EXTERNAL, PLAN, REMOTE
from ..warranty import warranty_check

STATE_HELP = _("The lifecycle state; see `state_display` for its label.")


class LifecycleSerializer(serializers.ModelSerializer):
    """Common output: the work order it hangs off, the state and the actions the user may call."""

    machine: Machine
    work_order_number = serializers.CharField(source="work_order.number", read_only=True)
    state = serializers.CharField(read_only=True, help_text=STATE_HELP)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    available_actions = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_available_actions(self, obj: Any) -> list[str]:
        """The action endpoints this user may call now."""
        user = request_user(self.context)
        if user is None:
            return []
        return [t.name.replace("_", "-") for t in self.machine.available(obj, user)]


class RemoteSessionSerializer(LifecycleSerializer):
    machine = REMOTE
    method = serializers.CharField(read_only=True)
    method_display = serializers.CharField(source="get_method_display", read_only=True)
    performed_by = IdNameSerializer(read_only=True)

    class Meta:
        model = RemoteSession
        fields = [
            "id",
            "work_order",
            "work_order_number",
            "state",
            "state_display",
            "available_actions",
            "method",
            "method_display",
            "steps",
            "result",
            "performed_by",
            "started_at",
            "ended_at",
        ]
        read_only_fields = fields


class ServicePlanSerializer(LifecycleSerializer):
    machine = PLAN
    fee_basis = serializers.CharField(read_only=True)
    fee_basis_display = serializers.CharField(source="get_fee_basis_display", read_only=True)
    sent_via = serializers.CharField(read_only=True)
    confirmation_method = serializers.CharField(read_only=True)
    confirmation_method_display = serializers.CharField(
        source="get_confirmation_method_display", read_only=True
    )
    awaits_approval = serializers.BooleanField(read_only=True)
    created_by = IdNameSerializer(read_only=True)
    approved_by = IdNameSerializer(read_only=True, allow_null=True)
    recorded_by = IdNameSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ServicePlan
        fields = [
            "id",
            "work_order",
            "work_order_number",
            "revision",
            "previous",
            "revision_reason",
            "state",
            "state_display",
            "available_actions",
            "measures",
            "parts",
            "tools",
            "estimated_hours",
            "fees_apply",
            "fee_basis",
            "fee_basis_display",
            "fee_note",
            "created_by",
            "needs_approval",
            "awaits_approval",
            "approved_by",
            "approved_at",
            "sent_at",
            "sent_via",
            "confirmed_at",
            "confirmed_by_name",
            "confirmation_method",
            "confirmation_method_display",
            "recorded_by",
            "rejected_at",
            "rejection_reason",
            "created_at",
        ]
        read_only_fields = fields


class WarrantySerializer(serializers.Serializer):
    state = serializers.CharField(help_text=_("in, out or unknown"))
    label = serializers.CharField()
    until = serializers.DateField(allow_null=True)
    reason = serializers.CharField()


class DepotRepairSerializer(LifecycleSerializer):
    machine = DEPOT
    warranty = serializers.CharField(read_only=True, help_text=_("Recorded at the inspection."))
    warranty_now = serializers.SerializerMethodField()
    handover_method = serializers.CharField(read_only=True)
    photos = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    received_by = IdNameSerializer(read_only=True)

    class Meta:
        model = DepotRepair
        fields = [
            "id",
            "number",
            "work_order",
            "work_order_number",
            "state",
            "state_display",
            "available_actions",
            "accessories",
            "received_at",
            "received_by",
            "appearance",
            "configuration",
            "fault_found",
            "photos",
            "inspected_at",
            "warranty",
            "warranty_until",
            "warranty_now",
            "repair_started_at",
            "recheck_result",
            "rechecked_at",
            "handed_back_at",
            "handed_back_to",
            "handover_method",
        ]
        read_only_fields = fields

    @extend_schema_field(WarrantySerializer)
    def get_warranty_now(self, repair: DepotRepair) -> dict[str, Any]:
        """The warranty check as it stands today (R13)."""
        status = warranty_check(repair.work_order)
        return {"state": status.state, "label": status.label, "until": status.until, "reason": status.reason}


class RepairLogEntrySerializer(serializers.ModelSerializer):
    performed_by = IdNameSerializer(read_only=True)

    class Meta:
        model = RepairLogEntry
        fields = ["id", "performed_at", "performed_by", "work_done", "measurements", "created_at"]
        read_only_fields = fields


class ExternalRepairSerializer(LifecycleSerializer):
    machine = EXTERNAL
    vendor = IdNameSerializer(read_only=True)
    reason = serializers.CharField(read_only=True)
    reason_display = serializers.CharField(source="get_reason_display", read_only=True)
    warranty = serializers.CharField(read_only=True)
    sent_by = IdNameSerializer(read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = ExternalRepair
        fields = [
            "id",
            "work_order",
            "work_order_number",
            "depot_repair",
            "previous",
            "vendor",
            "state",
            "state_display",
            "available_actions",
            "reason",
            "reason_display",
            "warranty",
            "vendor_contact",
            "voucher_number",
            "voucher_photo",
            "sent_at",
            "sent_by",
            "expected_back_on",
            "is_overdue",
            "returned_at",
            "vendor_report",
            "recheck_result",
            "rechecked_at",
            "unrepairable_reason",
            "done_at",
            "cost",
        ]
        read_only_fields = fields


class FollowUpSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    actor = IdNameSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ExternalRepairFollowUp
        fields = ["id", "kind", "kind_display", "sequence", "key", "note", "actor", "created_at"]
        read_only_fields = fields


class VendorSerializer(serializers.ModelSerializer):
    product_lines = IdNameSerializer(many=True, read_only=True)

    class Meta:
        model = Vendor
        fields = [
            "id",
            "name",
            "contact_name",
            "phone",
            "address",
            "product_lines",
            "lead_time_days",
            "notes",
            "is_active",
        ]
        read_only_fields = fields


# --- input ------------------------------------------------------------------------------------


class VendorInputSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    """A repair vendor as written (R14): `product_lines` as ids; the answer is the vendor as read."""

    product_lines = serializers.PrimaryKeyRelatedField(
        queryset=ProductLine.objects.all(),
        many=True,
        required=False,
        help_text=_("The product lines it repairs; empty: every product line."),
    )

    class Meta:
        model = Vendor
        fields = [name for name in VendorSerializer.Meta.fields if name != "id"]

    def validate_phone(self, value: str) -> str:
        return phone_normalize(value)

    def to_representation(self, vendor: Vendor) -> dict[str, Any]:
        return VendorSerializer(vendor, context=self.context).data


class Input(RejectUnknownFieldsMixin, serializers.Serializer):
    """An action's input: unknown keys are an error, not silently dropped."""


def work_order_field() -> ScopedPrimaryKeyRelatedField:
    return ScopedPrimaryKeyRelatedField(scope=workorder_scope, queryset=WorkOrder.objects.all())


class RemoteStartInput(Input):
    """Record a remote session (R6): how the customer was reached and the steps taken."""

    work_order = work_order_field()
    method = serializers.ChoiceField(choices=RemoteMethod.choices)
    steps = serializers.CharField(max_length=5000)


class PlanContentInput(Input):
    """The content of a plan (R8): measures, resources, duration, fees and their basis (no prices)."""

    measures = serializers.CharField(max_length=5000)
    parts = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    tools = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    estimated_hours = serializers.DecimalField(max_digits=6, decimal_places=1, min_value=0)
    fees_apply = serializers.BooleanField(default=False)
    fee_basis = serializers.ChoiceField(
        choices=FeeBasis.choices, required=False, allow_blank=True, default=""
    )
    fee_note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class PlanCreateInput(PlanContentInput):
    """A new plan as a draft (R8); a work order has one plan, changed later by revisions."""

    work_order = work_order_field()


class DepotReceiveInput(Input):
    """Take the device in for depot repair (R13)."""

    work_order = work_order_field()
    accessories = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class RepairLogInput(Input):
    """A line of the repair process record (R13)."""

    work_done = serializers.CharField(allow_blank=True, max_length=5000)
    measurements = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    performed_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class DepotPartInput(Input):
    """R12, R32: a part replaced in the depot; from the service point's store unless `from_store` is false."""

    part_number = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")
    quantity = serializers.IntegerField(min_value=1, max_value=9999, default=1)
    from_store = serializers.BooleanField(default=True)
    old_serial_number = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class DepotPartSerializer(serializers.ModelSerializer):
    warehouse = IdNameSerializer(read_only=True, allow_null=True, help_text="The store it was issued from.")
    old_part = serializers.SlugRelatedField(
        slug_field="number", read_only=True, allow_null=True, help_text="The old part kept for HQ (R29)."
    )

    class Meta:
        model = DepotRepairPart
        fields = [
            "id",
            "part_number",
            "name",
            "quantity",
            "warehouse",
            "covered",
            "cover_reason",
            "old_serial_number",
            "old_part",
        ]
        read_only_fields = fields


class FollowUpInput(Input):
    """A contact with the vendor about a device still there (R14)."""

    note = serializers.CharField(allow_blank=True, max_length=5000)


# The inputs of the lifecycle endpoints (`core.api.transition_actions`), per machine: each endpoint
# takes the inputs its transition declares, none required here (the transition says what is
# missing, naming the input).


def _text(help_text: Any = "") -> Callable[[], serializers.Field]:
    return lambda: serializers.CharField(
        required=False, allow_blank=True, max_length=5000, help_text=help_text
    )


def _line() -> serializers.Field:
    return serializers.CharField(required=False, allow_blank=True, max_length=64)


def _choice(choices) -> Callable[[], serializers.Field]:
    return lambda: serializers.ChoiceField(choices=choices, required=False)


def _cost() -> serializers.Field:
    return serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, required=False, allow_null=True, help_text=_("CNY")
    )


SEND_OUT_INPUTS: dict[str, Callable[[], serializers.Field]] = {
    "vendor": lambda: serializers.PrimaryKeyRelatedField(
        queryset=Vendor.objects.all(), required=False, allow_null=True
    ),
    "vendor_contact": _line,
    "voucher_number": _line,
    "voucher_photo": lambda: serializers.FileField(required=False, allow_null=True),
}

REMOTE_INPUTS = {
    "result": _text(),
    "steps": _text(),
    "complete_work_order": lambda: serializers.BooleanField(
        required=False, help_text=_("solve: complete the work order with the outcome as its resolution")
    ),
}
PLAN_INPUTS = {
    "sent_via": _choice(MessageChannel.choices),
    "confirmed_by_name": _line,
    "confirmation_method": _choice(ConfirmationMethod.choices),
    "reason": _text(),
    "measures": _text(),
    "parts": _text(),
    "tools": _text(),
    "estimated_hours": lambda: serializers.DecimalField(
        max_digits=6, decimal_places=1, min_value=0, required=False
    ),
    "fees_apply": lambda: serializers.BooleanField(required=False),
    "fee_basis": lambda: serializers.ChoiceField(choices=FeeBasis.choices, required=False, allow_blank=True),
    "fee_note": _text(),
}
DEPOT_INPUTS = {
    "appearance": _text(),
    "configuration": _text(),
    "fault_found": _text(),
    "photos": lambda: serializers.ListField(child=serializers.FileField(), required=False),
    **SEND_OUT_INPUTS,
    "reason": _choice(SendOutReason.choices),
    "result": _text(),
    "handed_back_to": _line,
    "confirmation_method": _choice(ConfirmationMethod.choices),
}
EXTERNAL_INPUTS = {
    "vendor_report": _text(),
    "cost": _cost,
    "result": _text(),
    **SEND_OUT_INPUTS,
    "reason": _text(
        _("unrepairable: why it cannot be repaired; resend: in_warranty or beyond_local (why it goes out)")
    ),
}


# -- warranty entitlement (R36) -------------------------------------------------------------------


class EntitlementSerializer(EntitlementBaseSerializer):
    """R36: a work order's warranty on a day, and line by line what it covers and who pays; R35:
    extended by the service contract in force (`contract`), whose lines the contract pays;
    exclusions and overrides recorded on the work order applied."""

    state = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ChoiceField(choices=WarrantyState.choices))
    def get_state(self, entitlement) -> str:
        if not entitlement.decided:
            return WarrantyState.UNKNOWN
        return WarrantyState.IN if entitlement.in_cover else WarrantyState.OUT


class WarrantyLineInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=FeeKind.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Empty: every line."),
    )
    part_category = serializers.ChoiceField(
        choices=PartCategory.choices, required=False, allow_blank=True, default=""
    )


class WarrantyExclusionInputSerializer(RejectUnknownFieldsMixin, WarrantyLineInputSerializer):
    """R36: charge a line the warranty covers (or every line) to the customer, for a reason."""

    reason = serializers.ChoiceField(choices=ExclusionReason.choices)
    note = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("Required for 'other'.")
    )


class PurchaseProofInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    """R36: the invoice the customer shows (multipart: an image or a PDF) and the purchase date on
    it, from which cover counts when it runs from the purchase."""

    file = serializers.FileField(help_text=_("JPEG, PNG, GIF, WebP or PDF."))
    purchased_on = serializers.DateField()
    invoice_number = serializers.CharField(required=False, allow_blank=True, default="", max_length=64)
    seller = serializers.CharField(required=False, allow_blank=True, default="", max_length=128)


class WarrantyOverrideInputSerializer(RejectUnknownFieldsMixin, WarrantyLineInputSerializer):
    """R36 (supervisors): the date cover counts from, and/or who pays one line, with the reason."""

    start_on = serializers.DateField(required=False, allow_null=True, default=None)
    payer = serializers.ChoiceField(choices=Payer.choices, required=False, allow_blank=True, default="")
    reason = serializers.CharField()
