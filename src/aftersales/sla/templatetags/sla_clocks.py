"""`{% sla_clocks_panel %}`: the service-level clocks on the work-order page (R34, R18).

The page already scoped the work order to what the user may see (`workorder_get`), so the
panel shows the clocks of `wo` as they are."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils.translation import gettext as _

from ..selectors import clocks_for

register = template.Library()

RISK_STYLE = {"ok": "success", "warning": "warning", "breached": "danger"}


@register.inclusion_tag("sla/_clocks_rows.html", takes_context=True)
def sla_clocks_panel(context) -> dict:
    work_order = context.get("wo")
    if work_order is None or work_order.pk is None:
        return {"show": False}
    views = clocks_for(work_order)
    return {
        "show": bool(views),
        "rows": [(view, RISK_STYLE[view.risk]) for view in views],
    }


@register.filter
def sla_hours(value: timedelta | None) -> str:
    """A duration as hours and minutes, e.g. 13 h 05 min."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
