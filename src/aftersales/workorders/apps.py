from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkOrdersConfig(AppConfig):
    name = "aftersales.workorders"
    label = "workorders"
    verbose_name = _("Work orders")

    def ready(self) -> None:
        from . import errors  # noqa: F401  (declares the app's error codes)
