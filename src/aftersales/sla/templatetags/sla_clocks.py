"""Service-level template helpers: `|sla_hours` for the clocks panel of the work-order page
(R34, R18; its context comes from `hooks.clocks_panel`); `{% sla_list_due wo %}`: the next due
time on the work-order list (R34)."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import RiskLevel
from ..selectors import risk_of_running

register = template.Library()

RISK_STYLE = {"ok": "success", "warning": "warning", "breached": "danger"}


@register.filter
def sla_hours(value: timedelta | None) -> str:
    """A duration as hours and minutes, e.g. 13 h 05 min."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}


@register.inclusion_tag("sla/_list_due.html")
def sla_list_due(work_order) -> dict:
    """The work-order list's SLA cell (R34): the next due time of the running clock, coloured by
    risk, from the list query's annotations (no query)."""
    due_at = getattr(work_order, "sla_due_at", None)
    if due_at is None:
        return {"due_at": None}
    risk = risk_of_running(due_at=due_at, warn_at=work_order.sla_warn_at, at=timezone.now())
    return {"due_at": due_at, "risk": risk, "style": RISK_STYLE[risk], "label": RiskLevel(risk).label}
