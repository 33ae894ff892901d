"""The servicing bounded context: remote sessions, service plans, depot and external repair
(R6, R8, R13, R14)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicingConfig(AppConfig):
    name = "aftersales.servicing"
    label = "servicing"
    verbose_name = _("Servicing")

    def ready(self) -> None:
        from . import errors, hooks  # noqa: F401  (error codes; registers the plan guard, the panels and the demo seeder)
