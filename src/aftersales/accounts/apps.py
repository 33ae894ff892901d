from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "aftersales.accounts"
    label = "accounts"
    verbose_name = _("Organisation and users")

    def ready(self) -> None:
        from . import errors, selectors  # noqa: F401  (error codes; the app's autocomplete lookups)
