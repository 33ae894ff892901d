"""Service-level template helpers: `|sla_hours` for the clocks panel of the work-order page
(R34, R18; its context comes from `hooks.clocks_panel`)."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils.translation import gettext as _

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
