"""The work order (R1, R2, R4, R7) with its append-only events, notes and attachments."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import AppendOnlyModel, SearchWords, TimeStampedModel
from aftersales.core.phones import validate_phone

from .choices import (
    OPEN_STATES,
    Channel,
    NoteVisibility,
    Priority,
    ProposedHandling,
    State,
    WaitingReason,
    WorkOrderType,
)


class WorkOrder(TimeStampedModel):
    """One customer request from intake to close. `state` changes only through transitions.py;
    `version` guards against two people overwriting each other (optimistic locking)."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.NEW, db_index=True
    )
    waiting_reason = models.CharField(
        _("waiting reason"), max_length=16, choices=WaitingReason.choices, blank=True
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    type = models.CharField(_("type"), max_length=20, choices=WorkOrderType.choices)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="work_orders",
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    contact_name = models.CharField(_("contact person"), max_length=64)
    contact_phone = models.CharField(_("contact phone"), max_length=20, validators=[validate_phone])
    device = models.ForeignKey(
        "devices.Device",
        verbose_name=_("device"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_orders",
    )
    product_model = models.ForeignKey(
        "catalog.ProductModel",
        verbose_name=_("device model"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    device_model_text = models.CharField(_("device model (not on file)"), max_length=128, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=64, blank=True, db_index=True)
    part_model = models.CharField(_("consumable / part model"), max_length=128, blank=True)
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)

    # Where the service is done when not at the customer's address (a branch office, a site):
    # dispatch routes by it (R5); empty, by the customer's.
    service_province = models.CharField(_("service province"), max_length=32, blank=True, default="")
    service_city = models.CharField(_("service city"), max_length=32, blank=True, default="")
    service_district = models.CharField(_("service district"), max_length=32, blank=True, default="")
    service_address = models.CharField(_("service street address"), max_length=255, blank=True, default="")

    fault_symptom = models.TextField(_("fault symptom / service need"))
    error_messages = models.TextField(_("error messages shown"), blank=True)
    recent_operations = models.TextField(_("recent special operations"), blank=True)

    service_point = models.ForeignKey(
        "accounts.ServicePoint",
        verbose_name=_("service point"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_orders",
    )
    engineer = models.ForeignKey(
        "accounts.Engineer",
        verbose_name=_("engineer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_orders",
    )

    fault_category = models.CharField(_("fault category"), max_length=64, blank=True)
    probable_cause = models.TextField(_("probable cause"), blank=True)
    proposed_handling = models.CharField(
        _("proposed handling"), max_length=16, choices=ProposedHandling.choices, blank=True
    )
    estimated_hours = models.DecimalField(
        _("estimated hours"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    resolution = models.TextField(_("resolution"), blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # When the request reached the company (R1, R34): the time of the call, the e-mail or the
    # voicemail, which may be earlier than its entry (`created_at`) when it is typed in later; the
    # clocks that start at intake count from it. Set once at intake (`services.workorder_create`).
    received_at = models.DateTimeField(
        _("request received at"),
        default=timezone.now,
        editable=False,
        help_text=_(
            "When the request came in, if earlier than its entry; the service-level clocks start then."
        ),
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The due time of the running SLA clock due next (R34), kept by the SLA app whenever clocks
    # move (`sla.services`), so the list sorts by it on an index instead of a subquery per row.
    sla_due_at = models.DateTimeField(_("SLA due"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        indexes = [
            # The list's sorts (the default one on created_at's own index, number unique): each key,
            # then created_at and id as tie-breakers in the same direction (core.lists.SortFilter);
            # state also serves "one state, newest first".
            models.Index(fields=["state", "created_at", "id"], name="wo_state_sort"),
            models.Index(fields=["priority", "created_at", "id"], name="wo_priority_sort"),
            models.Index(fields=["customer", "created_at", "id"], name="wo_customer_sort"),
            # ascending with rows without a clock last (PostgreSQL's default for an ascending
            # index); descending, rows without a clock last too: migration 0009's index on
            # PostgreSQL (SQLite cannot declare NULLS LAST in an index)
            models.Index(fields=["sla_due_at", "created_at", "id"], name="wo_sla_due_sort"),
            models.Index(fields=["service_point", "state", "-created_at"], name="wo_point_state_created"),
            models.Index(fields=["engineer", "state"], name="wo_engineer_state"),
            # dispatch's open load per engineer (R5) reads open work orders only, not the history
            models.Index(
                fields=["engineer"],
                condition=models.Q(state__in=sorted(OPEN_STATES)),
                name="wo_open_by_engineer",
            ),
            models.Index(fields=["contact_phone"], name="wo_contact_phone"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def device_model_label(self) -> str:
        if self.product_model_id:
            return str(self.product_model)
        return self.device_model_text

    @property
    def product_line(self):
        """The device's model decides the product line; else the model given at intake (R38)."""
        device = self.device if self.device_id else None
        if device is not None and device.product_model is not None:
            return device.product_model.product_line
        if self.product_model is not None:
            return self.product_model.product_line
        return None

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


# Fields whose changes are kept in the work order's history (R41).
AUDITED_FIELDS = [
    "state",
    "waiting_reason",
    "channel",
    "type",
    "priority",
    "customer",
    "contact",
    "contact_name",
    "contact_phone",
    "device",
    "product_model",
    "device_model_text",
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
    "estimated_hours",
    "resolution",
]


class WorkOrderEvent(AppendOnlyModel):
    """The timeline: every transition, note and notification, never edited (R41). `kind` is one
    of the kinds the apps registered (events.py); `params` are what its text shows, rendered in
    the reader's language; `note` is the user's own words."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("kind"), max_length=24)
    action = models.CharField(_("action"), max_length=48, blank=True)
    from_state = models.CharField(_("from"), max_length=16, choices=State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=16, choices=State.choices, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("work-order event")
        verbose_name_plural = _("work-order events")

    def __str__(self) -> str:
        return f"{self.work_order_id} {self.kind} {self.action}"


class WorkOrderSearch(SearchWords):
    """The words a work order is found by (core.search): its number, people, device and what the
    customer and the engineers wrote, segmented into words. Kept beside the work order so the
    hot table stays narrow; refreshed by the services that change those texts."""

    work_order = models.OneToOneField(
        WorkOrder, primary_key=True, on_delete=models.CASCADE, related_name="+", db_column="work_order_id"
    )

    class Meta:
        ordering = ["-work_order_id"]


class Note(TimeStampedModel):
    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    visibility = models.CharField(
        _("visibility"),
        max_length=16,
        choices=NoteVisibility.choices,
        default=NoteVisibility.INTERNAL,
    )
    body = models.TextField(_("note"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")

    def __str__(self) -> str:
        return self.body[:40]


def attachment_path(instance: Attachment, filename: str) -> str:
    """Stored under a generated name, catalogued by month (R21); the original name is kept aside."""
    from django.utils import timezone

    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class Attachment(TimeStampedModel):
    """A file of a work order (photos, documents, signed forms), downloaded only by those who may
    see the work order, by its random `uuid` (never its sequential id: R37, R41)."""

    uuid = models.UUIDField(_("key"), default=uuid.uuid4, unique=True, editable=False)
    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="attachments")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(_("file"), upload_to=attachment_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=64)
    size = models.PositiveIntegerField(_("size"))
    description = models.CharField(_("description"), max_length=255, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name
