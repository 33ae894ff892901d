"""`{% dispatch_panel %}`: the dispatch suggestion on the work-order page (R5, R38)."""

from __future__ import annotations

from django import template

from aftersales.workorders.choices import State

from ..selectors import dispatch_points_for, dispatch_suggest

register = template.Library()


@register.inclusion_tag("field/_dispatch_suggestion.html", takes_context=True)
def dispatch_panel(context) -> dict:
    """The suggestion for an open, unassigned work order, for the roles that dispatch."""
    work_order, user = context.get("wo"), context.get("user")
    show = (
        work_order is not None
        and user is not None
        and user.is_authenticated
        and user.dispatches
        and work_order.engineer_id is None
        and work_order.state in (State.NEW, State.ACCEPTED)
    )
    if not show:
        return {"show": False}
    suggestion = dispatch_suggest(work_order, points=dispatch_points_for(user))
    return {
        "show": True,
        "wo": work_order,
        "s": suggestion,
        "can_assign": work_order.state == State.ACCEPTED,
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }
