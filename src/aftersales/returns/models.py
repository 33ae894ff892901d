"""Returns and exchanges (退换货申请表, R33): the request with its photos and steps, and the rules it
is checked against (one `ReturnPolicy`, kept by HQ)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import AppendOnlyModel, TimeStampedModel
from aftersales.core.money import MAX_DIGITS

from .choices import InspectionResult, ItemCondition, RefundMethod, ReturnKind, ReturnReason, ReturnState

USER = settings.AUTH_USER_MODEL


def default_return_days() -> int:
    return int(getattr(settings, "RETURNS_RETURN_DAYS", 7))


def default_exchange_days() -> int:
    return int(getattr(settings, "RETURNS_EXCHANGE_DAYS", 15))


def default_proof_required() -> bool:
    return bool(getattr(settings, "RETURNS_PROOF_REQUIRED", True))


def default_follow_up_days() -> int:
    return int(getattr(settings, "RETURNS_FOLLOW_UP_DAYS", 3))


def default_return_conditions() -> list[str]:
    return [ItemCondition.UNOPENED, ItemCondition.LIKE_NEW]


def default_exchange_conditions() -> list[str]:
    return [ItemCondition.UNOPENED, ItemCondition.LIKE_NEW, ItemCondition.USED]


class ReturnPolicy(models.Model):
    """R33: the rules every request is checked against, when it is submitted and again when it is
    approved: a return within `return_days` of purchase, an exchange within `exchange_days`, the
    product in one of the conditions accepted for its kind, proof of purchase when required. One
    row, kept by HQ (its page and the admin); until HQ saves it the defaults come from the
    settings (RETURNS_*). Changes are in the change history (R41)."""

    return_days = models.PositiveSmallIntegerField(
        _("return within (days of purchase)"), default=default_return_days
    )
    exchange_days = models.PositiveSmallIntegerField(
        _("exchange within (days of purchase)"), default=default_exchange_days
    )
    return_conditions = models.JSONField(
        _("conditions accepted for a return"), default=default_return_conditions, blank=True
    )
    exchange_conditions = models.JSONField(
        _("conditions accepted for an exchange"), default=default_exchange_conditions, blank=True
    )
    proof_required = models.BooleanField(_("proof of purchase required"), default=default_proof_required)
    follow_up_days = models.PositiveSmallIntegerField(
        _("follow up within (days)"),
        default=default_follow_up_days,
        help_text=_("Customer service calls the customer within this many days of the refund or delivery."),
    )
    updated_by = models.ForeignKey(
        USER, verbose_name=_("updated by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("return and exchange rules")
        verbose_name_plural = _("return and exchange rules")

    def __str__(self) -> str:
        return str(_("Return and exchange rules"))


class ReturnRequest(TimeStampedModel):
    """退换货申请表 (R33): a customer asks to return a product (refund) or exchange it; the request
    is checked against the rules (`ReturnPolicy`), approved or refused with a reason, the product
    is picked up (carrier, tracking number), received and inspected (a named part goes into a
    defective location), then refunded or replaced (carrier, tracking number), followed up by
    customer service and closed. `state` changes only through `transitions.RETURN_REQUEST`;
    every step is a `ReturnEvent` and, when the request hangs off a work order, an event on its
    timeline. `dealer` is whose staff see it (the work order's service point's dealer, else the
    customer's)."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=ReturnKind.choices)
    state = models.CharField(
        _("state"), max_length=20, choices=ReturnState.choices, default=ReturnState.DRAFT, db_index=True
    )
    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        verbose_name=_("work order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="return_requests",
    )
    device = models.ForeignKey(
        "devices.Device",
        verbose_name=_("device"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    dealer = models.ForeignKey(
        "accounts.Dealer",
        verbose_name=_("dealer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    product_model = models.ForeignKey(
        "catalog.ProductModel",
        verbose_name=_("product model"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    product_text = models.CharField(_("product (not on file)"), max_length=128, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=64, blank=True, db_index=True)
    reason = models.CharField(_("reason"), max_length=20, choices=ReturnReason.choices)
    reason_text = models.TextField(_("problem described"), blank=True)
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    proof_of_purchase = models.CharField(
        _("proof of purchase"), max_length=64, blank=True, help_text=_("Invoice or receipt number.")
    )
    condition = models.CharField(_("condition"), max_length=16, choices=ItemCondition.choices)
    condition_note = models.TextField(_("condition described"), blank=True)
    requested_by = models.ForeignKey(
        USER, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # A supervisor's exception to the rules it names (Rule values), with the reason.
    exception_rules = models.JSONField(_("rules waived"), default=list, blank=True)
    exception_reason = models.CharField(_("reason for the exception"), max_length=255, blank=True)
    exception_by = models.ForeignKey(
        USER,
        verbose_name=_("exception by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    exception_at = models.DateTimeField(_("exception at"), null=True, blank=True)
    # the decision
    approved_by = models.ForeignKey(
        USER, verbose_name=_("approved by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    refused_by = models.ForeignKey(
        USER, verbose_name=_("refused by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    refused_at = models.DateTimeField(_("refused at"), null=True, blank=True)
    refusal_reason = models.CharField(_("reason for refusal"), max_length=255, blank=True)
    # the pickup leg
    pickup_carrier = models.CharField(_("pickup carrier"), max_length=64, blank=True)
    pickup_tracking_number = models.CharField(
        _("pickup tracking number"), max_length=64, blank=True, db_index=True
    )
    picked_up_at = models.DateTimeField(_("picked up at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    # the inspection on receipt
    inspection_result = models.CharField(
        _("inspection result"), max_length=20, choices=InspectionResult.choices, blank=True
    )
    inspection_note = models.TextField(_("inspection note"), blank=True)
    inspected_by = models.ForeignKey(
        USER,
        verbose_name=_("inspected by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    inspected_at = models.DateTimeField(_("inspected at"), null=True, blank=True)
    returned_part = models.ForeignKey(
        "catalog.Part",
        verbose_name=_("part taken into stock"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    returned_quantity = models.PositiveIntegerField(_("quantity taken into stock"), null=True, blank=True)
    returned_to = models.ForeignKey(
        "parts.Warehouse",
        verbose_name=_("defective location"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # the replacement leg (exchanges)
    replacement_carrier = models.CharField(_("replacement carrier"), max_length=64, blank=True)
    replacement_tracking_number = models.CharField(
        _("replacement tracking number"), max_length=64, blank=True, db_index=True
    )
    replacement_serial_number = models.CharField(_("replacement serial number"), max_length=64, blank=True)
    replacement_shipped_at = models.DateTimeField(_("replacement shipped at"), null=True, blank=True)
    replacement_delivered_at = models.DateTimeField(_("replacement delivered at"), null=True, blank=True)
    # the refund (returns)
    refund_amount = models.DecimalField(
        _("refund amount"), max_digits=MAX_DIGITS, decimal_places=2, null=True, blank=True
    )
    refund_method = models.CharField(
        _("refund method"), max_length=16, choices=RefundMethod.choices, blank=True
    )
    refund_reference = models.CharField(_("refund reference"), max_length=64, blank=True)
    refunded_by = models.ForeignKey(
        USER, verbose_name=_("refunded by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)
    # customer service's follow-up, then the end
    follow_up_due_on = models.DateField(_("follow up by"), null=True, blank=True, db_index=True)
    follow_up_note = models.TextField(_("follow-up note"), blank=True)
    followed_up_by = models.ForeignKey(
        USER,
        verbose_name=_("followed up by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    followed_up_at = models.DateTimeField(_("followed up at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=255, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("return or exchange request")
        verbose_name_plural = _("return and exchange requests")
        indexes = [
            models.Index(fields=["state", "created_at", "id"], name="returns_state_sort"),
            models.Index(fields=["customer", "created_at", "id"], name="returns_customer_sort"),
            models.Index(fields=["dealer", "created_at", "id"], name="returns_dealer_sort"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def product_label(self) -> str:
        if self.product_model_id:
            return str(self.product_model)
        return self.product_text

    @property
    def is_exchange(self) -> bool:
        return self.kind == ReturnKind.EXCHANGE


def photo_path(instance: ReturnPhoto, filename: str) -> str:
    """Stored under a generated name, catalogued by month; the original name is kept aside."""
    from django.utils import timezone

    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"returns/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class ReturnPhoto(TimeStampedModel):
    """A photo of the product (its condition, the fault, the packaging, the invoice), recognised
    as an image by its content; addressed by its random `uuid`, never its sequential id (R41)."""

    uuid = models.UUIDField(_("key"), default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(
        ReturnRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="photos"
    )
    file = models.FileField(_("photo"), upload_to=photo_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=64)
    size = models.PositiveIntegerField(_("size"))
    description = models.CharField(_("description"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(USER, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.original_name


class ReturnEvent(AppendOnlyModel):
    """A step of a request (R33, R41): who, when, from which state to which, the user's note and
    what the step recorded (`params`: the carrier and tracking number, the rules checked...)."""

    request = models.ForeignKey(
        ReturnRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("action"), max_length=32)
    from_state = models.CharField(_("from"), max_length=20, choices=ReturnState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=ReturnState.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    actor = models.ForeignKey(
        USER, verbose_name=_("by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("return request step")
        verbose_name_plural = _("return request steps")

    def __str__(self) -> str:
        return f"{self.request_id} {self.action}"
