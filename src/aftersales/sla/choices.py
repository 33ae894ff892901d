"""Choices of the service-level context."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Weekday(models.IntegerChoices):
    """ISO-like weekday numbers as Python's `date.weekday()` returns them (Monday = 0)."""

    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class ExceptionKind(models.TextChoices):
    """A calendar exception either closes a day that would be worked or opens one that would not."""

    HOLIDAY = "holiday", _("Extra holiday")
    WORKDAY = "workday", _("Extra working day")


class OfficialDayKind(models.TextChoices):
    """A day of the official (State Council) schedule: a public holiday, or a make-up working day
    (调休, usually a Saturday or Sunday worked in exchange for a bridge day off)."""

    HOLIDAY = "holiday", _("Public holiday")
    WORKDAY = "workday", _("Make-up working day")


class HolidaySource(models.TextChoices):
    """Where the SLA arithmetic takes a year's public holidays from (R34): the installed
    `chinese_calendar` package, the official schedule an admin imported, or (neither knows the
    year) no public holidays at all: weekends are the only days off."""

    PACKAGE = "package", _("Holiday package (chinese-calendar)")
    IMPORTED = "imported", _("Imported official schedule")
    WEEKENDS = "weekends", _("Fallback: weekends only")


class MilestoneKind(models.TextChoices):
    """The chained service-level milestones of a work order (R34, R18)."""

    FIRST_RESPONSE = "first_response", _("First response")
    DIAGNOSIS = "diagnosis", _("Diagnosis and quote")
    REPAIR = "repair", _("Repair")
    RECORD_COMPLETE = "record_complete", _("Record complete")


class RiskLevel(models.TextChoices):
    """How much of a clock's budget is used: ok < 75 % <= warning < 100 % <= breached."""

    OK = "ok", _("On track")
    WARNING = "warning", _("At risk")
    BREACHED = "breached", _("Breached")


class ClockState(models.TextChoices):
    """Where a clock is in its lifecycle (transitions.py). A stopped clock's verdict is apart:
    met, breached, or none (stopped by a cancellation)."""

    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    STOPPED = "stopped", _("Stopped")


class AlertKind(models.TextChoices):
    """What the periodic job tells about a running clock (R34): at risk (75 % of the budget used),
    or overdue (its due time passed: escalated)."""

    WARNING = "warning", _("At risk")
    BREACH = "breach", _("Overdue")


# The event that starts a clock at intake; every other start/stop event is a transition name.
CREATED = "created"
# Share of the budget from which a running clock is at risk.
WARNING_SHARE = 0.75
