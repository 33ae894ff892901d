"""Return visits (客户回访表, R22-R24): the follow-up call after a completed work order, its call
attempts, and the company's return-visit policy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import AppendOnlyModel, TimeStampedModel

from .choices import AttemptResult, ReturnVisitKind, ReturnVisitState

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

SCORE_FIELDS = ("score_timeliness", "score_skill", "score_attitude", "score_effectiveness", "score_overall")


class ReturnVisitPolicy(TimeStampedModel):
    """The company's return-visit rules (R22, R23): one row; without it the defaults apply.

    A return visit is due `due_working_days` working days after completion on the service point's
    working calendar (R22 says 3-5, R34 at most 7); a call-back `callback_hours` after completion
    (R23). An overall score below `unsatisfied_below` means an unsatisfied customer; a customer
    not reached after `max_attempts` calls is unreachable, and calls are retried after
    `retry_hours` working hours."""

    due_working_days = models.PositiveSmallIntegerField(
        _("due after working days"), default=3, validators=[MinValueValidator(1), MaxValueValidator(7)]
    )
    callback_hours = models.PositiveSmallIntegerField(
        _("call-back after hours"), default=3, validators=[MinValueValidator(1), MaxValueValidator(48)]
    )
    unsatisfied_below = models.PositiveSmallIntegerField(
        _("unsatisfied below overall score"),
        default=3,
        validators=[MinValueValidator(2), MaxValueValidator(5)],
        help_text=_("An overall score below this value reopens the work order for a new visit."),
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("calls before unreachable"), default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    retry_hours = models.PositiveSmallIntegerField(
        _("retry after working hours"), default=4, validators=[MinValueValidator(1), MaxValueValidator(40)]
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("return-visit policy")
        verbose_name_plural = _("return-visit policy")

    def __str__(self) -> str:
        return str(_("Return-visit policy"))


def _score_field(label: StrOrPromise) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )


class ReturnVisit(TimeStampedModel):
    """One return visit of a work order (R22) or call-back of an uncertain fix (R23).

    `round` counts the work order's completions: a customer left unsatisfied reopens the work
    order, and its next completion gets the next round, until satisfied (R23). The engineer,
    service point and product line are those of the completed work, kept for the report (R25).
    `state` changes only through `transitions.py`."""

    number = models.CharField(_("return visit number"), max_length=20, unique=True)
    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        verbose_name=_("work order"),
        on_delete=models.PROTECT,
        related_name="return_visits",
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=ReturnVisitKind.choices, default=ReturnVisitKind.ROUTINE
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=ReturnVisitState.choices,
        default=ReturnVisitState.PENDING,
        db_index=True,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="return_visits_assigned",
    )
    engineer = models.ForeignKey(
        "accounts.Engineer",
        verbose_name=_("engineer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="return_visits",
    )
    service_point = models.ForeignKey(
        "accounts.ServicePoint",
        verbose_name=_("service point"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="return_visits",
    )
    product_line = models.ForeignKey(
        "catalog.ProductLine",
        verbose_name=_("product line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    work_completed_at = models.DateTimeField(_("work completed at"))
    due_at = models.DateTimeField(_("due"), db_index=True)
    next_call_at = models.DateTimeField(_("next call"), db_index=True)
    attempts = models.PositiveSmallIntegerField(_("calls made"), default=0)

    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True, db_index=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    score_timeliness = _score_field(_("timeliness"))
    score_skill = _score_field(_("technical skill"))
    score_attitude = _score_field(_("service attitude"))
    score_effectiveness = _score_field(_("effectiveness"))
    score_overall = _score_field(_("overall experience"))
    satisfied = models.BooleanField(_("satisfied"), null=True, blank=True)
    other_needs = models.TextField(_("other needs"), blank=True)
    comment = models.TextField(_("comment"), blank=True)
    praise = models.TextField(_("praise for the engineer"), blank=True)
    complaint = models.BooleanField(_("complaint"), default=False)
    complaint_detail = models.TextField(_("complaint details"), blank=True)
    cancel_reason = models.CharField(_("reason of cancellation"), max_length=255, blank=True)

    class Meta:
        ordering = ["next_call_at", "id"]
        verbose_name = _("return visit")
        verbose_name_plural = _("return visits")
        indexes = [
            models.Index(fields=["state", "next_call_at"], name="rv_state_next_call"),
            models.Index(fields=["assignee", "state"], name="rv_assignee_state"),
            models.Index(fields=["state", "finished_at"], name="rv_state_finished"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["work_order", "kind", "round"], name="feedback_visit_one_per_round"
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": 1, f"{name}__lte": 5}),
                    name=f"feedback_visit_{name}_1_to_5",
                )
                for name in SCORE_FIELDS
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_pending(self) -> bool:
        return self.state == ReturnVisitState.PENDING

    @property
    def is_overdue(self) -> bool:
        return self.is_pending and self.due_at < timezone.now()

    @property
    def scores(self) -> list[tuple[StrOrPromise, int | None]]:
        """(label, score) of the five ratings, in the form's order (R24)."""
        fields = {field.name: field for field in self._meta.fields}
        return [(fields[name].verbose_name, getattr(self, name)) for name in SCORE_FIELDS]


class ReturnVisitAttempt(AppendOnlyModel):
    """One call of a return visit: when, who, what came of it, and the retry it scheduled."""

    visit = models.ForeignKey(
        ReturnVisit, verbose_name=_("return visit"), on_delete=models.CASCADE, related_name="calls"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    result = models.CharField(_("call result"), max_length=16, choices=AttemptResult.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)
    retry_at = models.DateTimeField(_("retry at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("return-visit call")
        verbose_name_plural = _("return-visit calls")

    def __str__(self) -> str:
        return f"{self.visit_id} {self.result}"
