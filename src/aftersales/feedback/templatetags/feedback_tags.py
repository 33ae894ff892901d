"""Return-visit template helpers: the panel on the work-order page (R22, R23) and the menu test.

The page already scoped the work order to what the user may see (`workorder_get`), so the panel
lists the visits of `wo` as they are."""

from __future__ import annotations

from django import template

from aftersales.workorders.choices import State

from ..choices import VisitKind, VisitState
from ..selectors import policy_get, return_visits_of
from ..transitions import callback_permitted, makes_return_visits

register = template.Library()

STATE_STYLE = {
    VisitState.PENDING: "text-bg-warning",
    VisitState.DONE: "text-bg-success",
    VisitState.UNREACHABLE: "text-bg-secondary",
    VisitState.CANCELLED: "text-bg-light border",
}


register.filter("makes_return_visits", makes_return_visits)  # the menu item


@register.filter
def visit_state_class(state: str) -> str:
    return STATE_STYLE.get(state, "text-bg-secondary")


@register.inclusion_tag("feedback/_return_visits_rows.html", takes_context=True)
def return_visits_panel(context) -> dict:
    work_order, user = context.get("wo"), context.get("user")
    if work_order is None or work_order.pk is None or user is None:
        return {"show": False}
    visits = list(return_visits_of(work_order))
    callback_pending = any(v.kind == VisitKind.CALLBACK and v.is_pending for v in visits)
    may_ask_callback = (
        work_order.state == State.COMPLETED and not callback_pending and callback_permitted(user, work_order)
    )
    return {
        "show": bool(visits) or may_ask_callback,
        "wo": work_order,
        "visits": visits,
        "may_ask_callback": may_ask_callback,
        "callback_hours": policy_get().callback_hours if may_ask_callback else None,
        "may_call": makes_return_visits(user),
        "csrf_token": context.get("csrf_token"),
    }
