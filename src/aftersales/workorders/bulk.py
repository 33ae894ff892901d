"""The bulk actions of the work-order list (assign, priority, close), shared by the list page and
`POST /api/workorders/bulk/`: each runs on one work order in its own transaction through the same
service as the single action, so one refused work order does not undo the others."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.core.lists import BulkAction, bulk_results

from .forms import BulkAssignForm, BulkPriorityForm
from .models import WorkOrder
from .selectors import workorder_list
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

BULK_OUTCOMES = [
    ("done", gettext_lazy("Done")),
    ("refused", gettext_lazy("Refused")),
    ("not_found", gettext_lazy("Not found")),
]


def workorder_bulk(
    request: HttpRequest, *, action: BulkAction, ids: list[int], data: dict[str, Any]
) -> list[dict[str, Any]]:
    """`action` on each of the work orders `ids` names that the user may see (R37), each in its own
    transaction (`core.lists.bulk_results`, as on the list page); one result per id, in the order
    given: done, refused (with the reason) or not found (out of scope or no such id: never acted
    on, and not told apart)."""
    ids = list(dict.fromkeys(ids))
    outcomes: dict[int, dict[str, Any]] = {}
    rows = workorder_list(request.user).filter(pk__in=ids)
    for work_order, reason in bulk_results(request, action, rows, data):
        outcomes[work_order.pk] = {
            "id": work_order.pk,
            "number": work_order.number,
            "outcome": "done" if reason is None else "refused",
            "reason": reason or "",
        }
    not_found = {"number": None, "outcome": "not_found", "reason": _("No such work order.")}
    return [outcomes.get(pk) or {"id": pk, **not_found} for pk in ids]
