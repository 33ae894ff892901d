from django.db import models
from django.utils.translation import gettext_lazy as _


class ModelKind(models.TextChoices):
    DEVICE = "device", _("Device")
    CONSUMABLE = "consumable", _("Consumable")
    PART = "part", _("Spare part")
