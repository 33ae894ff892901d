"""Field service data: where service points work (R5) and when engineers are away (R5, R38)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import TimeStampedModel


class ServiceArea(TimeStampedModel):
    """A region a service point covers (R5): a blank city covers the whole province, a blank
    district the whole city. A point without any area covers its own province/city/district."""

    service_point = models.ForeignKey(
        "accounts.ServicePoint",
        verbose_name=_("service point"),
        on_delete=models.CASCADE,
        related_name="areas",
    )
    province = models.CharField(_("province"), max_length=32, db_index=True)
    city = models.CharField(_("city"), max_length=32, blank=True)
    district = models.CharField(_("district"), max_length=32, blank=True)

    class Meta:
        ordering = ["service_point", "province", "city", "district"]
        verbose_name = _("service area")
        verbose_name_plural = _("service areas")
        constraints = [
            models.UniqueConstraint(
                fields=["service_point", "province", "city", "district"], name="field_servicearea_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(district="") & ~models.Q(city="") | models.Q(district=""),
                name="field_servicearea_district_needs_city",
            ),
        ]

    def __str__(self) -> str:
        return " ".join(part for part in (self.province, self.city, self.district) if part)


class EngineerLeave(TimeStampedModel):
    """An engineer's absence from `start` to `end` (both included): not suggested for dispatch."""

    engineer = models.ForeignKey(
        "accounts.Engineer", verbose_name=_("engineer"), on_delete=models.CASCADE, related_name="leaves"
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=128, blank=True)

    class Meta:
        ordering = ["engineer", "-start"]
        verbose_name = _("engineer leave")
        verbose_name_plural = _("engineer leaves")
        indexes = [models.Index(fields=["engineer", "start", "end"], name="field_leave_engineer_dates")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="field_engineerleave_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.engineer} {self.start:%Y-%m-%d}–{self.end:%Y-%m-%d}"
