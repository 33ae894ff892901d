"""The returns panel of the work-order page (service tab): the work order's return and exchange
requests and, for who may draw one up, the button to start one (R33)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from aftersales.workorders.models import WorkOrder

from .selectors import returns_of
from .transitions import may_draw_up, may_read_returns


def returns_panel(request: HttpRequest, work_order: WorkOrder) -> dict[str, Any] | None:
    user = request.user
    if not may_read_returns(user):
        return None
    rows = returns_of(user, work_order)
    may_create = may_draw_up(user, work_order)
    if not rows and not may_create:
        return None
    return {"return_requests": rows, "may_create_return": may_create}
