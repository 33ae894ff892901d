"""What the complaints app says, stored as messages and rendered when shown in the reader's
language (R26, R27): its kinds of timeline event, the texts of the complaint's and the case's own
history, and the notices under the bell.

Every step of a complaint or a case is written by `transitions.complaint_step_record` /
`case_step_record`: a complaint's transitions read "<number> · <from> → <to>", registration and the
response alerts have their own text; a case's steps name its level and handler. Notes carry only
the user's own words."""

from django.utils.translation import gettext_lazy as _

from aftersales.workorders.events import register_event_type

# -- notices under the bell (their parameters in brackets) -------------------------------------------

# New complaint, to the assessors: number, severity; customer, description, due.
REGISTERED_TITLE = _("New complaint %(number)s (%(severity)s)")
REGISTERED_BODY = _("%(customer)s: %(description)s. Response due %(due)s.")
# The response job's alerts (number, severity, due): at risk to the assessors, overdue to the
# supervisors. The same texts are the alerts' steps in the complaint's history.
WARNING_TITLE = _("Complaint %(number)s (%(severity)s) must be answered by %(due)s")
OVERDUE_TITLE = _("Complaint %(number)s (%(severity)s) is overdue: no response since %(due)s")
# The feedback, to the people involved and their supervisors: number; category, customer, cause,
# measures.
FEEDBACK_TITLE = _("Result of complaint %(number)s")
FEEDBACK_BODY = _(
    "Complaint %(number)s (%(category)s) about %(customer)s. Cause: %(cause)s. Measures: %(measures)s."
)
# A case for its new handler: number, work_order, level.
HANDLER_TITLE = _("Difficult case %(number)s (work order %(work_order)s) is yours, level %(level)s")

# -- the records' own history (ComplaintEvent, CaseStep): the text of a step by its action ----------

COMPLAINT_HISTORY_TEXTS = {
    "register": _("%(category)s · %(severity)s · response due %(due)s"),
    "warn": WARNING_TITLE,
    "escalate": OVERDUE_TITLE,
}
CASE_HISTORY_TEXTS = {
    "open": _("Criteria met: %(reasons)s"),
}

# -- the work order's timeline ----------------------------------------------------------------------

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
