"""The field app's kinds of timeline event (registered with the work order's timeline)."""

from django.utils.translation import gettext_lazy as _

from aftersales.workorders.events import register_event_type

DISPATCH = register_event_type("dispatch", _("Dispatch"), icon="bi-signpost-split")
APPOINTMENT = register_event_type("appointment", _("Appointment"), icon="bi-calendar-event")
VISIT = register_event_type("visit", _("On-site visit"), icon="bi-geo-alt")
SIGNOFF = register_event_type("signoff", _("Sign-off"), icon="bi-pen")
