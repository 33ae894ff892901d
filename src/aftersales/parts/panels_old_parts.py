"""The old-parts panel of the work-order page (service tab, R29): the old parts recovered on the work
order, their state and deadline, each linked to its page (absent when there are none)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from aftersales.workorders.models import WorkOrder

from .selectors_old_parts import is_overdue, may_read_old_parts, old_parts_of_work_order


def old_parts_panel(request: HttpRequest, work_order: WorkOrder) -> dict[str, Any] | None:
    if not may_read_old_parts(request.user):
        return None
    old_parts = old_parts_of_work_order(request.user, work_order.pk)
    if not old_parts:
        return None
    for old_part in old_parts:
        old_part.overdue = is_overdue(old_part)
    return {"old_parts": old_parts}
