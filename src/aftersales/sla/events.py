"""The service-level app's kind of timeline event: a clock's warning (at risk) or escalation
(overdue), with the people told (R34); shown in the reader's language."""

from django.utils.translation import gettext_lazy as _

from aftersales.workorders.events import register_event_type

from .choices import AlertKind

SLA = register_event_type(
    "sla",
    _("Service level"),
    icon="bi-stopwatch",
    texts={
        AlertKind.WARNING.value: _(
            "%(milestone)s at risk: %(percent)s%% of the time allowed is used; due by %(due)s. "
            "Notified: %(names)s."
        ),
        AlertKind.BREACH.value: _(
            "%(milestone)s overdue: it was due by %(due)s; escalated to the supervisors. Notified: %(names)s."
        ),
    },
)
