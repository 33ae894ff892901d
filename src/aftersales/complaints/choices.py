"""Choices of complaints (R26) and difficult cases (R27)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ComplaintState(models.TextChoices):
    """The complaint lifecycle (R26); a rejected complaint goes straight to closed."""

    REGISTERED = "registered", _("Registered")
    ACCEPTED = "accepted", _("Accepted")
    ANALYSED = "analysed", _("Cause analysed")
    HANDLED = "handled", _("Handled")
    FED_BACK = "fed_back", _("Fed back")
    CLOSED = "closed", _("Closed")


OPEN_COMPLAINT_STATES = frozenset(
    {
        ComplaintState.REGISTERED,
        ComplaintState.ACCEPTED,
        ComplaintState.ANALYSED,
        ComplaintState.HANDLED,
        ComplaintState.FED_BACK,
    }
)


class ComplaintOutcome(models.TextChoices):
    """The verdict of the assessment: authentic and reasonable, or not (with a reason)."""

    PENDING = "", _("Not assessed yet")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Not accepted")


class ComplaintSource(models.TextChoices):
    HOTLINE = "hotline", _("Hotline")
    RETURN_VISIT = "return_visit", _("Return visit")
    PORTAL = "portal", _("Web portal")
    OTHER = "other", _("Other")


class ComplaintCategory(models.TextChoices):
    ATTITUDE = "attitude", _("Service attitude")
    TIMELINESS = "timeliness", _("Timeliness")
    QUALITY = "quality", _("Quality of repair")
    CHARGES = "charges", _("Charges")
    PARTS = "parts", _("Parts")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    GENERAL = "general", _("General")
    SERIOUS = "serious", _("Serious")
    CRITICAL = "critical", _("Critical")


# R26 defaults of the response time in business hours, used when no policy row overrides them.
DEFAULT_RESPONSE_HOURS = {Severity.CRITICAL: 4, Severity.SERIOUS: 8, Severity.GENERAL: 24}


class ResponseRisk(models.TextChoices):
    """Where a complaint stands against its response due time."""

    OK = "ok", _("On track")
    WARNING = "warning", _("At risk")
    OVERDUE = "overdue", _("Overdue")
    MET = "met", _("Responded in time")
    LATE = "late", _("Responded late")


class CaseState(models.TextChoices):
    """The difficult-case lifecycle (R27); "proposed" is not stored: proposals are computed."""

    OPEN = "open", _("Case opened")
    IN_PROGRESS = "in_progress", _("In progress")
    ESCALATED = "escalated", _("Escalated")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_CASE_STATES = frozenset({CaseState.OPEN, CaseState.IN_PROGRESS, CaseState.ESCALATED, CaseState.RESOLVED})


class CaseReason(models.TextChoices):
    """The difficult-case criteria a work order can meet (R27)."""

    REPEAT = "repeat", _("Repeated visits or work orders on the device")
    SLA_BREACH = "sla_breach", _("Service level breached")
    HIGH_VALUE = "high_value", _("High value")
    COMPLAINT = "complaint", _("Complaint linked")
