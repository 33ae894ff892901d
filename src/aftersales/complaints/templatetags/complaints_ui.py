"""Template helpers of complaints and difficult cases: the colours of states and response risks,
the labels of the criteria a case met, and the app's sub-navigation."""

from __future__ import annotations

from django import template

from ..tables import RISK_STYLE, STATE_STYLE, reason_labels
from ..transitions import may_configure_criteria, may_open_case, may_register

register = template.Library()


@register.filter
def lifecycle_style(state: str) -> str:
    """Bootstrap colour of a complaint or case state."""
    return STATE_STYLE.get(state, "secondary")


@register.filter
def risk_style(risk: str) -> str:
    return RISK_STYLE.get(risk, "secondary")


@register.inclusion_tag("complaints/_tabs.html", takes_context=True)
def complaints_tabs(context, active: str) -> dict:
    """The app's sub-navigation, showing only the pages the user may open."""
    user = context["user"]
    return {
        "active": active,
        "may_register": may_register(user),
        "may_propose": may_open_case(user),
        "may_configure": may_configure_criteria(user),
    }


@register.filter(name="reason_labels")
def reason_labels_filter(reasons) -> list[str]:
    """The labels of the difficult-case criteria stored on a case."""
    return reason_labels(reasons or [])
