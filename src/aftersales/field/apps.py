from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldConfig(AppConfig):
    name = "aftersales.field"
    label = "field"
    verbose_name = _("Field service")

    def ready(self) -> None:
        # error codes; registers the field panels and lifecycle hooks, its customer and device sections
        from . import customer360, errors, hooks  # noqa: F401
