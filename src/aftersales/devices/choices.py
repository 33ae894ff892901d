from django.db import models
from django.utils.translation import gettext_lazy as _


class StartBasis(models.TextChoices):
    """The date a device's warranty runs from (R36)."""

    PURCHASE = "purchase", _("Purchase date")
    INSTALLATION = "installation", _("Installation date")
    ACTIVATION = "activation", _("Activation date")


class Payer(models.TextChoices):
    """Who pays a line of a repair (R36; a service contract, R35)."""

    MANUFACTURER = "manufacturer", _("Manufacturer (HQ)")
    DEALER = "dealer", _("Dealer")
    CUSTOMER = "customer", _("Customer")
    CONTRACT = "contract", _("Service contract")


class ContractKind(models.TextChoices):
    """What a service contract sells (R35)."""

    EXTENDED_WARRANTY = "extended_warranty", _("Extended warranty")
    MAINTENANCE = "maintenance", _("Maintenance contract")
    BUNDLE = "bundle", _("Extended warranty and maintenance")


# Contracts that may carry maintenance plans (R35).
PLAN_KINDS = frozenset({ContractKind.MAINTENANCE, ContractKind.BUNDLE})


class ContractState(models.TextChoices):
    """draft → active → expired | cancelled (R35)."""

    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")


# States in which a contract was in force (between its dates): it covers the days of its term.
IN_FORCE_STATES = frozenset({ContractState.ACTIVE, ContractState.EXPIRED})


class DateShift(models.TextChoices):
    """Where a maintenance due date on a non-working day moves (R35)."""

    EARLIER = "earlier", _("The working day before")
    LATER = "later", _("The working day after")
