"""Technical work on a work order (R6, R8, R13, R14): remote sessions, service plans, depot repairs
with their process record, external repair vendors, send-outs and their follow-ups.

Every `state` changes only through the machines of `transitions.py`, run by
`core.transitions.transition_run` (row locked, event written on the work order's timeline)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.choices import FeeKind, PartCategory
from aftersales.core.models import AppendOnlyModel, TimeStampedModel
from aftersales.core.phones import validate_phone
from aftersales.devices.choices import Payer
from aftersales.notifications.choices import Channel as MessageChannel

from .choices import (
    ConfirmationMethod,
    DepotState,
    ExclusionReason,
    ExternalState,
    FeeBasis,
    FollowUpKind,
    PlanState,
    RemoteMethod,
    RemoteState,
    SendOutReason,
    WarrantyState,
)

USER = settings.AUTH_USER_MODEL


class RemoteSession(TimeStampedModel):
    """R6: remote service first (phone, remote desktop, email). The steps taken are recorded and the
    outcome is either solved (the work order may be completed) or escalated to an on-site visit."""

    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        verbose_name=_("work order"),
        on_delete=models.PROTECT,
        related_name="remote_sessions",
    )
    method = models.CharField(_("method"), max_length=16, choices=RemoteMethod.choices)
    state = models.CharField(
        _("state"), max_length=16, choices=RemoteState.choices, default=RemoteState.OPEN, db_index=True
    )
    steps = models.TextField(_("steps taken"))
    result = models.TextField(_("outcome"), blank=True)
    performed_by = models.ForeignKey(
        USER, verbose_name=_("engineer"), on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = _("remote service session")
        verbose_name_plural = _("remote service sessions")

    def __str__(self) -> str:
        return f"{self.get_method_display()} {timezone.localtime(self.started_at):%Y-%m-%d %H:%M}"


class ServicePlan(TimeStampedModel):
    """R8: the plan the customer confirms before work starts: measures, resources (parts, tools),
    estimated duration and whether fees apply with their basis (prices come with the quote).

    A revision is a new row (`revision` 2, 3 ...) linked to the one it replaces, which becomes
    "revised". Revisions beyond the free ones need a supervisor's approval before they are sent."""

    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        verbose_name=_("work order"),
        on_delete=models.PROTECT,
        related_name="service_plans",
    )
    revision = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("revision of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_revision",
    )
    revision_reason = models.TextField(_("reason for the revision"), blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=PlanState.choices, default=PlanState.DRAFT, db_index=True
    )
    measures = models.TextField(_("measures"))
    parts = models.TextField(_("parts needed"), blank=True)
    tools = models.TextField(_("tools needed"), blank=True)
    estimated_hours = models.DecimalField(
        _("estimated duration (hours)"),
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(0)],
    )
    fees_apply = models.BooleanField(_("fees apply"), default=False)
    fee_basis = models.CharField(_("basis of the fees"), max_length=20, choices=FeeBasis.choices, blank=True)
    fee_note = models.TextField(_("charging standard"), blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("drawn up by"), on_delete=models.PROTECT, related_name="+"
    )
    needs_approval = models.BooleanField(_("needs a supervisor's approval"), default=False)
    approved_by = models.ForeignKey(
        USER, verbose_name=_("approved by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_via = models.CharField(_("sent via"), max_length=16, choices=MessageChannel.choices, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by_name = models.CharField(_("confirmed by (customer)"), max_length=64, blank=True)
    confirmation_method = models.CharField(
        _("confirmed how"), max_length=16, choices=ConfirmationMethod.choices, blank=True
    )
    recorded_by = models.ForeignKey(
        USER,
        verbose_name=_("answer recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rejected_at = models.DateTimeField(_("rejected at"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for the rejection"), blank=True)

    class Meta:
        ordering = ["work_order", "revision"]
        verbose_name = _("service plan")
        verbose_name_plural = _("service plans")
        constraints = [
            models.UniqueConstraint(fields=["work_order", "revision"], name="servicing_plan_revision_unique"),
            models.CheckConstraint(
                condition=models.Q(fees_apply=False, fee_basis="")
                | (models.Q(fees_apply=True) & ~models.Q(fee_basis="")),
                name="servicing_plan_fee_basis_iff_fees",
            ),
        ]

    def __str__(self) -> str:
        return _("Service plan v%(revision)s") % {"revision": self.revision}

    @property
    def awaits_approval(self) -> bool:
        return self.needs_approval and self.approved_at is None


class Vendor(TimeStampedModel):
    """R14: an outside repair station a device can be sent to (contacted before sending)."""

    name = models.CharField(_("name"), max_length=128, unique=True)
    contact_name = models.CharField(_("contact person"), max_length=64)
    phone = models.CharField(_("phone"), max_length=20, validators=[validate_phone])
    address = models.CharField(_("address"), max_length=255, blank=True)
    product_lines = models.ManyToManyField(
        "catalog.ProductLine",
        verbose_name=_("product lines repaired"),
        blank=True,
        help_text=_("Empty: repairs every product line."),
    )
    lead_time_days = models.PositiveSmallIntegerField(
        _("typical lead time (days)"), default=7, validators=[MinValueValidator(1)]
    )
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("repair vendor")
        verbose_name_plural = _("repair vendors")

    def __str__(self) -> str:
        return self.name


class DepotRepair(TimeStampedModel):
    """R13: a device brought in and repaired at the service point (维修服务单): intake inspection of
    appearance and configuration with photos, warranty check, repair with its process record, the
    decision to send it out (R14), self re-check, and hand-back confirmed by the customer.
    At most one depot repair of a work order is open at a time."""

    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        verbose_name=_("work order"),
        on_delete=models.PROTECT,
        related_name="depot_repairs",
    )
    number = models.CharField(_("repair order number"), max_length=20, unique=True)
    state = models.CharField(
        _("state"), max_length=16, choices=DepotState.choices, default=DepotState.RECEIVED, db_index=True
    )
    accessories = models.TextField(_("received with"), blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    received_by = models.ForeignKey(
        USER, verbose_name=_("received by"), on_delete=models.PROTECT, related_name="+"
    )
    appearance = models.TextField(_("appearance"), blank=True)
    configuration = models.TextField(_("configuration"), blank=True)
    fault_found = models.TextField(_("fault found"), blank=True)
    photos = models.ManyToManyField(
        "workorders.Attachment", verbose_name=_("intake photos"), blank=True, related_name="+"
    )
    inspected_at = models.DateTimeField(_("inspected at"), null=True, blank=True)
    inspected_by = models.ForeignKey(
        USER,
        verbose_name=_("inspected by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    warranty = models.CharField(_("warranty"), max_length=8, choices=WarrantyState.choices, blank=True)
    warranty_until = models.DateField(_("warranty until"), null=True, blank=True)
    repair_started_at = models.DateTimeField(_("repair started at"), null=True, blank=True)
    repaired_by = models.ForeignKey(
        USER, verbose_name=_("repaired by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recheck_result = models.TextField(_("re-check result"), blank=True)
    rechecked_at = models.DateTimeField(_("re-checked at"), null=True, blank=True)
    rechecked_by = models.ForeignKey(
        USER,
        verbose_name=_("re-checked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handed_back_at = models.DateTimeField(_("handed back at"), null=True, blank=True)
    handed_back_to = models.CharField(_("handed back to"), max_length=64, blank=True)
    handover_method = models.CharField(
        _("customer confirmed how"), max_length=16, choices=ConfirmationMethod.choices, blank=True
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("depot repair")
        verbose_name_plural = _("depot repairs")
        constraints = [
            models.UniqueConstraint(
                fields=["work_order"],
                condition=~models.Q(state="handed_back"),
                name="servicing_depot_one_open_per_work_order",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class RepairLogEntry(AppendOnlyModel):
    """One line of the product repair process record (产品维修过程记录): when, who, what was done
    and what was measured. Never edited: a correction is a new line."""

    depot_repair = models.ForeignKey(
        DepotRepair, verbose_name=_("depot repair"), on_delete=models.CASCADE, related_name="entries"
    )
    performed_at = models.DateTimeField(_("time"), default=timezone.now)
    performed_by = models.ForeignKey(USER, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    work_done = models.TextField(_("work done"))
    measurements = models.TextField(_("measurements"), blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["performed_at", "id"]
        verbose_name = _("repair process record entry")
        verbose_name_plural = _("repair process record entries")

    def __str__(self) -> str:
        return self.work_done[:40]


class DepotRepairPart(TimeStampedModel):
    """A part replaced in a depot repair (R12, R13): issued from the service point's store (R32),
    its warranty cover decided when recorded (R36); a covered part leaves an old part for HQ when
    the device is handed back (R29)."""

    depot_repair = models.ForeignKey(
        DepotRepair, verbose_name=_("depot repair"), on_delete=models.CASCADE, related_name="parts"
    )
    part_number = models.CharField(_("part number"), max_length=64)
    name = models.CharField(_("part name"), max_length=128)
    quantity = models.PositiveIntegerField(_("quantity"), default=1, validators=[MinValueValidator(1)])
    part = models.ForeignKey(
        "catalog.Part",
        verbose_name=_("catalog part"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    warehouse = models.ForeignKey(
        "parts.Warehouse",
        verbose_name=_("taken from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    covered = models.BooleanField(_("under warranty"), null=True, blank=True)
    cover_reason = models.CharField(_("why"), max_length=500, blank=True)
    old_serial_number = models.CharField(_("serial number of the part taken out"), max_length=64, blank=True)
    old_part = models.OneToOneField(
        "parts.OldPart",
        verbose_name=_("old part"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="depot_repair_part",
    )
    created_by = models.ForeignKey(
        USER, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["depot_repair", "id"]
        verbose_name = _("part replaced in a depot repair")
        verbose_name_plural = _("parts replaced in depot repairs")

    def __str__(self) -> str:
        return f"{self.part_number} {self.name} ×{self.quantity}"


class ExternalRepair(TimeStampedModel):
    """R14: a send-out of a depot-repair device to a vendor, only for an in-warranty device or a
    fault beyond local ability (which one is recorded); the vendor was contacted first and the
    pickup voucher is kept. Followed up on a schedule until the device is back, re-checked, done;
    an unrepairable device is re-sent to another vendor (a new send-out linked to this one)."""

    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        verbose_name=_("work order"),
        on_delete=models.PROTECT,
        related_name="external_repairs",
    )
    depot_repair = models.ForeignKey(
        DepotRepair, verbose_name=_("depot repair"), on_delete=models.PROTECT, related_name="external_repairs"
    )
    vendor = models.ForeignKey(
        Vendor, verbose_name=_("vendor"), on_delete=models.PROTECT, related_name="external_repairs"
    )
    previous = models.OneToOneField(
        "self",
        verbose_name=_("re-sent after"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_send_out",
    )
    state = models.CharField(
        _("state"), max_length=16, choices=ExternalState.choices, default=ExternalState.SENT, db_index=True
    )
    reason = models.CharField(_("reason for sending out"), max_length=16, choices=SendOutReason.choices)
    warranty = models.CharField(_("warranty"), max_length=8, choices=WarrantyState.choices, blank=True)
    vendor_contact = models.CharField(_("contacted at the vendor"), max_length=64)
    voucher_number = models.CharField(_("pickup voucher number"), max_length=64)
    voucher_photo = models.ForeignKey(
        "workorders.Attachment",
        verbose_name=_("pickup voucher photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now, db_index=True)
    sent_by = models.ForeignKey(USER, verbose_name=_("sent by"), on_delete=models.PROTECT, related_name="+")
    expected_back_on = models.DateField(_("expected back on"), db_index=True)
    returned_at = models.DateTimeField(_("received back at"), null=True, blank=True)
    vendor_report = models.TextField(_("vendor's repair report"), blank=True)
    recheck_result = models.TextField(_("re-check result"), blank=True)
    rechecked_at = models.DateTimeField(_("re-checked at"), null=True, blank=True)
    unrepairable_reason = models.TextField(_("why unrepairable"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    cost = models.DecimalField(
        _("cost (CNY)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("external repair")
        verbose_name_plural = _("external repairs")
        indexes = [models.Index(fields=["state", "sent_at"], name="servicing_ext_state_sent")]

    def __str__(self) -> str:
        return f"{self.vendor} · {self.voucher_number}"

    @property
    def is_overdue(self) -> bool:
        return self.state == ExternalState.SENT and timezone.localdate() > self.expected_back_on


class ExternalRepairFollowUp(AppendOnlyModel):
    """A follow-up of a device at a vendor (R14): a scheduled reminder written once per due date
    by the periodic job (its `key` makes it idempotent), or a contact logged by staff."""

    external_repair = models.ForeignKey(
        ExternalRepair, verbose_name=_("external repair"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=FollowUpKind.choices)
    key = models.CharField(_("idempotency key"), max_length=64, unique=True)
    sequence = models.PositiveSmallIntegerField(_("sequence number"))
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(
        USER, verbose_name=_("by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return self.key


class WarrantyExclusion(AppendOnlyModel):
    """R36: a line the warranty covers is charged after all, for a recorded reason (the whole
    repair when no line is named). Never edited: a supervisor's override changes the outcome."""

    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        verbose_name=_("work order"),
        on_delete=models.CASCADE,
        related_name="warranty_exclusions",
    )
    reason = models.CharField(_("reason"), max_length=24, choices=ExclusionReason.choices)
    kind = models.CharField(
        _("line"), max_length=16, choices=FeeKind.choices, blank=True, help_text=_("Empty: every line.")
    )
    part_category = models.CharField(
        _("part category"), max_length=16, choices=PartCategory.choices, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(USER, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("warranty exclusion")
        verbose_name_plural = _("warranty exclusions")

    def __str__(self) -> str:
        return str(ExclusionReason(self.reason).label)


class WarrantyOverride(AppendOnlyModel):
    """R36: a supervisor's decision on a work order's warranty, with the reason: the date cover
    counts from, or who pays one line. The latest one of each kind applies; all are kept."""

    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        verbose_name=_("work order"),
        on_delete=models.CASCADE,
        related_name="warranty_overrides",
    )
    start_on = models.DateField(_("warranty counted from"), null=True, blank=True)
    kind = models.CharField(_("line"), max_length=16, choices=FeeKind.choices, blank=True)
    part_category = models.CharField(
        _("part category"), max_length=16, choices=PartCategory.choices, blank=True
    )
    payer = models.CharField(_("paid by"), max_length=16, choices=Payer.choices, blank=True)
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(USER, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("warranty override")
        verbose_name_plural = _("warranty overrides")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_on__isnull=False) | (~models.Q(kind="") & ~models.Q(payer="")),
                name="servicing_override_says_what",
            )
        ]

    def __str__(self) -> str:
        return self.reason[:40]


class PurchaseProof(AppendOnlyModel):
    """R36: proof of purchase shown for a work order's device, e.g. a photo of the invoice: the
    file is one of the work order's attachments, the purchase date read off it counts when the
    warranty runs from the purchase (the latest proof's), unless a supervisor set the start."""

    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        verbose_name=_("work order"),
        on_delete=models.CASCADE,
        related_name="purchase_proofs",
    )
    attachment = models.OneToOneField(
        "workorders.Attachment", verbose_name=_("file"), on_delete=models.PROTECT, related_name="+"
    )
    purchased_on = models.DateField(_("purchase date"))
    invoice_number = models.CharField(_("invoice number"), max_length=64, blank=True)
    seller = models.CharField(_("seller"), max_length=128, blank=True)
    recorded_by = models.ForeignKey(USER, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("proof of purchase")
        verbose_name_plural = _("proofs of purchase")

    def __str__(self) -> str:
        return f"{self.purchased_on:%Y-%m-%d} {self.invoice_number}".strip()


class MaintenanceOccurrence(models.Model):
    """R35: one due date of a maintenance plan for one device of its contract, and the maintenance
    work order created for it. `due_on` is the date of the plan's schedule (the key: exactly one
    row, hence one work order, per plan, device and due date, however often and however many
    generators run); `service_on` is the working day it was moved to (the plan's shift, never
    past the contract's end), the day the work order asks for."""

    plan = models.ForeignKey(
        "devices.MaintenancePlan",
        verbose_name=_("maintenance plan"),
        on_delete=models.PROTECT,
        related_name="occurrences",
    )
    device = models.ForeignKey(
        "devices.Device", verbose_name=_("device"), on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("due on (schedule)"))
    service_on = models.DateField(_("service on (working day)"))
    work_order = models.OneToOneField(
        "workorders.WorkOrder",
        verbose_name=_("work order"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="maintenance_occurrence",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("maintenance occurrence")
        verbose_name_plural = _("maintenance occurrences")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "device", "due_on"], name="servicing_maintenance_once_per_due_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}/{self.device_id}/{self.due_on:%Y-%m-%d}"
