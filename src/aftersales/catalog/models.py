"""Product lines and product models (devices, consumables, spare parts); the parts catalog."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import TimeStampedModel

from .choices import ModelKind, PartCategory, PartUnit


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


class Part(TimeStampedModel):
    """A spare part or consumable of the catalog, known by its part number (R12 parts used, R32).

    The number is stored trimmed and upper-cased, so `fu-3600 ` and `FU-3600` are one part; the
    category decides how warranty policies cover it (R36: wear parts and consumables are
    excluded by default); `fits` names the product models it goes into; a serialised part is
    tracked by serial number once stock and old-part recovery exist (R29)."""

    number = models.CharField(_("part number"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=128)
    category = models.CharField(
        _("part category"), max_length=16, choices=PartCategory.choices, default=PartCategory.NORMAL
    )
    unit = models.CharField(_("unit"), max_length=16, choices=PartUnit.choices, default=PartUnit.PIECE)
    fits = models.ManyToManyField(
        ProductModel, verbose_name=_("fits models"), related_name="parts", blank=True
    )
    serialised = models.BooleanField(
        _("serialised"), default=False, help_text=_("Each piece is tracked by its serial number.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("part")
        verbose_name_plural = _("parts")

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    def clean(self) -> None:
        # Blank values are refused by the fields; text of blanks only is refused here.
        blank = {}
        for name, value in (
            ("number", part_number_normalize(self.number)),
            ("name", (self.name or "").strip()),
        ):
            if getattr(self, name) and not value:
                blank[name] = ValidationError(_("This field cannot be blank."), code="blank")
            setattr(self, name, value)
        if blank:
            raise ValidationError(blank)

    def get_absolute_url(self) -> str:
        return reverse("catalog:part_detail", args=[self.pk])


def part_number_normalize(number: str) -> str:
    """Part numbers as printed on labels: no surrounding blanks, upper case."""
    return (number or "").strip().upper()


class PartSubstitute(TimeStampedModel):
    """`substitute` may be fitted where `part` is asked for (R32, R40); `both_ways` also the
    reverse. A pair is stored once per direction and a part never substitutes itself."""

    part = models.ForeignKey(
        Part, verbose_name=_("part"), on_delete=models.CASCADE, related_name="substitute_links"
    )
    substitute = models.ForeignKey(
        Part, verbose_name=_("substitute"), on_delete=models.CASCADE, related_name="substitute_for_links"
    )
    both_ways = models.BooleanField(
        _("both ways"), default=False, help_text=_("The part may also replace its substitute.")
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["part", "substitute"]
        verbose_name = _("part substitute")
        verbose_name_plural = _("part substitutes")
        constraints = [
            models.UniqueConstraint(fields=["part", "substitute"], name="catalog_partsubstitute_unique_pair"),
            models.CheckConstraint(
                condition=~models.Q(part=models.F("substitute")),
                name="catalog_partsubstitute_not_itself",
                violation_error_message=_("A part cannot be its own substitute."),
            ),
        ]

    def __str__(self) -> str:
        arrow = "⇄" if self.both_ways else "→"
        return f"{self.part.number} {arrow} {self.substitute.number}"

    def clean(self) -> None:
        part_id = getattr(self, "part_id", None)  # (the stubs do not know the _id attributes here)
        if part_id is not None and part_id == getattr(self, "substitute_id", None):
            raise ValidationError({"substitute": _("A part cannot be its own substitute.")}, code="itself")
