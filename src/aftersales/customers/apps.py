from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "aftersales.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        # The app's error codes; its autocomplete lookups (core.autocomplete); its revealable fields.
        from . import errors, privacy, selectors  # noqa: F401
