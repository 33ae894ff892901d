"""Writes of complaints (R26) and difficult cases (R27): registration and the complaint's steps,
the response job, the case criteria, opening a case and its steps.

Every step is a keyword-only wrapper around `core.transitions.transition_run` on the machines of
`transitions.py` (row locked, state, role and inputs checked, the step in the record's own history
and on the work order's timeline); what a step does beyond its record (the feedback to the
customer, the new handler's notice) is a hook the modules register on the machine."""

from .cases import case_criteria_update, case_open, case_transition
from .complaints import complaint_register, complaint_transition, response_due
from .configuration import case_level_delete, case_level_save, may_configure_complaints
from .responses import RESPONSE_ALERTS, complaint_response_alert, complaint_response_check

__all__ = [
    "RESPONSE_ALERTS",
    "case_criteria_update",
    "case_level_delete",
    "case_level_save",
    "case_open",
    "case_transition",
    "complaint_register",
    "complaint_response_alert",
    "complaint_response_check",
    "complaint_transition",
    "may_configure_complaints",
    "response_due",
]
