from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "aftersales.catalog"
    label = "catalog"
    verbose_name = _("Products")

    def ready(self) -> None:
        from . import errors  # noqa: F401  (error codes)
