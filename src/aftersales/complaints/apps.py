"""The complaints bounded context: complaints (R26) and difficult cases (R27)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "aftersales.complaints"
    label = "complaints"
    verbose_name = _("Complaints and difficult cases")

    def ready(self) -> None:
        # error codes; registers the work-order panel, the demo seeder, the customer section and the
        # revealable complainant phone (core.privacy)
        from . import customer360, errors, hooks, privacy  # noqa: F401
