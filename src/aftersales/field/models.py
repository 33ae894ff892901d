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


class AppointmentState(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")
    DONE = "done", _("Done")


class Appointment(TimeStampedModel):
    """A visit agreed with the customer (R12): a day and a time window (Asia/Shanghai local time)
    for one engineer. An engineer never has two booked appointments whose windows overlap
    (back-to-back windows are fine); `services.appointment_book` enforces it under a row lock on
    the engineer. `version` guards against two people rescheduling at once (optimistic locking);
    `reason` is the reason of the last change (reschedule or cancellation)."""

    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        verbose_name=_("work order"),
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    engineer = models.ForeignKey(
        "accounts.Engineer", verbose_name=_("engineer"), on_delete=models.PROTECT, related_name="appointments"
    )
    date = models.DateField(_("date"))
    window_start = models.TimeField(_("from"))
    window_end = models.TimeField(_("until"))
    state = models.CharField(
        _("state"), max_length=16, choices=AppointmentState.choices, default=AppointmentState.BOOKED
    )
    reason = models.CharField(_("reason of the last change"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("booked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["date", "window_start", "id"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        indexes = [models.Index(fields=["engineer", "date"], name="field_appt_engineer_date")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(window_end__gt=models.F("window_start")),
                name="field_appointment_window_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.window_start:%H:%M}–{self.window_end:%H:%M}"

    @property
    def is_booked(self) -> bool:
        return self.state == AppointmentState.BOOKED
