"""What this app shows on other pages: the complaints and difficult cases of a work order (its
feedback tab, R26, R27) and the user's own queue on the home page. Data read through the
selectors; what the user may do from the named permissions of `transitions.py`."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from aftersales.accounts.choices import Role
from aftersales.workorders.models import WorkOrder

from .choices import OPEN_CASE_STATES, OPEN_COMPLAINT_STATES, CaseState, ResponseRisk
from .forms import CaseOpenForm, open_prefix
from .selectors import (
    case_list,
    case_reasons,
    cases_of_work_order,
    complaint_list,
    complaints_of_work_order,
    response_condition,
)
from .tables import reason_labels
from .transitions import may_open_case, may_register


def workorder_panel(request: HttpRequest, work_order: WorkOrder) -> dict[str, Any] | None:
    """The complaints and difficult cases of the work order (already scoped by its page); a
    complaint can be registered, and the work order opened as a case while it has none open."""
    user = request.user
    complaints = list(complaints_of_work_order(user, work_order))
    cases = list(cases_of_work_order(user, work_order))
    registers = may_register(user)
    opens = may_open_case(user) and not any(case.state != CaseState.CLOSED for case in cases)
    if not (complaints or cases or registers or opens):
        return None
    return {
        "complaints": complaints,
        "cases": cases,
        "may_register": registers,
        "may_open": opens,
        "reasons": reason_labels(case_reasons(work_order)) if opens else [],
        "open_form": CaseOpenForm(prefix=open_prefix(work_order.pk)) if opens else None,
    }


# Open complaints a quality clerk's home page lists at most.
OPEN_SHOWN = 10


def home_panel(request: HttpRequest) -> dict[str, Any]:
    """Unanswered complaints at risk or overdue, and the user's open difficult cases; for quality
    staff, who assess and follow every complaint (R26), the open complaints too (the one whose
    response is due first first)."""
    user = request.user
    now = timezone.now()
    complaints = complaint_list(user)
    panel: dict[str, Any] = {
        "overdue": complaints.filter(response_condition(ResponseRisk.OVERDUE, now)).count(),
        "at_risk": complaints.filter(response_condition(ResponseRisk.WARNING, now)).count(),
        "my_cases": list(case_list(user).filter(handler=user, state__in=OPEN_CASE_STATES)[:10]),
        "open": None,
        "open_count": 0,
    }
    if user.role == Role.QUALITY:
        opened = complaints.filter(state__in=OPEN_COMPLAINT_STATES).order_by("response_due_at", "pk")
        panel["open"] = list(opened[:OPEN_SHOWN])
        panel["open_count"] = len(panel["open"]) if len(panel["open"]) < OPEN_SHOWN else opened.count()
    return panel
