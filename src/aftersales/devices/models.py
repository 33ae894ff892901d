"""Installed devices: what a customer owns, found by serial number; warranty hangs on them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import TimeStampedModel


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
