"""The servicing panels of the work-order page (service plan, remote service, repairs): what they
show and exactly the actions the user may take now. Their data is read once per page."""

from __future__ import annotations

from typing import Any

from django import template

from aftersales.servicing.choices import PlanState
from aftersales.servicing.selectors import servicing_overview
from aftersales.servicing.transitions import DEPOT, PLAN, REMOTE, available
from aftersales.servicing.views import action_form

register = template.Library()


def _overview(work_order) -> dict[str, Any]:
    """Shared by the three panels of one page (cached on the work order being shown)."""
    if not hasattr(work_order, "_servicing_overview"):
        work_order._servicing_overview = servicing_overview(work_order)
    return work_order._servicing_overview


@register.inclusion_tag("servicing/_plan_panel_body.html", takes_context=True)
def plan_panel(context) -> dict[str, Any]:
    """R8: the current plan, its earlier versions, and the next step with the customer."""
    wo, user = context["wo"], context["user"]
    overview = _overview(wo)
    plan = overview["plan"]
    may_plan = wo.is_open and PLAN["send"].permits(user, wo)
    actions, may_revise = [], False
    if plan is not None:
        runnable = available(PLAN, plan, user)
        may_revise = any(t.name == "revise" for t in runnable)
        # Revise has its own page; a revision awaiting approval is approved, not sent.
        hidden = {"revise", "send" if plan.awaits_approval else "approve"}
        actions = [(t, action_form("plan", t.name, plan)) for t in runnable if t.name not in hidden]
    return {
        "wo": wo,
        "user": user,
        "plan": plan,
        "earlier": overview["plans"][:-1],
        "actions": actions,
        "may_create": plan is None and may_plan,
        "may_edit": plan is not None and plan.state == PlanState.DRAFT and may_plan,
        "may_revise": may_revise and wo.is_open,
        "blocks_start": plan is not None and plan.state != PlanState.CONFIRMED and wo.is_open,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("servicing/_remote_panel_body.html", takes_context=True)
def remote_panel(context) -> dict[str, Any]:
    """R6: remote sessions with their steps and outcome; open ones can be closed."""
    wo, user = context["wo"], context["user"]
    sessions = _overview(wo)["remote_sessions"]
    for session in sessions:
        session.actions = [
            (t, action_form("remote", t.name, session)) for t in available(REMOTE, session, user)
        ]
    may_start = wo.is_open and REMOTE["solve"].permits(user, wo)
    return {
        "wo": wo,
        "sessions": sessions,
        "start_form": action_form("workorder", "remote_start", wo) if may_start else None,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("servicing/_repair_panel_body.html", takes_context=True)
def repair_panel(context) -> dict[str, Any]:
    """R13, R14: the device's depot repairs and send-outs; a device can be taken in."""
    wo, user = context["wo"], context["user"]
    overview = _overview(wo)
    may_receive = wo.is_open and overview["open_repair"] is None and DEPOT["hand_back"].permits(user, wo)
    return {
        "wo": wo,
        "repairs": overview["repairs"],
        "receive_form": action_form("workorder", "depot_receive", wo) if may_receive else None,
        "csrf_token": context.get("csrf_token"),
    }
