"""Parts and the dealer network (R28-R32): warehouses in three tiers, an append-only stock ledger
with a balance per warehouse and part that never goes negative, transfers, counts, reorder alerts,
dealers' part requests and accounts, old parts and warranty reimbursement claims.

Quantities are whole units (parts are counted, not weighed). Stock is valued at moving average
cost: a receipt brings its unit cost (HQ's purchase price or the cost price list, R30), an issue
takes the balance's average, so the value of a balance is always the sum of its moves' values and
falls to exactly zero with the last unit (no residue that a standard cost would leave when the
price list changes).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import AppendOnlyModel, TimeStampedModel
from aftersales.core.money import MAX_DIGITS

from .choices import (
    ClaimState,
    CountState,
    EntryKind,
    InspectionResult,
    LineDecision,
    MoveKind,
    OldPartState,
    PartRequestState,
    ShipmentState,
    TransferState,
    WarehouseKind,
)

USER = settings.AUTH_USER_MODEL


def _amount(verbose_name, **options) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=MAX_DIGITS, decimal_places=2, **options)


def _quantity(verbose_name=None, **options) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(
        verbose_name or _("quantity"), validators=[MinValueValidator(1)], **options
    )


class Step(AppendOnlyModel):
    """A step of one of this app's lifecycles (R41): who, when, from which state to which, and
    their note. Each document's steps are a subclass naming the document and its states."""

    action = models.CharField(_("action"), max_length=32)
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(
        USER, verbose_name=_("by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]


def _states(choices) -> tuple[models.CharField, models.CharField]:
    """The step's `from_state` and `to_state`, in the document's states."""
    return (
        models.CharField(_("from"), max_length=16, choices=choices, blank=True),
        models.CharField(_("to"), max_length=16, choices=choices, blank=True),
    )


class Warehouse(TimeStampedModel):
    """A place that holds parts (R32): HQ, a service point, an engineer's van, or a defective
    location (HQ's or a service point's) where old parts wait apart from good stock."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=128)
    kind = models.CharField(_("kind"), max_length=16, choices=WarehouseKind.choices)
    service_point = models.ForeignKey(
        "accounts.ServicePoint",
        verbose_name=_("service point"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="warehouses",
        help_text=_("Empty for HQ's warehouses."),
    )
    engineer = models.OneToOneField(
        "accounts.Engineer",
        verbose_name=_("engineer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="van",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=WarehouseKind.VAN) | Q(engineer__isnull=False),
                name="parts_warehouse_van_has_engineer",
                violation_error_message=_("A van belongs to an engineer."),
            ),
            models.CheckConstraint(
                condition=~Q(kind=WarehouseKind.SERVICE_POINT) | Q(service_point__isnull=False),
                name="parts_warehouse_point_has_service_point",
                violation_error_message=_("A service point's warehouse names its service point."),
            ),
            models.UniqueConstraint(
                fields=["service_point", "kind"],
                condition=Q(kind__in=[WarehouseKind.SERVICE_POINT, WarehouseKind.DEFECTIVE]),
                name="parts_warehouse_one_per_point_and_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StockBalance(models.Model):
    """On hand, in transit towards and reserved in one warehouse for one part, and the value at
    cost. Kept in the same transaction as the moves that change it, under a row lock, with
    constraints as the backstop: it never goes negative (R32)."""

    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="balances"
    )
    part = models.ForeignKey(
        "catalog.Part", verbose_name=_("part"), on_delete=models.PROTECT, related_name="balances"
    )
    on_hand = models.IntegerField(_("on hand"), default=0)
    in_transit = models.IntegerField(_("in transit"), default=0)
    reserved = models.IntegerField(_("reserved"), default=0)
    value = _amount(_("value at cost"), default=Decimal("0.00"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["warehouse", "part"]
        verbose_name = _("stock balance")
        verbose_name_plural = _("stock balances")
        constraints = [
            models.UniqueConstraint(fields=["part", "warehouse"], name="parts_stockbalance_unique"),
            models.CheckConstraint(
                condition=Q(on_hand__gte=0), name="parts_stockbalance_on_hand_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(in_transit__gte=0), name="parts_stockbalance_in_transit_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(reserved__gte=0), name="parts_stockbalance_reserved_not_negative"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="parts_stockbalance_value_not_negative"),
        ]
        indexes = [models.Index(fields=["warehouse", "part"], name="parts_balance_wh_part")]

    def __str__(self) -> str:
        return f"{self.warehouse} {self.part_id}: {self.on_hand}"

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def projected(self) -> int:
        """What the warehouse will hold once what is on its way arrives (reorder points use it)."""
        return self.on_hand + self.in_transit - self.reserved


class StockMove(AppendOnlyModel):
    """One line of the stock ledger (R32, R41): never changed, never deleted; a correction is a
    new move. `quantity` is signed (in > 0, out < 0), `value` likewise; `quantity_after` and
    `value_after` are read off the locked balance, so the ledger replays to the balance."""

    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="moves"
    )
    part = models.ForeignKey(
        "catalog.Part", verbose_name=_("part"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=MoveKind.choices)
    quantity = models.IntegerField(_("quantity"))
    unit_cost = models.DecimalField(_("unit cost"), max_digits=MAX_DIGITS, decimal_places=2)
    value = _amount(_("value"))
    quantity_after = models.IntegerField(_("on hand after"))
    value_after = _amount(_("value after"))
    reference = models.CharField(_("document"), max_length=32, blank=True, db_index=True)
    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        verbose_name=_("work order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stock_moves",
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    posted_by = models.ForeignKey(
        USER, verbose_name=_("by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    posted_at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        ordering = ["-posted_at", "-id"]
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")
        indexes = [
            models.Index(fields=["warehouse", "part", "-id"], name="parts_move_wh_part"),
            models.Index(fields=["part", "-id"], name="parts_move_part"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.part_id} {self.quantity:+d} @ {self.warehouse_id}"


class ReorderRule(TimeStampedModel):
    """Keep at least `minimum` of a part in a warehouse (by projected quantity); below it a stock
    alert suggests ordering up to `target` (R32)."""

    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.CASCADE, related_name="reorder_rules"
    )
    part = models.ForeignKey(
        "catalog.Part", verbose_name=_("part"), on_delete=models.CASCADE, related_name="+"
    )
    minimum = models.PositiveIntegerField(_("reorder point"))
    target = models.PositiveIntegerField(_("order up to"))

    class Meta:
        ordering = ["warehouse", "part"]
        verbose_name = _("reorder rule")
        verbose_name_plural = _("reorder rules")
        constraints = [
            models.UniqueConstraint(fields=["part", "warehouse"], name="parts_reorderrule_unique"),
            models.CheckConstraint(
                condition=Q(target__gt=models.F("minimum")),
                name="parts_reorderrule_target_above_minimum",
                violation_error_message=_("Order up to a quantity above the reorder point."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.warehouse} {self.part_id} ≥ {self.minimum}"


class StockAlert(TimeStampedModel):
    """A part fell to or below its reorder point in a warehouse: one open alert per crossing, closed
    when the projected quantity is back above the point (R32)."""

    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.CASCADE, related_name="alerts"
    )
    part = models.ForeignKey(
        "catalog.Part", verbose_name=_("part"), on_delete=models.CASCADE, related_name="+"
    )
    projected = models.IntegerField(_("projected quantity"))
    minimum = models.PositiveIntegerField(_("reorder point"))
    suggested_quantity = models.PositiveIntegerField(_("suggested order"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("stock alert")
        verbose_name_plural = _("stock alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["part", "warehouse"],
                condition=Q(resolved_at__isnull=True),
                name="parts_stockalert_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.warehouse} {self.part_id}: {self.projected} ≤ {self.minimum}"


class StockTransfer(TimeStampedModel):
    """Parts sent from one warehouse to another (调拨): shipped → in transit → received (R32)."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    source = models.ForeignKey(
        Warehouse, verbose_name=_("from"), on_delete=models.PROTECT, related_name="transfers_out"
    )
    destination = models.ForeignKey(
        Warehouse, verbose_name=_("to"), on_delete=models.PROTECT, related_name="transfers_in"
    )
    state = models.CharField(
        _("state"), max_length=16, choices=TransferState.choices, default=TransferState.DRAFT, db_index=True
    )
    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        verbose_name=_("for work order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stock_transfers",
    )
    carrier = models.CharField(_("carrier"), max_length=64, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=64, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    shipped_by = models.ForeignKey(
        USER, verbose_name=_("shipped by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    received_by = models.ForeignKey(
        USER, verbose_name=_("received by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("stock transfer")
        verbose_name_plural = _("stock transfers")
        constraints = [
            models.CheckConstraint(
                condition=~Q(source=models.F("destination")),
                name="parts_stocktransfer_not_to_itself",
                violation_error_message=_("A transfer goes to another warehouse."),
            )
        ]

    def __str__(self) -> str:
        return self.number


class TransferLine(models.Model):
    transfer = models.ForeignKey(
        StockTransfer, verbose_name=_("transfer"), on_delete=models.CASCADE, related_name="lines"
    )
    part = models.ForeignKey(
        "catalog.Part", verbose_name=_("part"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = _quantity()
    value = _amount(_("value at cost"), default=Decimal("0.00"), help_text=_("Set when shipped."))

    class Meta:
        ordering = ["transfer", "id"]
        verbose_name = _("transfer line")
        verbose_name_plural = _("transfer lines")
        constraints = [
            models.UniqueConstraint(fields=["transfer", "part"], name="parts_transferline_unique_part")
        ]

    def __str__(self) -> str:
        return f"{self.part_id} ×{self.quantity}"


class TransferEvent(Step):
    """A step of a transfer (R32, R41): who, when, from which state to which, and their note."""

    transfer = models.ForeignKey(
        StockTransfer, verbose_name=_("transfer"), on_delete=models.CASCADE, related_name="events"
    )
    from_state, to_state = _states(TransferState.choices)

    class Meta(Step.Meta):
        verbose_name = _("transfer step")
        verbose_name_plural = _("transfer steps")

    def __str__(self) -> str:
        return f"{self.transfer_id} {self.action}"


class StockCount(TimeStampedModel):
    """A stock count (盘点) of one warehouse: the sheet lists what the ledger expects, counters enter
    what they find, a supervisor approves, and the differences post as adjustment moves."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="counts"
    )
    state = models.CharField(_("state"), max_length=16, choices=CountState.choices, default=CountState.DRAFT)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        USER, verbose_name=_("approved by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("stock count")
        verbose_name_plural = _("stock counts")

    def __str__(self) -> str:
        return self.number


class StockCountLine(models.Model):
    count = models.ForeignKey(
        StockCount, verbose_name=_("count"), on_delete=models.CASCADE, related_name="lines"
    )
    part = models.ForeignKey(
        "catalog.Part", verbose_name=_("part"), on_delete=models.PROTECT, related_name="+"
    )
    expected = models.IntegerField(_("expected"))
    counted = models.PositiveIntegerField(_("counted"), null=True, blank=True)

    class Meta:
        ordering = ["count", "part__number"]
        verbose_name = _("count line")
        verbose_name_plural = _("count lines")
        constraints = [models.UniqueConstraint(fields=["count", "part"], name="parts_countline_unique_part")]

    def __str__(self) -> str:
        return f"{self.part_id}: {self.expected} → {self.counted}"

    @property
    def difference(self) -> int | None:
        return None if self.counted is None else self.counted - self.expected


class CountEvent(Step):
    """A step of a stock count (R32, R41): who, when, from which state to which, and their note."""

    count = models.ForeignKey(
        StockCount, verbose_name=_("count"), on_delete=models.CASCADE, related_name="events"
    )
    from_state, to_state = _states(CountState.choices)

    class Meta(Step.Meta):
        verbose_name = _("count step")
        verbose_name_plural = _("count steps")

    def __str__(self) -> str:
        return f"{self.count_id} {self.action}"


class DealerAccount(TimeStampedModel):
    """What a dealer owes HQ (positive) or is owed (negative), as the sum of its entries; a purchase
    that would take the balance over `credit_limit` waits for finance's approval."""

    dealer = models.OneToOneField(
        "accounts.Dealer", verbose_name=_("dealer"), on_delete=models.PROTECT, related_name="account"
    )
    balance = _amount(_("balance owed"), default=Decimal("0.00"))
    credit_limit = _amount(_("credit limit"), null=True, blank=True, validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["dealer"]
        verbose_name = _("dealer account")
        verbose_name_plural = _("dealer accounts")

    def __str__(self) -> str:
        return str(self.dealer)


class PartRequest(TimeStampedModel):
    """售后服务配件申请单 (R28): a dealer's service centre asks HQ for parts; HQ confirms items, unit
    costs from the cost price list (R30) and a ship date; the dealer accepts; finance debits the
    account; HQ's warehouse ships (a transfer in transit); the service point receives."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    dealer = models.ForeignKey(
        "accounts.Dealer", verbose_name=_("dealer"), on_delete=models.PROTECT, related_name="part_requests"
    )
    service_point = models.ForeignKey(
        "accounts.ServicePoint", verbose_name=_("deliver to"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=PartRequestState.choices,
        default=PartRequestState.DRAFT,
        db_index=True,
    )
    note = models.TextField(_("note"), blank=True)
    total = _amount(_("total at cost"), default=Decimal("0.00"))
    expected_ship_date = models.DateField(_("estimated ship date"), null=True, blank=True)
    needs_credit_approval = models.BooleanField(_("over the credit limit"), default=False)
    credit_approved_by = models.ForeignKey(
        USER,
        verbose_name=_("credit approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    transfer = models.OneToOneField(
        StockTransfer,
        verbose_name=_("shipment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="part_request",
    )
    reject_reason = models.CharField(_("reason"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        USER,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    debited_at = models.DateTimeField(_("debited at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("part request")
        verbose_name_plural = _("part requests")

    def __str__(self) -> str:
        return self.number


class PartRequestLine(models.Model):
    request = models.ForeignKey(
        PartRequest, verbose_name=_("part request"), on_delete=models.CASCADE, related_name="lines"
    )
    part = models.ForeignKey(
        "catalog.Part", verbose_name=_("part"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = _quantity()
    confirmed_quantity = models.PositiveIntegerField(_("confirmed quantity"), null=True, blank=True)
    unit_cost = models.DecimalField(
        _("unit cost"), max_digits=MAX_DIGITS, decimal_places=2, null=True, blank=True
    )
    amount = _amount(_("amount"), default=Decimal("0.00"))

    class Meta:
        ordering = ["request", "id"]
        verbose_name = _("part request line")
        verbose_name_plural = _("part request lines")
        constraints = [
            models.UniqueConstraint(fields=["request", "part"], name="parts_requestline_unique_part")
        ]

    def __str__(self) -> str:
        return f"{self.part_id} ×{self.quantity}"


class PartRequestEvent(Step):
    """A step of a part request (R28, R41): who, when, from which state to which, and their note."""

    request = models.ForeignKey(
        PartRequest, verbose_name=_("part request"), on_delete=models.CASCADE, related_name="events"
    )
    from_state, to_state = _states(PartRequestState.choices)

    class Meta(Step.Meta):
        verbose_name = _("part request step")
        verbose_name_plural = _("part request steps")

    def __str__(self) -> str:
        return f"{self.request_id} {self.action}"


class OldPartShipment(TimeStampedModel):
    """A batch of reported old parts sent from a service point to HQ and inspected there (R29)."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    service_point = models.ForeignKey(
        "accounts.ServicePoint",
        verbose_name=_("from service point"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(
        _("state"), max_length=16, choices=ShipmentState.choices, default=ShipmentState.DRAFT
    )
    carrier = models.CharField(_("carrier"), max_length=64, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("old-part shipment")
        verbose_name_plural = _("old-part shipments")

    def __str__(self) -> str:
        return self.number


class OldPartShipmentEvent(Step):
    """A step of an old-part shipment (R29, R41): who, when, from which state to which, and their note."""

    shipment = models.ForeignKey(
        OldPartShipment, verbose_name=_("shipment"), on_delete=models.CASCADE, related_name="events"
    )
    from_state, to_state = _states(ShipmentState.choices)

    class Meta(Step.Meta):
        verbose_name = _("shipment step")
        verbose_name_plural = _("shipment steps")

    def __str__(self) -> str:
        return f"{self.shipment_id} {self.action}"


class OldPart(TimeStampedModel):
    """旧件 (R29): a part taken out of a device under warranty, numbered and labelled, registered into
    the service point's defective location and reported to HQ by `report_due`; a dealer that does
    not report it in time is charged the out-of-warranty price once."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        verbose_name=_("work order"),
        on_delete=models.PROTECT,
        related_name="old_parts",
    )
    part = models.ForeignKey(
        "catalog.Part", verbose_name=_("part"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = _quantity(default=1)
    serial_number = models.CharField(_("serial number"), max_length=64, blank=True)
    service_point = models.ForeignKey(
        "accounts.ServicePoint", verbose_name=_("service point"), on_delete=models.PROTECT, related_name="+"
    )
    dealer = models.ForeignKey(
        "accounts.Dealer",
        verbose_name=_("dealer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="old_parts",
    )
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=OldPartState.choices,
        default=OldPartState.REGISTERED,
        db_index=True,
    )
    unit_cost = models.DecimalField(_("unit cost"), max_digits=MAX_DIGITS, decimal_places=2)
    replaced_at = models.DateTimeField(_("replaced at"))
    report_due = models.DateField(_("report by"), db_index=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    condition = models.CharField(_("condition"), max_length=255, blank=True)
    photo = models.FileField(_("photo"), upload_to="old-parts/%Y/%m/", blank=True)
    shipment = models.ForeignKey(
        OldPartShipment,
        verbose_name=_("shipment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="old_parts",
    )
    inspection_result = models.CharField(
        _("inspection result"), max_length=16, choices=InspectionResult.choices, blank=True
    )
    inspection_note = models.CharField(_("inspection note"), max_length=255, blank=True)
    inspected_at = models.DateTimeField(_("inspected at"), null=True, blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("registered by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("old part")
        verbose_name_plural = _("old parts")

    def __str__(self) -> str:
        return self.number


class OldPartEvent(Step):
    """A step of an old part (R29, R41): registered, reported, shipped, received, inspected, a
    penalty charged or reversed: who, when, from which state to which, and their note."""

    old_part = models.ForeignKey(
        OldPart, verbose_name=_("old part"), on_delete=models.CASCADE, related_name="events"
    )
    from_state, to_state = _states(OldPartState.choices)

    class Meta(Step.Meta):
        verbose_name = _("old-part step")
        verbose_name_plural = _("old-part steps")

    def __str__(self) -> str:
        return f"{self.old_part_id} {self.action}"


class ReimbursementClaim(TimeStampedModel):
    """保修期内配件费用报销单 (R31): one per dealer and month, built on the 3rd from the in-warranty
    parts its service points used, reviewed line by line by HQ and credited to its account once."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    dealer = models.ForeignKey(
        "accounts.Dealer", verbose_name=_("dealer"), on_delete=models.PROTECT, related_name="claims"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month claimed."))
    state = models.CharField(
        _("state"), max_length=16, choices=ClaimState.choices, default=ClaimState.IN_REVIEW, db_index=True
    )
    claimed_total = _amount(_("claimed"), default=Decimal("0.00"))
    approved_total = _amount(_("approved"), default=Decimal("0.00"))
    reviewed_by = models.ForeignKey(
        USER, verbose_name=_("reviewed by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    credited_at = models.DateTimeField(_("credited at"), null=True, blank=True)

    class Meta:
        ordering = ["-month", "dealer"]
        verbose_name = _("reimbursement claim")
        verbose_name_plural = _("reimbursement claims")
        constraints = [
            models.UniqueConstraint(fields=["dealer", "month"], name="parts_claim_one_per_dealer_month")
        ]

    def __str__(self) -> str:
        return self.number


class ClaimLine(models.Model):
    """One in-warranty part on a claim; an old part is claimed once."""

    claim = models.ForeignKey(
        ReimbursementClaim, verbose_name=_("claim"), on_delete=models.CASCADE, related_name="lines"
    )
    old_part = models.OneToOneField(
        OldPart, verbose_name=_("old part"), on_delete=models.PROTECT, related_name="claim_line"
    )
    quantity = _quantity()
    unit_cost = models.DecimalField(_("unit cost"), max_digits=MAX_DIGITS, decimal_places=2)
    amount = _amount(_("amount"))
    decision = models.CharField(
        _("decision"), max_length=16, choices=LineDecision.choices, default=LineDecision.PENDING
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)

    class Meta:
        ordering = ["claim", "id"]
        verbose_name = _("claim line")
        verbose_name_plural = _("claim lines")

    def __str__(self) -> str:
        return f"{self.old_part_id}: {self.amount}"


class ClaimEvent(Step):
    """A step of a reimbursement claim (R31, R41): built, a line approved or rejected, approved,
    credited: who, when, from which state to which, and their note."""

    claim = models.ForeignKey(
        ReimbursementClaim, verbose_name=_("claim"), on_delete=models.CASCADE, related_name="events"
    )
    from_state, to_state = _states(ClaimState.choices)

    class Meta(Step.Meta):
        verbose_name = _("claim step")
        verbose_name_plural = _("claim steps")

    def __str__(self) -> str:
        return f"{self.claim_id} {self.action}"


class AccountEntry(AppendOnlyModel):
    """One line of a dealer's account (R28-R31, R41): never changed; a mistake is reversed by a new
    entry. `amount` is positive for a debit (the dealer owes more), negative for a credit;
    `balance_after` is read off the locked account. A source document is debited or credited once
    (partial unique constraints), so a job that runs twice changes nothing the second time."""

    account = models.ForeignKey(
        DealerAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="entries"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EntryKind.choices)
    amount = _amount(_("amount"))
    balance_after = _amount(_("balance after"))
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    reference = models.CharField(_("document"), max_length=32, blank=True)
    part_request = models.ForeignKey(
        PartRequest,
        verbose_name=_("part request"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    old_part = models.ForeignKey(
        OldPart, verbose_name=_("old part"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    claim = models.ForeignKey(
        ReimbursementClaim,
        verbose_name=_("claim"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    posted_by = models.ForeignKey(
        USER, verbose_name=_("by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    posted_at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        ordering = ["-posted_at", "-id"]
        verbose_name = _("account entry")
        verbose_name_plural = _("account entries")
        indexes = [models.Index(fields=["account", "-posted_at"], name="parts_entry_account_time")]
        constraints = [
            models.UniqueConstraint(
                fields=["part_request"],
                condition=Q(kind=EntryKind.PART_PURCHASE),
                name="parts_entry_request_once",
            ),
            models.UniqueConstraint(
                fields=["old_part"],
                condition=Q(kind=EntryKind.OLD_PART_PENALTY),
                name="parts_entry_penalty_once",
            ),
            models.UniqueConstraint(
                fields=["claim"], condition=Q(kind=EntryKind.REIMBURSEMENT), name="parts_entry_claim_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"
