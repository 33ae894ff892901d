"""Installed devices: what a customer owns, found by serial number; warranty hangs on them, and
the service contracts sold on them (R35) with their maintenance plans."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import AppendOnlyModel, SearchWords, TimeStampedModel
from aftersales.core.money import MAX_DIGITS

from .choices import ContractKind, ContractState, DateShift, StartBasis


class Device(TimeStampedModel):
    """A serial-numbered unit of a product model; the serial is unique within its model."""

    product_model = models.ForeignKey(
        "catalog.ProductModel", verbose_name=_("product model"), on_delete=models.PROTECT
    )
    serial_number = models.CharField(_("serial number"), max_length=64, db_index=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="devices",
    )
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True, db_index=True)
    installed_on = models.DateField(_("installation date"), null=True, blank=True)
    activated_on = models.DateField(_("activation date"), null=True, blank=True)
    install_address = models.CharField(_("install address"), max_length=255, blank=True)
    card_fee_schedule = models.ForeignKey(
        "catalog.FeeSchedule",
        verbose_name=_("fee standard on the warranty card"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The edition of the fee standards printed on the device's warranty card (R10)."),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["serial_number"]
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        constraints = [
            models.UniqueConstraint(
                fields=["product_model", "serial_number"],
                name="devices_device_serial_unique_per_model",
            )
        ]

    def __str__(self) -> str:
        return f"{self.product_model.code} / {self.serial_number}"


class WarrantyPolicy(TimeStampedModel):
    """How long and what a product's warranty covers (R36): for a product model, a product line or
    everything, optionally in one province only; the most specific active policy applies. Cover is
    decided per kind of line (diagnosis, visit, labour, travel, parts by category), never for the
    work order as a whole."""

    name = models.CharField(_("name"), max_length=128)
    product_line = models.ForeignKey(
        "catalog.ProductLine",
        verbose_name=_("product line"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Empty: every product line."),
    )
    product_model = models.ForeignKey(
        "catalog.ProductModel",
        verbose_name=_("product model"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Empty: every model (of the product line)."),
    )
    province = models.CharField(
        _("province"),
        max_length=32,
        blank=True,
        help_text=_("Empty: everywhere (a regional variant names one)."),
    )
    months = models.PositiveSmallIntegerField(
        _("months"), null=True, blank=True, help_text=_("Empty: the product model's warranty months.")
    )
    start_basis = models.CharField(
        _("counted from"), max_length=16, choices=StartBasis.choices, default=StartBasis.PURCHASE
    )
    covers_diagnosis = models.BooleanField(_("covers the diagnosis fee"), default=True)
    covers_visit = models.BooleanField(_("covers the visit fee"), default=True)
    covers_labour = models.BooleanField(_("covers labour"), default=True)
    covers_travel = models.BooleanField(_("covers travel and logistics"), default=False)
    covers_normal_parts = models.BooleanField(_("covers normal parts"), default=True)
    covers_wear_parts = models.BooleanField(_("covers wear parts"), default=False)
    covers_consumables = models.BooleanField(_("covers consumables"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("warranty policy")
        verbose_name_plural = _("warranty policies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(months__isnull=True) | models.Q(months__gt=0),
                name="devices_policy_months_positive",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def specificity(self) -> tuple[int, int, int]:
        """Model over line over everything, then a regional variant over the national one."""
        return (self.product_model_id is not None, self.product_line_id is not None, bool(self.province))


class ServiceContract(TimeStampedModel):
    """R35: an extended warranty, a maintenance contract or both, sold to a customer on one or
    more of its devices for a term (`starts_on` to `ends_on`, both covered). While it is in force
    it covers the kinds of line it names (the same per-line flags as a warranty policy) with the
    contract as the payer; it includes `visits_included` maintenance visits; its maintenance
    plans generate maintenance work orders. Lifecycle: draft → active → expired | cancelled
    (`transitions.CONTRACT`)."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="contracts"
    )
    devices = models.ManyToManyField(Device, verbose_name=_("devices"), related_name="contracts")
    kind = models.CharField(_("kind"), max_length=20, choices=ContractKind.choices)
    state = models.CharField(
        _("state"), max_length=12, choices=ContractState.choices, default=ContractState.DRAFT, db_index=True
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), db_index=True)
    price = models.DecimalField(
        _("price"), max_digits=MAX_DIGITS, decimal_places=2, validators=[MinValueValidator(0)]
    )
    visits_included = models.PositiveSmallIntegerField(_("maintenance visits included"), default=0)
    covers_diagnosis = models.BooleanField(_("covers the diagnosis fee"), default=True)
    covers_visit = models.BooleanField(_("covers the visit fee"), default=True)
    covers_labour = models.BooleanField(_("covers labour"), default=True)
    covers_travel = models.BooleanField(_("covers travel and logistics"), default=False)
    covers_normal_parts = models.BooleanField(_("covers normal parts"), default=True)
    covers_wear_parts = models.BooleanField(_("covers wear parts"), default=False)
    covers_consumables = models.BooleanField(_("covers consumables"), default=False)
    sold_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sold by"), on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField(_("notes"), blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    expired_at = models.DateTimeField(_("expired at"), null=True, blank=True)
    expiry_reminded_at = models.DateTimeField(_("expiry reminder sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("service contract")
        verbose_name_plural = _("service contracts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")),
                name="devices_contract_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="devices_contract_price_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["state", "ends_on"], name="devices_contract_state_ends"),
            models.Index(fields=["customer", "created_at", "id"], name="devices_contract_customer"),
            models.Index(fields=["starts_on", "created_at", "id"], name="devices_contract_starts_sort"),
        ]

    def __str__(self) -> str:
        return self.number


class MaintenancePlan(TimeStampedModel):
    """R35: periodic maintenance of every device of a maintenance (or bundle) contract: due every
    `every_n_months` from `first_due_on` while the contract runs, a maintenance work order created
    `lead_days` before each due date; a due date on a non-working day moves to the working day
    before or after (`shift`), never past the contract's end. Inactive plans generate nothing."""

    contract = models.ForeignKey(
        ServiceContract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="plans"
    )
    every_n_months = models.PositiveSmallIntegerField(
        _("every (months)"), validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    lead_days = models.PositiveSmallIntegerField(
        _("work order created (days ahead)"), default=7, validators=[MaxValueValidator(90)]
    )
    first_due_on = models.DateField(_("first due on"))
    shift = models.CharField(
        _("on a non-working day"), max_length=8, choices=DateShift.choices, default=DateShift.EARLIER
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["contract", "first_due_on", "id"]
        verbose_name = _("maintenance plan")
        verbose_name_plural = _("maintenance plans")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(every_n_months__gte=1), name="devices_plan_every_month_or_more"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} / {self.every_n_months}M"


class ContractEvent(AppendOnlyModel):
    """The contract's own history: every step with actor, time, states and note (R35, R41).
    `params` are what the step's text shows (stored as JSON, rendered in the reader's language)."""

    contract = models.ForeignKey(ServiceContract, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    action = models.CharField(_("action"), max_length=32)
    from_state = models.CharField(_("from"), max_length=12, choices=ContractState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=12, choices=ContractState.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("contract event")
        verbose_name_plural = _("contract events")

    def __str__(self) -> str:
        return f"{self.contract_id} {self.action}"


class DeviceSearch(SearchWords):
    """The words a device is found by (core.search): serial number, model, customer, where it is
    installed; refreshed by the device services."""

    device = models.OneToOneField(
        Device, primary_key=True, on_delete=models.CASCADE, related_name="+", db_column="device_id"
    )

    class Meta:
        ordering = ["-device_id"]
