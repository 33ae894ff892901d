from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkOrdersConfig(AppConfig):
    name = "aftersales.workorders"
    label = "workorders"
    verbose_name = _("Work orders")

    def ready(self) -> None:
        # the app's error codes; its sections of the customer and device pages (core.panels)
        # the personal fields a reader may reveal (core.privacy)
        from . import customer360, errors, privacy  # noqa: F401
