"""Product lines and product models (devices, consumables, spare parts); the parts catalog; price
lists and fee standards (issue 10)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import TimeStampedModel

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

from .choices import (
    DISTANCE_BANDED_KINDS,
    FeeApproval,
    FeeKind,
    FeeUnit,
    ModelKind,
    PartCategory,
    PartUnit,
    PeriodStatus,
)


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


# --- price lists and fee standards ----------------------------------------------------------------


def field_error(field: str, message: str | _StrPromise, *, code: str) -> ValidationError:
    """A refusal naming its field, with its code kept (the API reports both)."""
    return ValidationError({field: ValidationError(message, code=code)})


MONEY: dict[str, Any] = {
    "max_digits": 14,
    "decimal_places": 2,
    "validators": [MinValueValidator(Decimal("0"))],
}


def _in_effect(effective_from: date, effective_until: date | None, day: date) -> bool:
    return effective_from <= day and (effective_until is None or day <= effective_until)


def period_status(obj: PriceList | FeeSchedule, day: date) -> PeriodStatus:
    """Upcoming, in effect, ended (or inactive) on `day`."""
    if not obj.is_active:
        return PeriodStatus.INACTIVE
    if day < obj.effective_from:
        return PeriodStatus.UPCOMING
    if obj.effective_until is not None and obj.effective_until < day:
        return PeriodStatus.ENDED
    return PeriodStatus.IN_EFFECT


def _dates_clean(obj: PriceList | FeeSchedule) -> None:
    if obj.effective_from and obj.effective_until and obj.effective_until < obj.effective_from:
        raise field_error(
            "effective_until", _("The last day cannot be before the first day."), code="date_order"
        )


class PriceList(TimeStampedModel):
    """A dated, versioned list of part prices (R9 parts at qty × price, R30 dealers charged at cost).

    A list applies from `effective_from` to `effective_until` (included; empty: until replaced),
    nationally or, with a `province`, in that province only, where it beats the national list. A
    new version is made by `price_list_revise`, which copies the items; the earlier version stays
    and stops applying the day before. The items of a list are edited only while it has not come
    into effect: a quote may already have used them (changing a price never changes a quote)."""

    name = models.CharField(_("name"), max_length=128)
    version = models.PositiveIntegerField(_("version"), default=1, validators=[MinValueValidator(1)])
    effective_from = models.DateField(_("effective from"))
    effective_until = models.DateField(
        _("effective until"),
        null=True,
        blank=True,
        help_text=_("The last day it applies; empty: until replaced."),
    )
    province = models.CharField(
        _("province"), max_length=32, blank=True, db_index=True, help_text=_("Empty: the whole country.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["name", "-version"]
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="catalog_pricelist_unique_version"),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="catalog_pricelist_version_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(effective_until__isnull=True)
                | models.Q(effective_until__gte=models.F("effective_from")),
                name="catalog_pricelist_date_order",
                violation_error_message=_("The last day cannot be before the first day."),
            ),
        ]
        indexes = [models.Index(fields=["effective_from", "effective_until"], name="catalog_pricelist_dates")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """How a quote line names where its price came from: `2026 零售价目表 v2`."""
        return f"{self.name} v{self.version}"

    @property
    def region_label(self) -> str:
        return self.province or str(_("National"))

    def in_effect_on(self, day: date) -> bool:
        return self.is_active and _in_effect(self.effective_from, self.effective_until, day)

    def items_editable(self, today: date) -> bool:
        """Items may change only before the list comes into effect (no quote can have used them)."""
        return self.effective_from > today

    def clean(self) -> None:
        self.name = (self.name or "").strip()
        self.province = (self.province or "").strip()
        if not self.name:
            raise field_error("name", _("This field cannot be blank."), code="blank")
        _dates_clean(self)

    def get_absolute_url(self) -> str:
        return reverse("catalog:price_list_detail", args=[self.pk])


class PriceListItem(TimeStampedModel):
    """The price of one part in one price list: what HQ charges dealers (`cost_price`, R30) and what
    the customer pays (`retail_price`, R9); CNY with 2 places, never negative."""

    price_list = models.ForeignKey(
        PriceList, verbose_name=_("price list"), on_delete=models.CASCADE, related_name="items"
    )
    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.PROTECT, related_name="prices")
    cost_price = models.DecimalField(_("cost price"), **MONEY)
    retail_price = models.DecimalField(_("retail price"), **MONEY)

    class Meta:
        ordering = ["price_list_id", "part_id"]
        verbose_name = _("price list item")
        verbose_name_plural = _("price list items")
        constraints = [
            models.UniqueConstraint(fields=["price_list", "part"], name="catalog_pricelistitem_unique_part"),
            models.CheckConstraint(
                condition=models.Q(cost_price__gte=0) & models.Q(retail_price__gte=0),
                name="catalog_pricelistitem_not_negative",
                violation_error_message=_("Prices cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.price_list_id}: {self.part_id} {self.retail_price}"


class FeeSchedule(TimeStampedModel):
    """One edition of the fee standards (收费标准), e.g. "2025版收费标准": the diagnosis, visit,
    labour and travel fees in effect from a date (R9). A warranty card names the edition it was
    issued under; when it differs from the edition in effect, the lower fee applies, line by
    line (R10). Its standards are edited only before it comes into effect.

    A dealer's local standard (`dealer` set, R30) is submitted to HQ and used by pricing only once
    approved; HQ's own editions are approved as issued."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    effective_from = models.DateField(_("effective from"))
    effective_until = models.DateField(
        _("effective until"),
        null=True,
        blank=True,
        help_text=_("The last day it applies; empty: until replaced."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    dealer = models.ForeignKey(
        "accounts.Dealer",
        verbose_name=_("dealer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fee_schedules",
        help_text=_("Empty for HQ's own editions; a dealer's local standard needs HQ's approval (R30)."),
    )
    approval_state = models.CharField(
        _("approval"), max_length=16, choices=FeeApproval.choices, default=FeeApproval.APPROVED, db_index=True
    )
    approval_note = models.CharField(_("reason"), max_length=255, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-effective_from", "code"]
        verbose_name = _("fee schedule")
        verbose_name_plural = _("fee schedules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(dealer__isnull=False) | models.Q(approval_state=FeeApproval.APPROVED),
                name="catalog_feeschedule_hq_approved",
                violation_error_message=_("HQ's own fee standards are approved as issued."),
            ),
            models.CheckConstraint(
                condition=models.Q(effective_until__isnull=True)
                | models.Q(effective_until__gte=models.F("effective_from")),
                name="catalog_feeschedule_date_order",
                violation_error_message=_("The last day cannot be before the first day."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def in_effect_on(self, day: date) -> bool:
        return self.is_active and _in_effect(self.effective_from, self.effective_until, day)

    @property
    def is_approved(self) -> bool:
        """R30: pricing may use it (HQ's always; a dealer's once HQ approved it)."""
        return self.approval_state == FeeApproval.APPROVED

    def standards_editable(self, today: date) -> bool:
        """Standards may change only before the edition comes into effect (cards and quotes name it);
        a dealer's approved standard not at all (HQ approved those fees, R30)."""
        return self.effective_from > today and not (self.dealer_id is not None and self.is_approved)

    def clean(self) -> None:
        self.code = (self.code or "").strip()
        self.name = (self.name or "").strip()
        blank = {
            name: ValidationError(_("This field cannot be blank."), code="blank")
            for name in ("code", "name")
            if not getattr(self, name)
        }
        if blank:
            raise ValidationError(blank)
        _dates_clean(self)

    def get_absolute_url(self) -> str:
        return reverse("catalog:fee_schedule_detail", args=[self.pk])


def km_text(value: Decimal) -> str:
    """20.00 → "20", 12.50 → "12.5"."""
    return format(value.normalize(), "f") if value else "0"


class FeeStandard(TimeStampedModel):
    """One fee of an edition (R9): a kind (diagnosis, visit, labour, travel), for one product line
    or every line, one province or everywhere, and for visit and travel fees a distance band
    [from, to) in km; the amount per time, per hour or per km. The most specific standard wins:
    a product line's over every line's, then a province's over the national one, then the band
    the distance falls in. Bands of one scope never overlap."""

    schedule = models.ForeignKey(
        FeeSchedule, verbose_name=_("fee schedule"), on_delete=models.CASCADE, related_name="standards"
    )
    kind = models.CharField(_("fee kind"), max_length=16, choices=FeeKind.choices)
    product_line = models.ForeignKey(
        ProductLine,
        verbose_name=_("product line"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Empty: every product line."),
    )
    province = models.CharField(_("province"), max_length=32, blank=True, help_text=_("Empty: everywhere."))
    distance_from_km = models.DecimalField(
        _("from (km)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    distance_to_km = models.DecimalField(
        _("up to (km)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Not included; empty: no upper limit."),
    )
    unit = models.CharField(_("charged"), max_length=16, choices=FeeUnit.choices, default=FeeUnit.PER_TIME)
    amount = models.DecimalField(_("amount"), **MONEY)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["schedule_id", "kind", "product_line_id", "province", "distance_from_km", "id"]
        verbose_name = _("fee standard")
        verbose_name_plural = _("fee standards")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="catalog_feestandard_not_negative"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=FeeKind.PART), name="catalog_feestandard_not_part"
            ),
            models.CheckConstraint(
                condition=models.Q(distance_from_km__isnull=True)
                | models.Q(distance_to_km__isnull=True)
                | models.Q(distance_to_km__gt=models.F("distance_from_km")),
                name="catalog_feestandard_band_order",
            ),
        ]

    def __str__(self) -> str:
        return self.scope_label

    @property
    def banded(self) -> bool:
        return self.distance_from_km is not None or self.distance_to_km is not None

    @property
    def band_label(self) -> str:
        """ "0–20 km", "50+ km", or "" when the fee is not banded."""
        if not self.banded:
            return ""
        low = km_text(self.distance_from_km or Decimal(0))
        if self.distance_to_km is None:
            return f"{low}+ km"
        return f"{low}–{km_text(self.distance_to_km)} km"

    @property
    def scope_label(self) -> str:
        """The standard without its edition: "上门费 0–20 km", "工时费（打印机） 广东省"."""
        text = str(self.get_kind_display())
        if self.product_line is not None:
            text += f"（{self.product_line.name}）"
        for extra in (self.province, self.band_label):
            if extra:
                text += f" {extra}"
        return text

    def covers(self, distance_km: Decimal | None) -> bool:
        """A band holds [from, to); an unbanded standard holds every distance, even an unknown one."""
        if not self.banded:
            return True
        if distance_km is None:
            return False
        low = self.distance_from_km or Decimal(0)
        return low <= distance_km and (self.distance_to_km is None or distance_km < self.distance_to_km)

    def _interval(self) -> tuple[Decimal, Decimal | None]:
        return self.distance_from_km or Decimal(0), self.distance_to_km

    def clean(self) -> None:
        self.province = (self.province or "").strip()
        if self.kind == FeeKind.PART:
            raise field_error(
                "kind", _("Parts are priced by the price lists, not by fee standards."), code="fee_kind"
            )
        if self.banded and self.kind not in DISTANCE_BANDED_KINDS:
            raise field_error(
                "distance_from_km", _("Only visit and travel fees have distance bands."), code="band_kind"
            )
        low, high = self._interval()
        if high is not None and high <= low:
            raise field_error(
                "distance_to_km",
                _("The upper end of the band must be above its lower end."),
                code="band_order",
            )
        schedule_id = getattr(self, "schedule_id", None)
        if schedule_id is None or not self.kind:
            return
        siblings = FeeStandard.objects.filter(
            schedule_id=schedule_id,
            kind=self.kind,
            product_line_id=getattr(self, "product_line_id", None),
            province=self.province,
        ).exclude(pk=self.pk)
        for other in siblings:
            other_low, other_high = other._interval()
            if (high is None or other_low < high) and (other_high is None or low < other_high):
                raise field_error(
                    "distance_from_km",
                    _("Overlaps the standard “%(other)s” of the same scope.") % {"other": other.scope_label},
                    code="band_overlap",
                )
