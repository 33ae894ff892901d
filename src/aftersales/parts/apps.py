"""The parts bounded context: stock in three tiers of warehouses, the dealers' part requests and
accounts, old parts and warranty reimbursement (R28-R32, issue 11)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartsConfig(AppConfig):
    name = "aftersales.parts"
    label = "parts"
    verbose_name = _("Parts")

    def ready(self) -> None:
        from . import errors, hooks  # noqa: F401  (error codes; the demo seeder)
