"""Working calendars (R34): the company calendar and per-service-point overrides.

A calendar is the Chinese public-holiday calendar (`chinese_calendar`: statutory holidays and
调休 make-up working days) plus weekly working hours and its own dated exceptions. The
arithmetic lives in `calendar.py` and never touches the ORM; `selectors.working_time_for`
loads a calendar into it.
"""

from __future__ import annotations

from datetime import time

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import TimeStampedModel

from .choices import ExceptionKind, Weekday


class WorkingCalendar(TimeStampedModel):
    """A working calendar. Exactly one is the company default; a service point may have its own,
    which replaces the default entirely for that point (hours and exceptions are not merged)."""

    name = models.CharField(_("name"), max_length=128)
    is_default = models.BooleanField(
        _("company default"),
        default=False,
        help_text=_("Used by every service point that has no calendar of its own."),
    )
    service_point = models.OneToOneField(
        "accounts.ServicePoint",
        verbose_name=_("service point"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="working_calendar",
        help_text=_("Set to make this calendar the override for one service point."),
    )
    use_public_holidays = models.BooleanField(
        _("follow Chinese public holidays"),
        default=True,
        help_text=_("Statutory holidays are days off and make-up days (调休) are working days."),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("working calendar")
        verbose_name_plural = _("working calendars")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="sla_workingcalendar_one_default",
            ),
            models.CheckConstraint(
                condition=Q(is_default=False) | Q(service_point__isnull=True),
                name="sla_workingcalendar_default_not_per_point",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.is_default and self.service_point_id:
            raise ValidationError(
                {"service_point": _("The company default calendar cannot belong to a service point.")}
            )


class WorkingHours(models.Model):
    """One working period of a weekday, e.g. Monday 09:00-12:00; a second row 13:00-18:00 makes
    the lunch break. An end of 00:00 means midnight at the end of the day (24:00)."""

    calendar = models.ForeignKey(
        WorkingCalendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="hours"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"), help_text=_("00:00 means midnight at the end of the day."))

    class Meta:
        ordering = ["calendar", "weekday", "start"]
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        constraints = [
            models.UniqueConstraint(
                fields=["calendar", "weekday", "start"], name="sla_workinghours_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"

    def clean(self) -> None:
        """A period has positive length and does not overlap another period of the same weekday."""
        if self.start is None or self.end is None:
            return
        if self.end != time(0) and self.end <= self.start:
            raise ValidationError({"end": _("The end must be after the start.")})
        if not self.calendar_id or self.weekday is None:
            return
        siblings = WorkingHours.objects.filter(calendar_id=self.calendar_id, weekday=self.weekday)
        if self.pk:
            siblings = siblings.exclude(pk=self.pk)
        mine_end = self.end if self.end != time(0) else time.max
        for other in siblings:
            other_end = other.end if other.end != time(0) else time.max
            if self.start < other_end and other.start < mine_end:
                raise ValidationError(_("This period overlaps %(other)s.") % {"other": other})


class CalendarException(TimeStampedModel):
    """A dated exception that wins over weekly hours and the public-holiday calendar: an extra
    holiday closes the day; an extra working day opens it with the standard working periods."""

    calendar = models.ForeignKey(
        WorkingCalendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="exceptions"
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=ExceptionKind.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["calendar", "date"]
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="sla_calendarexception_unique_day"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"
