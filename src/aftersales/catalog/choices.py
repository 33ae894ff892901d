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
