"""`{% official_schedule_banner %}` (base.html): from 1 November, tells HQ admins on every page that
next year's official holiday schedule is unknown to the SLA arithmetic (R34): neither the holiday
package nor the imported schedule has a holiday in it; and so all year long for the current year
if it is still unknown. No query while the calendars are unchanged."""

from __future__ import annotations

from django import template
from django.utils import timezone

from ..selectors import schedule_years_missing
from ..services import may_edit_official_schedule

register = template.Library()


@register.inclusion_tag("sla/_schedule_banner.html", takes_context=True)
def official_schedule_banner(context) -> dict:
    user = context.get("user")
    if not may_edit_official_schedule(user):
        return {"years": []}
    return {"years": schedule_years_missing(timezone.localdate())}
