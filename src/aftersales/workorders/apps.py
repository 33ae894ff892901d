from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkOrdersConfig(AppConfig):
    name = "aftersales.workorders"
    label = "workorders"
    verbose_name = _("Work orders")

    def ready(self) -> None:
        # the app's error codes; its sections of the customer and device pages (core.panels)
        # the personal fields a reader may reveal (core.privacy); the open work that keeps an
        # engineer in service (accounts.hooks)
        from . import customer360, errors, privacy, selectors  # noqa: F401
