from django.db import models
from django.utils.translation import gettext_lazy as _


class ModelKind(models.TextChoices):
    DEVICE = "device", _("Device")
    CONSUMABLE = "consumable", _("Consumable")
    PART = "part", _("Spare part")


class FeeKind(models.TextChoices):
    """The kinds of line a repair is charged by (R9); warranty covers each on its own (R36)."""

    DIAGNOSIS = "diagnosis", _("Diagnosis fee")
    VISIT = "visit", _("Visit fee")
    LABOUR = "labour", _("Labour")
    PART = "part", _("Parts")
    TRAVEL = "travel", _("Travel and logistics")


class PartCategory(models.TextChoices):
    """How a spare part wears: warranty policies cover the categories one by one (R36)."""

    NORMAL = "normal", _("Normal part")
    WEAR = "wear", _("Wear part")
    CONSUMABLE = "consumable", _("Consumable")


class PartUnit(models.TextChoices):
    """The unit a part is counted, stocked and priced in."""

    PIECE = "piece", _("piece")
    ITEM = "item", _("item")
    SET = "set", _("set")
    METRE = "metre", _("metre")
    BOX = "box", _("box")
    ROLL = "roll", _("roll")
    BOTTLE = "bottle", _("bottle")


class FeeUnit(models.TextChoices):
    """What a fee standard's amount is charged per (R9): a visit or diagnosis per time, labour per
    hour, travel per kilometre."""

    PER_TIME = "per_time", _("per time")
    PER_HOUR = "per_hour", _("per hour")
    PER_KM = "per_km", _("per km")


# The fee kinds a fee standard prices; parts are priced by the price lists, not here.
FEE_STANDARD_KINDS = (FeeKind.DIAGNOSIS, FeeKind.VISIT, FeeKind.LABOUR, FeeKind.TRAVEL)
# The kinds whose standards may be banded by distance (the visit fee by distance, travel per km).
DISTANCE_BANDED_KINDS = (FeeKind.VISIT, FeeKind.TRAVEL)


class PeriodStatus(models.TextChoices):
    """Where a dated price list or fee schedule stands on a given day."""

    UPCOMING = "upcoming", _("Upcoming")
    IN_EFFECT = "in_effect", _("In effect")
    ENDED = "ended", _("Ended")
    INACTIVE = "inactive", _("Inactive")


class FeeApproval(models.TextChoices):
    """R30: a dealer's own fee standard is used once HQ approved it; HQ's are approved as issued."""

    SUBMITTED = "submitted", _("Awaiting HQ approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
