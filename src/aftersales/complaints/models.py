"""Complaints (R26) with their own response service level, and difficult cases (R27) with their
tracking file, configurable criteria and escalation levels."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.choices import Role
from aftersales.core.models import AppendOnlyModel, TimeStampedModel
from aftersales.core.phones import validate_phone

from .choices import (
    CaseState,
    ComplaintCategory,
    ComplaintOutcome,
    ComplaintSource,
    ComplaintState,
    ResponseRisk,
    Severity,
)


class Complaint(TimeStampedModel):
    """客户投诉处理单 (R26): registered from the hotline, a return visit or the portal, assessed
    (authentic? reasonable? accepted, or rejected with a reason), analysed, handled, fed back to the
    customer and the people involved and their supervisor, then closed and archived.

    `state` changes only through the `transitions.COMPLAINT` machine. The response is due by
    `response_due_at` (business time by severity, `ComplaintResponsePolicy`); assessing the
    complaint is the response. `warned_at`/`escalated_at` make the periodic job act once."""

    number = models.CharField(_("complaint number"), max_length=20, unique=True)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=ComplaintState.choices,
        default=ComplaintState.REGISTERED,
        db_index=True,
    )
    outcome = models.CharField(
        _("assessment"), max_length=16, choices=ComplaintOutcome.choices, blank=True, default=""
    )
    source = models.CharField(_("source"), max_length=16, choices=ComplaintSource.choices)
    category = models.CharField(_("category"), max_length=16, choices=ComplaintCategory.choices)
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="complaints"
    )
    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        verbose_name=_("work order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    contact_name = models.CharField(_("complainant"), max_length=64, blank=True)
    contact_phone = models.CharField(
        _("complainant phone"), max_length=20, blank=True, validators=[validate_phone]
    )
    people = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("people involved"),
        blank=True,
        related_name="complaints_involved",
    )
    description = models.TextField(_("description"))

    is_authentic = models.BooleanField(_("authentic"), null=True, blank=True)
    is_reasonable = models.BooleanField(_("reasonable"), null=True, blank=True)
    assessment_note = models.TextField(_("assessment note / reason for rejection"), blank=True)
    cause = models.TextField(_("cause"), blank=True)
    measures = models.TextField(_("measures taken"), blank=True)
    feedback = models.TextField(_("feedback to the customer"), blank=True)

    response_due_at = models.DateTimeField(_("response due"))
    response_warn_at = models.DateTimeField(_("at risk from"))
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warning sent at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [
            models.Index(fields=["state", "-created_at"], name="complaint_state_created"),
            # The periodic job reads only complaints still waiting for their response.
            models.Index(
                fields=["response_due_at"],
                condition=Q(responded_at__isnull=True),
                name="complaint_unanswered_due",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def response_risk(self, at=None) -> str:
        """R26: met or late once answered; otherwise on track, at risk (from 75 % of the budget)
        or overdue (past the due time)."""
        if self.responded_at is not None:
            return ResponseRisk.MET if self.responded_at <= self.response_due_at else ResponseRisk.LATE
        at = at or timezone.now()
        if at >= self.response_due_at:
            return ResponseRisk.OVERDUE
        if at >= self.response_warn_at:
            return ResponseRisk.WARNING
        return ResponseRisk.OK

    @property
    def risk(self) -> str:
        return self.response_risk()

    @property
    def risk_label(self) -> str:
        return str(ResponseRisk(self.risk).label)

    @property
    def is_open(self) -> bool:
        return self.state != ComplaintState.CLOSED


class ComplaintEvent(AppendOnlyModel):
    """The complaint's own history: every step with actor, time and note (R26, R41).

    `params` are what the step's text shows (registration, the response alerts), stored as JSON
    and rendered when shown, in the reader's language (core.i18n); `note` is only the user's own
    words. Rows written before steps had parameters keep their text in `note`."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    action = models.CharField(_("action"), max_length=32)
    from_state = models.CharField(_("from"), max_length=16, choices=ComplaintState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=16, choices=ComplaintState.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.action}"


class ComplaintResponsePolicy(TimeStampedModel):
    """R26: how fast a complaint of a severity must be answered. Without a row for a severity
    the defaults apply: critical 4, serious 8, general 24 business hours."""

    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices, unique=True)
    response_hours = models.DecimalField(
        _("response within (hours)"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25"))],
    )
    business_time = models.BooleanField(
        _("business time"), default=True, help_text=_("Count working hours only (else calendar time).")
    )

    class Meta:
        ordering = ["severity"]
        verbose_name = _("complaint response time")
        verbose_name_plural = _("complaint response times")

    def __str__(self) -> str:
        return f"{self.get_severity_display()} · {self.response_hours} h"


class CaseCriteria(TimeStampedModel):
    """R27: when a work order is proposed as a difficult case. One row, edited in the admin
    and on the settings page; a work order meeting any enabled criterion is proposed. Repeated work
    counts the visits made on the same device within `repeat_days` (those after a reopen of the
    same work order included), or its work orders then, whichever is more."""

    repeat_enabled = models.BooleanField(_("repeated visits or work orders on the same device"), default=True)
    repeat_days = models.PositiveSmallIntegerField(
        _("within (days)"), default=30, validators=[MinValueValidator(1)]
    )
    repeat_min_orders = models.PositiveSmallIntegerField(
        _("at least (visits or work orders)"),
        default=3,
        validators=[MinValueValidator(2)],
        help_text=_(
            "Visits on the same device (a reopened work order's later visits included), or work orders "
            "on it, within the period, this one included."
        ),
    )
    sla_breach_enabled = models.BooleanField(_("service level breached"), default=True)
    complaint_enabled = models.BooleanField(_("complaint linked"), default=True)
    value_enabled = models.BooleanField(
        _("value above a threshold"),
        default=False,
        help_text=_("Needs billing: work orders carry no amount yet, so this criterion matches nothing."),
    )
    value_threshold = models.DecimalField(
        _("value threshold (CNY)"), max_digits=12, decimal_places=2, default=Decimal("5000.00")
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("difficult-case criteria")
        verbose_name_plural = _("difficult-case criteria")

    def __str__(self) -> str:
        return str(_("Difficult-case criteria"))


class CaseLevel(TimeStampedModel):
    """R27: the escalation ladder, e.g. 1 service point head → 2 service centre supervisor → 3 HQ
    technical department. A case escalated to a level gets a handler with that level's role."""

    number = models.PositiveSmallIntegerField(_("level"), unique=True, validators=[MinValueValidator(1)])
    name = models.CharField(_("name"), max_length=64)
    role = models.CharField(
        _("handler role"),
        max_length=20,
        choices=Role.choices,
        blank=True,
        help_text=_("Empty: any staff user may handle cases at this level."),
    )

    class Meta:
        ordering = ["number"]
        verbose_name = _("escalation level")
        verbose_name_plural = _("escalation levels")

    def __str__(self) -> str:
        return f"{self.number} · {self.name}"


class DifficultCase(TimeStampedModel):
    """疑难案件 (R27): a work order that met the criteria, confirmed by a clerk or department head,
    with a responsible handler, the current escalation level, the criteria it met and its result.
    The tracking file is the case's steps plus the work order's timeline. At most one case per
    work order is not closed."""

    number = models.CharField(_("case number"), max_length=20, unique=True)
    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        verbose_name=_("work order"),
        on_delete=models.PROTECT,
        related_name="difficult_cases",
    )
    state = models.CharField(
        _("state"), max_length=16, choices=CaseState.choices, default=CaseState.OPEN, db_index=True
    )
    level = models.PositiveSmallIntegerField(_("level"), default=1, db_index=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        on_delete=models.PROTECT,
        related_name="difficult_cases",
    )
    reasons = models.JSONField(_("criteria met"), default=list, blank=True)
    summary = models.TextField(_("why it is a difficult case"), blank=True)
    result = models.TextField(_("result"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("difficult case")
        verbose_name_plural = _("difficult cases")
        constraints = [
            models.UniqueConstraint(
                fields=["work_order"],
                condition=~Q(state=CaseState.CLOSED),
                name="complaints_case_one_open_per_work_order",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class CaseStep(AppendOnlyModel):
    """One step of a difficult case's tracking file: who, when, what, at which level (R27).

    Like `ComplaintEvent`: `params` (the criteria a case was opened for) are rendered when shown,
    in the reader's language; `note` is only the user's own words."""

    case = models.ForeignKey(DifficultCase, on_delete=models.CASCADE, related_name="steps")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    action = models.CharField(_("action"), max_length=32)
    from_state = models.CharField(_("from"), max_length=16, choices=CaseState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=16, choices=CaseState.choices, blank=True)
    level = models.PositiveSmallIntegerField(_("level"))
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("case step")
        verbose_name_plural = _("case steps")

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"
