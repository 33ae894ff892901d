"""The feedback bounded context: return visits and customer satisfaction (R22-R25)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "aftersales.feedback"
    label = "feedback"
    verbose_name = _("Return visits")

    def ready(self) -> None:
        from . import hooks  # noqa: F401  (registers the lifecycle hooks, the panel and the demo seeder)
