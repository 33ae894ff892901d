"""The service-level context (R34, R18): working calendars, policies with their milestones, and
the clocks each work order runs.

A calendar is the Chinese public-holiday calendar (`chinese_calendar`: statutory holidays and
调休 make-up working days) plus weekly working hours and its own dated exceptions. The
arithmetic lives in `calendar.py` and never touches the ORM; `selectors.working_time_for`
loads a calendar into it. Clocks are started, paused, resumed and stopped by
`services.sla_clocks_on_*` through the clock lifecycle (`transitions.py`), which the work-order
lifecycle calls through `hooks.py`.
"""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import TimeStampedModel
from aftersales.workorders.choices import Priority, WaitingReason, WorkOrderType

from .calendar import public_calendar_knows
from .choices import CREATED, ClockState, ExceptionKind, MilestoneKind, OfficialDayKind, Weekday


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

    def clean(self) -> None:
        """One exception a day per calendar (the error names the date)."""
        if self.calendar_id is None or self.date is None:
            return
        others = CalendarException.objects.filter(calendar_id=self.calendar_id, date=self.date)
        if others.exclude(pk=self.pk).exists():
            raise ValidationError(
                {
                    "date": ValidationError(
                        _("The calendar already has an exception on %(date)s."),
                        code="unique",
                        params={"date": f"{self.date:%Y-%m-%d}"},
                    )
                }
            )


class OfficialDay(TimeStampedModel):
    """A day of the official public-holiday schedule of a year the `chinese_calendar` package does
    not know (R34): a public holiday or a make-up working day (调休), imported by an admin once the
    State Council publishes the next year's schedule (usually in November). It applies to every
    working calendar that follows the public holidays, like the package's own days; a calendar's
    exceptions still win over it. One row per date."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=OfficialDayKind.choices)
    name = models.CharField(_("name"), max_length=64, help_text=_("E.g. 春节 (Spring Festival)."))
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("official schedule day")
        verbose_name_plural = _("official schedule days")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name} ({self.get_kind_display()})"

    def clean(self) -> None:
        """A year the package knows keeps the package's schedule: one source per year (a company
        change of one day is a calendar exception)."""
        if self.date is not None and public_calendar_knows(self.date):
            raise ValidationError(
                {
                    "date": ValidationError(
                        _(
                            "The installed holiday calendar already has the official schedule of "
                            "%(year)d; change a single day with an exception of the working calendar."
                        ),
                        code="official_year_known",
                        params={"year": self.date.year},
                    )
                }
            )


def _known_events() -> set[str]:
    from aftersales.workorders.transitions import TRANSITIONS

    return set(TRANSITIONS) | {CREATED}


def milestone_events() -> tuple[list[str], list[str]]:
    """(the events a milestone may start on, the transitions it may stop on), in the order of the
    work-order lifecycle."""
    from aftersales.workorders.transitions import TRANSITIONS

    return [CREATED, *TRANSITIONS], list(TRANSITIONS)


class SlaPolicy(TimeStampedModel):
    """A service-level policy (R34): which work orders it applies to and its milestones.

    Empty match fields match anything. Of the active policies that match a work order, the most
    specific wins (most match fields set), then a non-default one over the default, then the
    lowest precedence number. Exactly one policy may be the default.
    """

    name = models.CharField(_("name"), max_length=128, unique=True)
    precedence = models.PositiveSmallIntegerField(
        _("precedence"), default=100, help_text=_("Among equally specific policies the lowest number wins.")
    )
    is_default = models.BooleanField(
        _("default policy"), default=False, help_text=_("Applies when no other policy matches.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    match_priority = models.CharField(_("priority"), max_length=16, choices=Priority.choices, blank=True)
    match_type = models.CharField(
        _("work-order type"), max_length=20, choices=WorkOrderType.choices, blank=True
    )
    match_product_line = models.ForeignKey(
        "catalog.ProductLine",
        verbose_name=_("product line"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    match_province = models.CharField(
        _("province"),
        max_length=32,
        blank=True,
        help_text=_("The customer's province, else the service point's."),
    )
    match_customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("A customer with its own service agreement (contract terms)."),
    )
    note = models.TextField(_("note"), blank=True)

    MATCH_FIELDS = (
        "match_priority",
        "match_type",
        "match_product_line_id",
        "match_province",
        "match_customer_id",
    )

    class Meta:
        ordering = ["precedence", "name"]
        verbose_name = _("service-level policy")
        verbose_name_plural = _("service-level policies")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="sla_slapolicy_one_default"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def specificity(self) -> int:
        return sum(1 for name in self.MATCH_FIELDS if getattr(self, name))


class SlaMilestone(models.Model):
    """One milestone of a policy (R34, R18): a budget counted from the event that starts it to
    the first of the events that stop it, in business time on the service point's calendar (or
    in calendar time)."""

    policy = models.ForeignKey(
        SlaPolicy, verbose_name=_("policy"), on_delete=models.CASCADE, related_name="milestones"
    )
    kind = models.CharField(_("milestone"), max_length=20, choices=MilestoneKind.choices)
    target_hours = models.DecimalField(
        _("target (hours)"),
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    business_time = models.BooleanField(
        _("business time"), default=True, help_text=_("Count working hours only (else calendar time).")
    )
    start_on = models.CharField(
        _("starts on"), max_length=32, help_text=_("'created' or the name of a transition, e.g. accept.")
    )
    stop_on = models.JSONField(
        _("stops on"), default=list, help_text=_("Names of the transitions that stop the clock.")
    )

    class Meta:
        ordering = ["policy", "kind"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.UniqueConstraint(fields=["policy", "kind"], name="sla_slamilestone_unique_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.policy} · {self.get_kind_display()} {self.target_hours} h"

    @property
    def target(self) -> timedelta:
        return timedelta(hours=float(self.target_hours))

    def clean(self) -> None:
        known = _known_events()
        errors: dict[str, str | Promise | ValidationError] = {}
        if self.start_on not in known:
            errors["start_on"] = _("Unknown event %(name)s.") % {"name": self.start_on}
        if not isinstance(self.stop_on, list) or not self.stop_on:
            errors["stop_on"] = _("Give at least one transition that stops the clock.")
        else:
            unknown = [name for name in self.stop_on if name not in known - {CREATED}]
            if unknown:
                errors["stop_on"] = _("Unknown transitions: %(names)s.") % {
                    "names": ", ".join(map(str, unknown))
                }
            elif self.start_on in self.stop_on:
                errors["stop_on"] = ValidationError(
                    _("A milestone cannot stop on the event that starts it."), code="stop_on_start"
                )
        if errors:
            raise ValidationError(errors)


class SlaClock(TimeStampedModel):
    """One milestone's clock on one work order (R34, R18).

    `state` (running, paused, stopped) changes only through the clock lifecycle of
    `transitions.py`, which also keeps `paused_at` and `stopped_at` (the times the periodic job's
    indexes read). The target and the counting mode are copied from the milestone when the clock starts, so
    later policy edits do not move running clocks. `paused_total` is the working time (or the
    calendar time, for a calendar-time clock) spent paused; `due_at` is pushed out on resume.
    A clock stopped at or before its due time is met; after it, it is breached (breached_at is
    the due time). A clock stopped by a cancellation has no verdict (met is null).

    The periodic job (`services.sla_clocks_check`) warns once when a running clock passes
    `warn_at` (75 % of the budget) and escalates once when it passes `due_at`; `warned_at` and
    `escalated_at` record that it did, and a (re)started clock clears them.
    """

    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        verbose_name=_("work order"),
        on_delete=models.CASCADE,
        related_name="sla_clocks",
    )
    policy = models.ForeignKey(
        SlaPolicy, verbose_name=_("policy"), null=True, on_delete=models.SET_NULL, related_name="clocks"
    )
    kind = models.CharField(_("milestone"), max_length=20, choices=MilestoneKind.choices)
    state = models.CharField(
        _("state"), max_length=16, choices=ClockState.choices, default=ClockState.RUNNING
    )
    target = models.DurationField(_("target"))
    business_time = models.BooleanField(_("business time"), default=True)
    started_at = models.DateTimeField(_("started at"))
    due_at = models.DateTimeField(_("due at"))
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    paused_reason = models.CharField(
        _("paused because"), max_length=16, choices=WaitingReason.choices, blank=True
    )
    paused_total = models.DurationField(_("time paused"), default=timedelta(0))
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    met = models.BooleanField(_("met"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached at"), null=True, blank=True)
    warn_at = models.DateTimeField(
        _("at risk from"),
        null=True,
        blank=True,
        help_text=_("When three quarters of the budget will be used."),
    )
    warned_at = models.DateTimeField(_("warning sent at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    class Meta:
        ordering = ["work_order", "started_at", "pk"]
        verbose_name = _("service-level clock")
        verbose_name_plural = _("service-level clocks")
        constraints = [
            models.UniqueConstraint(fields=["work_order", "kind"], name="sla_slaclock_unique_kind"),
        ]
        indexes = [
            # The periodic job reads only running clocks still to be warned or escalated, by the
            # time they become due for it: an index range scan, never the whole table.
            models.Index(
                fields=["warn_at"],
                condition=Q(stopped_at__isnull=True, paused_at__isnull=True, warned_at__isnull=True),
                name="sla_clock_to_warn",
            ),
            models.Index(
                fields=["due_at"],
                condition=Q(stopped_at__isnull=True, paused_at__isnull=True, escalated_at__isnull=True),
                name="sla_clock_to_escalate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.work_order_id} · {self.get_kind_display()}"

    @property
    def is_running(self) -> bool:
        return self.stopped_at is None and self.paused_at is None

    @property
    def is_paused(self) -> bool:
        return self.stopped_at is None and self.paused_at is not None
