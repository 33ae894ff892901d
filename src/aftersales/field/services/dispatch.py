"""Writes for dispatch (R5, R38): automatic dispatch of a new work order to a service point, and
the dispatcher's assignment of an engineer, refused when the engineer is not qualified."""

from __future__ import annotations

import copy
from datetime import date, time

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import Engineer
from aftersales.core.errors import DomainError
from aftersales.workorders.events import event_record
from aftersales.workorders.hooks import PlannedEvent
from aftersales.workorders.models import WorkOrder
from aftersales.workorders.services import workorder_transition

from ..events import DISPATCH, NO_ENGINEER
from ..selectors import dispatch_points_for, engineer_on_leave
from ..suggestions import dispatch_route, dispatch_suggest


def workorder_autodispatch(*, work_order: WorkOrder, actor) -> PlannedEvent | None:
    """R5: a new work order without a service point goes to the best covering point.

    Runs on the unsaved work order at intake (an intake planner), so it is inserted with its
    point: only when the customer's region or coordinates located a point (otherwise the
    dispatcher decides); the engineer is not assigned here. Returns the dispatch event carrying
    the explanation, recorded with the "created" event."""
    if work_order.service_point_id:
        return None
    suggestion = dispatch_route(work_order)
    if suggestion.point is None or not suggestion.locates_customer:
        return None
    work_order.service_point = copy.copy(suggestion.point)  # routing's instance is shared
    return PlannedEvent(
        kind=DISPATCH.kind,
        action="dispatch",
        params={"point": str(suggestion.point), "why": suggestion.explanation},
    )


@transaction.atomic
def dispatch_assign(
    *,
    work_order_id: int,
    engineer: Engineer,
    actor,
    reason: str = "",
    expected_version: int | None = None,
    day: date | None = None,
    window: tuple[time, time] | None = None,
) -> WorkOrder:
    """Assign an engineer through the lifecycle's "assign" transition (R5 override, R38).

    Refused when the engineer is on leave today or on the visit `day` (the transition itself
    refuses an unqualified one); an engineer other than the one suggested for that day and
    requested `window` (R12 availability) needs a reason. The assignment's note is that reason; a
    dispatch event says whether the suggestion was followed and why it was made."""
    work_order = WorkOrder.objects.select_related(
        "customer", "product_model__product_line", "device__product_model__product_line"
    ).get(pk=work_order_id)
    today = timezone.localdate()
    day = day or today
    if engineer_on_leave(engineer, today):
        raise DomainError(
            _("%(engineer)s is on leave today.") % {"engineer": engineer}, code="on_leave", field="engineer"
        )
    if day != today and engineer_on_leave(engineer, day):
        raise DomainError(
            _("%(engineer)s is on leave on %(date)s.") % {"engineer": engineer, "date": f"{day:%Y-%m-%d}"},
            code="on_leave",
            field="engineer",
        )
    suggestion = dispatch_suggest(work_order, day=day, window=window, points=dispatch_points_for(actor))
    reason = (reason or "").strip()
    overridden = suggestion.engineer is None or suggestion.engineer.pk != engineer.pk
    if overridden and not reason:
        raise DomainError(
            _("Give a reason for choosing another engineer than the suggested one."),
            code="required",
            field="reason",
        )
    work_order = workorder_transition(
        work_order_id=work_order.pk,
        action="assign",
        actor=actor,
        expected_version=expected_version,
        engineer=engineer,
        note=reason,
    )
    if overridden:
        action = "dispatch_override"
        params = {"suggested": str(suggestion.engineer) if suggestion.engineer else NO_ENGINEER}
    else:
        action, params = "dispatch_suggested", {"why": suggestion.explanation}
    event_record(
        work_order, kind=DISPATCH, actor=actor, action=action, params={"engineer": str(engineer), **params}
    )
    return work_order
