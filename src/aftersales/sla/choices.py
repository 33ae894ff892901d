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
