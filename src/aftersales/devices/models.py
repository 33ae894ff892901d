"""Installed devices: what a customer owns, found by serial number; warranty hangs on them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import TimeStampedModel

from .choices import StartBasis


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
