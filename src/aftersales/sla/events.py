"""The service-level app's kind of timeline event."""

from django.utils.translation import gettext_lazy as _

from aftersales.workorders.events import register_event_type

SLA = register_event_type("sla", _("Service level"), icon="bi-stopwatch")
