"""What the field app shows on the work-order page (registered in `hooks`): each panel's data read
through the selectors and what the user may do there from `policies`, so that the templates only
show. A panel with nothing to show returns None and stays out of the page."""

from __future__ import annotations

from typing import Any

from aftersales.workorders.choices import State
from aftersales.workorders.transitions import WORKORDER

from .policies import (
    may_book_appointment,
    may_cancel_appointment,
    may_plan_visit,
    may_reschedule_appointment,
)
from .selectors import (
    appointments_for_workorder,
    dispatch_points_for,
    dispatch_suggest,
    visit_signoff,
    visits_for_workorder,
)

# A work order waiting for its engineer: new or accepted, nobody assigned yet.
UNASSIGNED_STATES = frozenset({State.NEW, State.ACCEPTED})


def dispatch_panel(request, work_order) -> dict[str, Any] | None:
    """R5, R38: the dispatch suggestion for an open, unassigned work order, for the roles that
    dispatch (with the button to assign the suggested engineer when they may assign now); R21: the
    printed task form, for any work order not cancelled."""
    user = request.user
    suggestion = None
    if user.dispatches and work_order.engineer_id is None and work_order.state in UNASSIGNED_STATES:
        suggestion = dispatch_suggest(work_order, points=dispatch_points_for(user))
    printable = work_order.state != State.CANCELLED
    if suggestion is None and not printable:
        return None
    return {
        "suggestion": suggestion,
        "may_assign": suggestion is not None and WORKORDER["assign"] in WORKORDER.available(work_order, user),
        "printable": printable,
    }


def appointments_panel(request, work_order) -> dict[str, Any] | None:
    """R12: the visits booked with the customer, with what the user may change, and the booking
    form; hidden while nobody is assigned and nothing was booked."""
    appointments = list(appointments_for_workorder(work_order))
    if work_order.engineer_id is None and not appointments:
        return None
    user = request.user
    return {
        "rows": [
            {
                "appointment": appointment,
                "may_reschedule": may_reschedule_appointment(user, appointment),
                "may_cancel": may_cancel_appointment(user, appointment),
            }
            for appointment in appointments
        ],
        "may_book": may_book_appointment(user, work_order),
    }


def visits_panel(request, work_order) -> dict[str, Any] | None:
    """R12, R15-R17: the work order's on-site visits with their sign-off, their printed forms, and
    the form to plan one; hidden while nobody is assigned and there is no visit."""
    visits = list(visits_for_workorder(work_order))
    if work_order.engineer_id is None and not visits:
        return None
    return {
        "rows": [{"visit": visit, "signoff": visit_signoff(visit)} for visit in visits],
        "may_plan": may_plan_visit(request.user, work_order),
    }
