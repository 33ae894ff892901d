from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevicesConfig(AppConfig):
    name = "aftersales.devices"
    label = "devices"
    verbose_name = _("Installed devices")

    def ready(self) -> None:
        # error codes; the contract's lifecycle; the sections of the customer page (core.panels);
        # the revealable install address (core.privacy)
        from . import customer360, errors, privacy, transitions  # noqa: F401
