"""Product lines and product models (devices, consumables, spare parts)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import TimeStampedModel

from .choices import ModelKind


class ProductLine(TimeStampedModel):
    """A family of products; engineers are qualified and service points serve per line (R38, R5)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)

    class Meta:
        ordering = ["code"]
        verbose_name = _("product line")
        verbose_name_plural = _("product lines")

    def __str__(self) -> str:
        return self.name


class ProductModel(TimeStampedModel):
    """A sellable model; warranty months are the default cover from the purchase date (R36 later)."""

    product_line = models.ForeignKey(
        ProductLine, verbose_name=_("product line"), on_delete=models.PROTECT, related_name="models"
    )
    code = models.CharField(_("model code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=128)
    kind = models.CharField(_("kind"), max_length=16, choices=ModelKind.choices, default=ModelKind.DEVICE)
    warranty_months = models.PositiveSmallIntegerField(_("warranty months"), default=12)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("product model")
        verbose_name_plural = _("product models")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
