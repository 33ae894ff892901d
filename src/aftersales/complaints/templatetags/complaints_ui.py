"""Template helpers of complaints and difficult cases: the panel on the work-order page (R26,
R27) and the colours of states and response risks."""

from __future__ import annotations

from django import template

from ..forms import CaseOpenForm, open_prefix
from ..selectors import case_reasons, cases_of_work_order, complaints_of_work_order
from ..tables import RISK_STYLE, STATE_STYLE, reason_labels
from ..transitions import CASE_ROLES, REGISTER_ROLES

register = template.Library()


@register.filter
def lifecycle_style(state: str) -> str:
    """Bootstrap colour of a complaint or case state."""
    return STATE_STYLE.get(state, "secondary")


@register.filter
def risk_style(risk: str) -> str:
    return RISK_STYLE.get(risk, "secondary")


@register.inclusion_tag("complaints/_workorder_panel_body.html", takes_context=True)
def complaints_panel(context) -> dict:
    """The complaints and difficult cases of the work order `wo` (already scoped by its page)."""
    work_order = context.get("wo")
    user = context.get("user")
    if work_order is None or work_order.pk is None or user is None:
        return {"show": False}
    complaints = list(complaints_of_work_order(user, work_order))
    cases = list(cases_of_work_order(user, work_order))
    may_open = user.has_role(*CASE_ROLES) and not any(case.state != "closed" for case in cases)
    return {
        "show": bool(complaints or cases) or user.has_role(*REGISTER_ROLES) or may_open,
        "wo": work_order,
        "user": user,
        "csrf_token": context.get("csrf_token"),
        "complaints": complaints,
        "cases": cases,
        "may_register": user.has_role(*REGISTER_ROLES),
        "may_open": may_open,
        "reasons": reason_labels(case_reasons(work_order)) if may_open else [],
        "open_form": CaseOpenForm(prefix=open_prefix(work_order.pk)) if may_open else None,
    }


@register.inclusion_tag("complaints/_tabs.html", takes_context=True)
def complaints_tabs(context, active: str) -> dict:
    """The app's sub-navigation, showing only the pages the user's role may open."""
    from ..services import CRITERIA_ROLES

    user = context["user"]
    return {
        "active": active,
        "may_register": user.has_role(*REGISTER_ROLES),
        "may_propose": user.has_role(*CASE_ROLES),
        "may_configure": user.has_role(*CRITERIA_ROLES),
    }


@register.filter(name="reason_labels")
def reason_labels_filter(reasons) -> list[str]:
    """The labels of the difficult-case criteria stored on a case."""
    return reason_labels(reasons or [])
