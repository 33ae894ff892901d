"""The feedback app's kind of timeline event."""

from django.utils.translation import gettext_lazy as _

from aftersales.workorders.events import register_event_type

RETURN_VISIT = register_event_type("return_visit", _("Return visit"), icon="bi-telephone-outbound")
