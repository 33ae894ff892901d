from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldConfig(AppConfig):
    name = "aftersales.field"
    label = "field"
    verbose_name = _("Field service")

    def ready(self) -> None:
        from . import errors, hooks  # noqa: F401  (error codes; registers the field panels and lifecycle hooks)
