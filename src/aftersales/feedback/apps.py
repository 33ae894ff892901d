"""The feedback bounded context: return visits and customer satisfaction (R22-R25)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "aftersales.feedback"
    label = "feedback"
    verbose_name = _("Return visits")

    def ready(self) -> None:
        # registers the lifecycle hooks, the panel, the demo seeder, the customer section and the
        # revealable contact phone (core.privacy)
        from . import customer360, errors, hooks, privacy  # noqa: F401
