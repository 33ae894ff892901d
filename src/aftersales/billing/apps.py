"""The billing bounded context: who pays what for a work order, from the quote to the last fen
(R8, R9, R10, R11, R15, issue 10)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "aftersales.billing"
    label = "billing"
    verbose_name = _("Billing")

    def ready(self) -> None:
        from . import errors, hooks  # noqa: F401  (error codes; registers the panels, the guard and the demo seeder)
