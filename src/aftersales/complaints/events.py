"""The complaints app's kinds of timeline event."""

from django.utils.translation import gettext_lazy as _

from aftersales.workorders.events import register_event_type

COMPLAINT = register_event_type("complaint", _("Complaint"), icon="bi-exclamation-octagon")
CASE = register_event_type("case", _("Difficult case"), icon="bi-folder-symlink")
