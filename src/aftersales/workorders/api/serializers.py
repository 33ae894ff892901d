"""Work-order serializers: output shapes, and input shapes that the views hand to the services.

None of them saves anything: `create`/`update` are never called; the views call
`services.workorder_create`, `workorder_update`, `workorder_transition`, `note_add` and
`attachment_add` with `validated_data`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import NoReverseMatch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from aftersales.accounts.models import Engineer, ServicePoint
from aftersales.accounts.selectors import engineer_list, service_points_in_scope
from aftersales.catalog.models import ProductModel
from aftersales.catalog.selectors import PRODUCT_MODELS
from aftersales.core.api import ChangeRecordSerializer as BaseChangeRecordSerializer
from aftersales.core.api import (
    FieldsBuiltOnceMixin,
    IdNameSerializer,
    PersonalAddressField,
    PersonalPhoneField,
    ReferencePrimaryKeyRelatedField,
    RejectUnknownFieldsMixin,
    ScopedPrimaryKeyRelatedField,
    request_user,
)
from aftersales.core.models import ChangeRecord
from aftersales.core.panels_api import HistoryEntrySerializer
from aftersales.customers.models import Contact, Customer
from aftersales.customers.selectors import customer_scope
from aftersales.devices.models import Device
from aftersales.devices.selectors import device_scope

from ..choices import Channel, NoteVisibility, WaitingReason
from ..events import event_text, event_title
from ..models import AUDITED_FIELDS, Attachment, Note, WorkOrder, WorkOrderEvent
from ..privacy import history_value, workorder_in_full
from ..services import EDITABLE_FIELDS
from ..transitions import WORKORDER, transitions_available

# --- scopes of the related ids a user may name (R37) -------------------------------------------


def contact_scope(user) -> QuerySet[Contact]:
    """Contacts of the customers the user may see (company-wide roles: all, without the subquery
    over every customer, which a create paid for)."""
    if user.is_authenticated and user.sees_whole_company:
        return Contact.objects.all()
    return Contact.objects.filter(customer__in=customer_scope(user).values("pk"))


class OwnServicePointDefault:
    """A scoped user's work lands at their own service point unless they name one, so that
    they still see it afterwards (R37)."""

    requires_context = True

    def __call__(self, field: serializers.Field) -> ServicePoint | None:
        user = request_user(field.context)
        if user is None or user.sees_whole_company:
            return None
        engineer = getattr(user, "engineer", None)
        if engineer is not None:
            return engineer.service_point
        return user.service_point


# --- output -----------------------------------------------------------------------------------


class WorkOrderSerializer(FieldsBuiltOnceMixin, serializers.ModelSerializer):
    """A work order as every reader gets it; contact phone masked for roles that don't need it."""

    state_display = serializers.CharField(source="get_state_display", read_only=True)
    waiting_reason_display = serializers.CharField(source="get_waiting_reason_display", read_only=True)
    channel_display = serializers.CharField(source="get_channel_display", read_only=True)
    type_display = serializers.CharField(source="get_type_display", read_only=True)
    priority_display = serializers.CharField(source="get_priority_display", read_only=True)
    proposed_handling_display = serializers.CharField(source="get_proposed_handling_display", read_only=True)
    customer = IdNameSerializer(read_only=True)
    contact_phone = PersonalPhoneField(attribute="contact_phone", in_full=workorder_in_full)
    service_address = PersonalAddressField(attribute="service_address", in_full=workorder_in_full)
    product_model = IdNameSerializer(read_only=True, allow_null=True)
    device_model_label = serializers.CharField(read_only=True)
    service_point = IdNameSerializer(read_only=True, allow_null=True)
    engineer = IdNameSerializer(read_only=True, allow_null=True)
    available_actions = serializers.SerializerMethodField()

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "number",
            "state",
            "state_display",
            "waiting_reason",
            "waiting_reason_display",
            "version",
            "available_actions",
            "channel",
            "channel_display",
            "type",
            "type_display",
            "priority",
            "priority_display",
            "customer",
            "contact",
            "contact_name",
            "contact_phone",
            "device",
            "product_model",
            "device_model_text",
            "device_model_label",
            "serial_number",
            "part_model",
            "purchase_date",
            "service_province",
            "service_city",
            "service_district",
            "service_address",
            "fault_symptom",
            "error_messages",
            "recent_operations",
            "service_point",
            "engineer",
            "fault_category",
            "probable_cause",
            "proposed_handling",
            "proposed_handling_display",
            "estimated_hours",
            "resolution",
            "created_by",
            "created_at",
            "received_at",
            "updated_at",
            "accepted_at",
            "completed_at",
            "closed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=list(WORKORDER.transitions)))
    )
    def get_available_actions(self, work_order: WorkOrder) -> list[str]:
        """The action endpoints this user may call now (the buttons on the page)."""
        user = request_user(self.context)
        if user is None:
            return []
        return [t.name for t in transitions_available(work_order, user)]


class NoteSerializer(serializers.ModelSerializer):
    author = IdNameSerializer(read_only=True)
    visibility_display = serializers.CharField(source="get_visibility_display", read_only=True)

    class Meta:
        model = Note
        fields = ["id", "author", "visibility", "visibility_display", "body", "created_at"]
        read_only_fields = fields


class AttachmentSerializer(serializers.ModelSerializer):
    uploaded_by = IdNameSerializer(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "uuid",
            "original_name",
            "content_type",
            "size",
            "description",
            "uploaded_by",
            "created_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, attachment: Attachment) -> str:
        """Served through the permission-checked download endpoint, never from MEDIA_URL."""
        try:
            return reverse(
                "workorder-attachment-download",
                kwargs={"pk": attachment.work_order_id, "attachment_id": str(attachment.uuid)},
                request=self.context.get("request"),
            )
        except NoReverseMatch:  # pragma: no cover - route names are fixed in register()
            return ""


class EventSerializer(serializers.ModelSerializer):
    """One timeline event: its kind (registered by the app that wrote it), its parameters, its
    title and text rendered in the request's language, and the user's own note."""

    actor = IdNameSerializer(read_only=True, allow_null=True)
    kind = serializers.CharField(
        read_only=True, help_text=_("A kind registered by an app: created, transition, note, visit, sla …")
    )
    kind_display = serializers.SerializerMethodField(help_text=_("The event's heading."))
    text = serializers.SerializerMethodField(help_text=_("What the event says, from its parameters."))
    params = serializers.JSONField(read_only=True)

    class Meta:
        model = WorkOrderEvent
        fields = [
            "id",
            "created_at",
            "kind",
            "kind_display",
            "action",
            "from_state",
            "to_state",
            "params",
            "text",
            "note",
            "actor",
        ]
        read_only_fields = fields

    def get_kind_display(self, event: WorkOrderEvent) -> str:
        return event_title(event)

    def get_text(self, event: WorkOrderEvent) -> str:
        return event_text(event)


class ChangeRecordSerializer(BaseChangeRecordSerializer):
    def shown(self, record: ChangeRecord, value: str) -> str:
        return history_value(record.field, value)


class TimelineEntrySerializer(serializers.Serializer):
    """One entry of the merged timeline, newest first: an event or a field change; the other of
    the two is null."""

    entry_type = serializers.ChoiceField(choices=["event", "change"], read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    event = EventSerializer(read_only=True, allow_null=True)
    change = ChangeRecordSerializer(read_only=True, allow_null=True)

    def to_representation(self, row: WorkOrderEvent | ChangeRecord) -> dict[str, Any]:
        is_change = isinstance(row, ChangeRecord)
        serializer = ChangeRecordSerializer if is_change else EventSerializer
        data = serializer(row, context=self.context).data
        return {
            "entry_type": "change" if is_change else "event",
            "created_at": data["created_at"],
            "event": None if is_change else data,
            "change": data if is_change else None,
        }


class TimelinePageSerializer(serializers.Serializer):
    """A page of the timeline (cursor pagination): `next` is the URL of the older entries, null on
    the last page."""

    next = serializers.URLField(read_only=True, allow_null=True)
    results = TimelineEntrySerializer(many=True, read_only=True)


# --- input ------------------------------------------------------------------------------------

# The fields a client may write: the service's editable fields, in the history's order.
_WRITE_FIELDS = [name for name in AUDITED_FIELDS if name in EDITABLE_FIELDS]


class WorkOrderWriteSerializer(RejectUnknownFieldsMixin, FieldsBuiltOnceMixin, serializers.ModelSerializer):
    """Intake data (R1, R2, R7). Related ids are limited to what the user may see (R37)."""

    channel = serializers.ChoiceField(
        choices=Channel.choices, default=Channel.API, help_text=_("Defaults to “api” (R1).")
    )
    customer = ScopedPrimaryKeyRelatedField(scope=customer_scope, queryset=Customer.objects.all())
    contact = ScopedPrimaryKeyRelatedField(
        scope=contact_scope, queryset=Contact.objects.all(), required=False, allow_null=True
    )
    # with their product line: dispatch (R5, R38) and the SLA policy (R34) ask for it at intake
    device = ScopedPrimaryKeyRelatedField(
        scope=lambda user: device_scope(user).select_related("product_model__product_line"),
        queryset=Device.objects.all(),
        required=False,
        allow_null=True,
    )
    product_model = ReferencePrimaryKeyRelatedField(
        reference=PRODUCT_MODELS, queryset=ProductModel.objects.all(), required=False, allow_null=True
    )
    service_point = ScopedPrimaryKeyRelatedField(
        scope=service_points_in_scope,
        queryset=ServicePoint.objects.all(),
        allow_null=True,
        default=OwnServicePointDefault(),
    )
    received_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_(
            "When the request came in, if earlier than now (a voicemail, an e-mail read later); the "
            "service-level clocks started at intake count from it. Not in the future (400 "
            "`received_in_future`), at most WORKORDER_RECEIVED_BACKDATE_DAYS (14) days back (400 "
            "`received_too_early`). Without a time zone: China time. Omitted: now."
        ),
    )

    class Meta:
        model = WorkOrder
        fields = [*_WRITE_FIELDS, "received_at"]
        extra_kwargs = {
            # Filled from the chosen contact when left out (services.workorder_create).
            "contact_name": {"required": False, "allow_blank": True},
            "contact_phone": {"required": False, "allow_blank": True},
        }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user = request_user(self.context)
        if (
            not self.partial
            and user is not None
            and not user.sees_whole_company
            and attrs.get("service_point") is None
        ):
            raise serializers.ValidationError(
                {"service_point": [_("Choose the service point that takes this request.")]},
                code="required",
            )
        return attrs


class WorkOrderUpdateSerializer(WorkOrderWriteSerializer):
    """A PATCH: any editable fields plus the `version` that was read (optimistic locking)."""

    needs = frozenset({"version"})  # required even in a PATCH (the schema says so: core.api.AutoSchema)

    version = serializers.IntegerField(
        min_value=1,
        help_text=_("The version you read; a newer one on the server gives 409 stale_version."),
    )
    received_at = None  # set once at intake: the clocks count from it (R34)

    class Meta(WorkOrderWriteSerializer.Meta):
        fields = [*_WRITE_FIELDS, "version"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Partial updates skip `required`; the version is never optional.
        if "version" not in attrs:
            raise serializers.ValidationError(
                {"version": [serializers.ErrorDetail(str(_("This field is required.")), code="required")]}
            )
        return super().validate(attrs)


# The inputs of the lifecycle endpoints (transitions.py declares which transition takes which).
TRANSITION_FIELDS = {
    "note": lambda: serializers.CharField(required=False, allow_blank=True, max_length=2000),
    # R37: another dealer's engineer reads as "does not exist", like an id no engineer has
    "engineer": lambda: ScopedPrimaryKeyRelatedField(
        scope=lambda user: engineer_list(user).select_related("user", "service_point"),
        queryset=Engineer.objects.all(),
        required=False,
    ),
    "waiting_reason": lambda: serializers.ChoiceField(choices=WaitingReason.choices, required=False),
    "resolution": lambda: serializers.CharField(required=False, allow_blank=True),
}


class NoteInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    body = serializers.CharField(max_length=5000)
    visibility = serializers.ChoiceField(choices=NoteVisibility.choices, default=NoteVisibility.INTERNAL)


class AttachmentInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    """A multipart upload; the type is checked by content in services.attachment_add."""

    file = serializers.FileField(max_length=255, allow_empty_file=False)
    description = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


# --- intake: the caller lookup (issue 12) ------------------------------------------------------


class WorkOrderBriefSerializer(serializers.ModelSerializer):
    """A work order in a short list (the caller's, a device's): what tells one from another."""

    state_display = serializers.CharField(source="get_state_display", read_only=True)
    type_display = serializers.CharField(source="get_type_display", read_only=True)
    customer = IdNameSerializer(read_only=True)

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "number",
            "state",
            "state_display",
            "type",
            "type_display",
            "customer",
            "device",
            "serial_number",
            "fault_symptom",
            "created_at",
        ]
        read_only_fields = fields


class CallerDeviceSerializer(serializers.ModelSerializer):
    product_model = IdNameSerializer(read_only=True)
    customer = IdNameSerializer(read_only=True)

    class Meta:
        model = Device
        fields = ["id", "serial_number", "product_model", "customer", "purchase_date"]
        read_only_fields = fields


class CallerCustomerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "code", "name"]
        read_only_fields = fields


class CallerLookupSerializer(serializers.Serializer):
    """What intake shows beside the form (the same as the page's panel)."""

    phone = serializers.CharField(help_text="The phone number recognised, in E.164 form; empty if none.")
    serial = serializers.CharField()
    recognised = serializers.BooleanField()
    customers = CallerCustomerSerializer(
        many=True, help_text="The customers with that phone (theirs or a contact's)."
    )
    devices = CallerDeviceSerializer(many=True, help_text="The devices with that serial number.")
    open_work_orders = WorkOrderBriefSerializer(
        many=True, help_text="The caller's open work orders, newest first."
    )
    recent_work_orders = WorkOrderBriefSerializer(
        many=True, help_text="The caller's latest other work orders."
    )
    device_history = HistoryEntrySerializer(many=True, help_text="The device's latest service history.")
    duplicates = WorkOrderBriefSerializer(
        many=True,
        help_text="Open work orders on the same device: add a note to one instead of a new work order.",
    )
