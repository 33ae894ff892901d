"""The bulk actions of the work-order list (assign, priority, close), shared by the list page and
`POST /api/workorders/bulk/` (`core.bulk`): each runs on one work order in its own transaction
through the same service as the single action, so one refused work order does not undo the
others."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from aftersales.core.lists import BulkAction

from .forms import BulkAssignForm, BulkPriorityForm
from .models import WorkOrder
from .services import workorder_transition, workorder_update
from .transitions import WORKORDER


def _bulk_assign(request: HttpRequest, work_order: WorkOrder, data: dict) -> None:
    workorder_transition(
        work_order_id=work_order.pk, action="assign", actor=request.user, engineer=data["engineer"]
    )


def _bulk_priority(request: HttpRequest, work_order: WorkOrder, data: dict) -> None:
    workorder_update(
        work_order_id=work_order.pk,
        actor=request.user,
        expected_version=work_order.version,
        priority=data["priority"],
    )


def _bulk_close(request: HttpRequest, work_order: WorkOrder, data: dict) -> None:
    workorder_transition(work_order_id=work_order.pk, action="close", actor=request.user)


BULK_ACTIONS = (
    BulkAction(
        "assign",
        gettext_lazy("Assign"),
        run=_bulk_assign,
        form=BulkAssignForm,
        allowed=lambda user: user.dispatches,
    ),
    BulkAction(
        "priority",
        gettext_lazy("Set priority"),
        run=_bulk_priority,
        form=BulkPriorityForm,
        allowed=lambda user: user.takes_requests,
    ),
    BulkAction(
        "close",
        gettext_lazy("Close"),
        run=_bulk_close,
        allowed=lambda user: user.has_role(*WORKORDER["close"].roles),
        style="outline-success",
    ),
)
