"""States and kinds of the on-site visit (R12), its sign-off (R15-R17) and its supervision card (R19)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class VisitState(models.TextChoices):
    BOOKED = "booked", _("Booked")
    EN_ROUTE = "en_route", _("En route")
    ON_SITE = "on_site", _("On site")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


# A visit that is under way: the engineer is travelling or at the customer's.
ACTIVE_VISIT_STATES = frozenset({VisitState.EN_ROUTE, VisitState.ON_SITE})


class SignOffOutcome(models.TextChoices):
    SIGNED = "signed", _("Signed")
    REFUSED = "refused", _("Refused to sign")


class SignatureKind(models.TextChoices):
    DRAWN = "drawn", _("Drawn on screen")
    STAMP = "stamp", _("Uploaded stamp or scan")


class SignedFormState(models.TextChoices):
    """Where the signed service form's PDF is (R15, R21): made by a job after the sign-off."""

    PENDING = "pending", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed, to retry")


class SupervisionState(models.TextChoices):
    PENDING = "pending", _("To submit")
    SUBMITTED = "submitted", _("Submitted")
    VERIFIED = "verified", _("Verified")


# Ratings of repair quality and service attitude (R16): 1 (poor) to 5 (excellent).
RATING_CHOICES = [(value, str(value)) for value in range(1, 6)]

# The self-check before the customer's acceptance (R15; source 001 §4, §6) when none is configured.
SELF_CHECK_DEFAULTS = (
    _("Fault cleared, device tested and working normally"),
    _("Replaced parts shown to the customer"),
    _("Device put back in place and cleaned inside and out"),
    _("Work area cleaned up"),
    _("Tools counted, nothing left behind"),
    _("Customer shown basic use and care"),
)
