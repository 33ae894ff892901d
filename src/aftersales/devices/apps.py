from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevicesConfig(AppConfig):
    name = "aftersales.devices"
    label = "devices"
    verbose_name = _("Installed devices")

    def ready(self) -> None:
        from . import errors, transitions  # noqa: F401  (error codes; the contract's lifecycle)
