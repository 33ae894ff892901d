"""The servicing app's kinds of timeline event."""

from django.utils.translation import gettext_lazy as _

from aftersales.workorders.events import register_event_type

REMOTE_SERVICE = register_event_type("remote", _("Remote service"), icon="bi-headset")
SERVICE_PLAN = register_event_type("plan", _("Service plan"), icon="bi-clipboard-check")
REPAIR = register_event_type("repair", _("Repair"), icon="bi-wrench-adjustable")
