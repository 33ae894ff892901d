"""The complaints app's kinds of timeline event and what their events say (R26, R27).

Every step of a complaint or a case is written by `transitions.complaint_step_record` /
`case_step_record`: a complaint's transitions read "<number> · <from> → <to>", registration and the
response alerts have their own text; a case's steps name its level and handler. Notes carry only
the user's own words."""

from django.utils.translation import gettext_lazy as _

from aftersales.workorders.events import register_event_type

COMPLAINT = register_event_type(
    "complaint",
    _("Complaint"),
    icon="bi-exclamation-octagon",
    texts={
        "register": _("%(record)s · %(category)s · %(severity)s · response due %(due)s"),
        "warn": _("%(record)s: the response is due %(due)s; the assessors were warned"),
        "escalate": _("%(record)s: no response by %(due)s; escalated to the supervisors"),
    },
)
CASE = register_event_type(
    "case",
    _("Difficult case"),
    icon="bi-folder-symlink",
    texts={
        "open": _("%(record)s opened at level %(level)s, handled by %(handler)s; criteria met: %(reasons)s"),
        "": _("%(record)s · level %(level)s · %(handler)s"),
    },
)
