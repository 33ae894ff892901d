"""Return-visit template helpers: the menu test and the state badge's colour. (The panel on the
work-order page gets its data from `views.return_visits_panel`.)"""

from __future__ import annotations

from django import template

from ..choices import ReturnVisitState
from ..transitions import makes_return_visits

register = template.Library()

STATE_STYLE = {
    ReturnVisitState.PENDING: "text-bg-warning",
    ReturnVisitState.DONE: "text-bg-success",
    ReturnVisitState.UNREACHABLE: "text-bg-secondary",
    ReturnVisitState.CANCELLED: "text-bg-light border",
}


register.filter("makes_return_visits", makes_return_visits)  # the menu item


@register.filter
def visit_state_class(state: str) -> str:
    return STATE_STYLE.get(state, "text-bg-secondary")
