"""Choices of the return-visit context (R22-R25)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.choices import Role


class ReturnVisitKind(models.TextChoices):
    """R22: every completion gets a routine return visit; R23: an uncertain fix a call-back."""

    ROUTINE = "routine", _("Return visit")
    CALLBACK = "callback", _("Call-back (uncertain fix)")


class ReturnVisitState(models.TextChoices):
    PENDING = "pending", _("To call")
    DONE = "done", _("Done")
    UNREACHABLE = "unreachable", _("Unreachable")
    CANCELLED = "cancelled", _("Cancelled")


class AttemptResult(models.TextChoices):
    """What one call of a return visit gave."""

    REACHED = "reached", _("Reached")
    NO_ANSWER = "no_answer", _("No answer")
    BUSY = "busy", _("Line busy")
    CALL_LATER = "call_later", _("Asked to call later")
    WRONG_NUMBER = "wrong_number", _("Wrong or invalid number")


# A wrong number cannot be retried: the visit is unreachable at once.
FINAL_FAILURES = frozenset({AttemptResult.WRONG_NUMBER})

# Who makes return visits and reads their report (R22, R25).
RETURN_VISIT_ROLES = frozenset({Role.QUALITY, Role.AGENT, Role.SUPERVISOR, Role.HQ_ADMIN})
# Who may ask for a call-back on an uncertain fix (R23); engineers only on their own work.
CALLBACK_ROLES = frozenset(
    {Role.ENGINEER, Role.DEALER_STAFF, Role.AGENT, Role.QUALITY, Role.SUPERVISOR, Role.HQ_ADMIN}
)
# Roles that return visits are assigned to, in this order of preference (R22).
ASSIGNEE_ROLES = (Role.QUALITY, Role.AGENT)

SCORE_CHOICES = [(value, str(value)) for value in range(1, 6)]


class Audience(models.TextChoices):
    """The departments the return-visit report goes to (R25)."""

    MANAGEMENT = "management", _("Management")
    TECHNICAL = "technical", _("Technical department")
    SALES = "sales", _("Sales")
    MARKETING = "marketing", _("Marketing")
