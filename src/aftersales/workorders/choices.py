from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    NEW = "new", _("New")
    ACCEPTED = "accepted", _("Accepted")
    ASSIGNED = "assigned", _("Assigned")
    IN_SERVICE = "in_service", _("In service")
    WAITING = "waiting", _("Waiting")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATES = frozenset({State.NEW, State.ACCEPTED, State.ASSIGNED, State.IN_SERVICE, State.WAITING})


class WaitingReason(models.TextChoices):
    CUSTOMER = "customer", _("Awaiting customer")
    PARTS = "parts", _("Awaiting parts")
    VENDOR = "vendor", _("At external vendor")
    FEE_DECISION = "fee_decision", _("Awaiting a fee decision")
    OTHER = "other", _("Other")


class Channel(models.TextChoices):
    """Where the request came from (R1)."""

    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    PORTAL = "portal", _("Web portal")
    WECHAT = "wechat", _("WeChat")
    WALK_IN = "walk_in", _("Walk-in")
    API = "api", _("API")


class WorkOrderType(models.TextChoices):
    """Classification of the request (R4)."""

    CONSULTATION = "consultation", _("Consultation")
    REPAIR = "repair", _("Fault / repair")
    INSTALLATION = "installation", _("Installation & commissioning")
    MAINTENANCE = "maintenance", _("Maintenance")
    RETURN_EXCHANGE = "return_exchange", _("Return / exchange")
    COMPLAINT = "complaint", _("Complaint")
    OTHER = "other", _("Other")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class ProposedHandling(models.TextChoices):
    """Preliminary assessment: how the fault is expected to be handled (R7)."""

    REMOTE = "remote", _("Remote")
    ON_SITE = "on_site", _("On site")
    REPLACE = "replace", _("Replace")
    REPAIR = "repair", _("Depot repair")


class NoteVisibility(models.TextChoices):
    INTERNAL = "internal", _("Internal")
    CUSTOMER = "customer", _("Visible to customer")
