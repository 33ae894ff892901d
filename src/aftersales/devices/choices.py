from django.db import models
from django.utils.translation import gettext_lazy as _


class StartBasis(models.TextChoices):
    """The date a device's warranty runs from (R36)."""

    PURCHASE = "purchase", _("Purchase date")
    INSTALLATION = "installation", _("Installation date")
    ACTIVATION = "activation", _("Activation date")


class Payer(models.TextChoices):
    """Who pays a line of a repair (R36, R35 later adds contracts)."""

    MANUFACTURER = "manufacturer", _("Manufacturer (HQ)")
    DEALER = "dealer", _("Dealer")
    CUSTOMER = "customer", _("Customer")
    CONTRACT = "contract", _("Service contract")
