"""The servicing bounded context: remote sessions, service plans, depot and external repair
(R6, R8, R13, R14)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicingConfig(AppConfig):
    name = "aftersales.servicing"
    label = "servicing"
    verbose_name = _("Servicing")

    def ready(self) -> None:
        # error codes; registers the plan guard, the panels, the demo seeder and the device history
        from . import customer360, errors, hooks  # noqa: F401
