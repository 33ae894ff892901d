"""Remote service (R6): a session records how the customer was reached and the steps taken; solved,
the work order may be completed with the outcome; not solved, it goes on to an on-site visit."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core.transitions import TransitionRun, transition_run
from aftersales.workorders.choices import ProposedHandling, State
from aftersales.workorders.events import event_record
from aftersales.workorders.models import WorkOrder
from aftersales.workorders.services import workorder_transition, workorder_update

from ..choices import RemoteMethod
from ..events import REMOTE_SERVICE
from ..models import RemoteSession
from ..transitions import (
    REMOTE,
    START_REMOTE,
    permission_check,
    required_text,
    work_order_open_check,
)


@transaction.atomic
def remote_session_start(*, work_order: WorkOrder, actor, method: str, steps: str) -> RemoteSession:
    """R6: remote service comes first; the session records how the customer was reached and the
    steps taken so far (engineers on their own work orders, open work orders only)."""
    work_order_open_check(work_order)
    permission_check(
        REMOTE, START_REMOTE, actor, work_order, _("You may not record remote service on this work order.")
    )
    session = RemoteSession(
        work_order=work_order,
        method=method,
        steps=required_text(steps, "steps", _("Describe the steps taken.")),
        performed_by=actor,
        started_at=timezone.now(),
    )
    session.full_clean()
    session.save()
    event_record(
        work_order,
        kind=REMOTE_SERVICE,
        actor=actor,
        action="remote_start",
        params={"record": str(session), "method": RemoteMethod(session.method).label},
        note=session.steps,
    )
    return session


def remote_session_solve(
    *, session_id: int, actor, result: str, steps: str = "", complete_work_order: bool = False
) -> RemoteSession:
    """R6: solved remotely, with the outcome (and further steps). With `complete_work_order` the
    work order is completed with the outcome as its resolution (started first when it was only
    assigned; the plan guard applies, R8)."""
    return transition_run(
        REMOTE,
        pk=session_id,
        action="solve",
        actor=actor,
        inputs={"result": result, "steps": steps, "complete_work_order": complete_work_order},
    )


def remote_session_escalate(*, session_id: int, actor, result: str, steps: str = "") -> RemoteSession:
    """R6: not solved remotely; recorded, and the work order's proposed handling becomes on-site
    so that it goes on to dispatch and a visit."""
    return transition_run(
        REMOTE, pk=session_id, action="escalate", actor=actor, inputs={"result": result, "steps": steps}
    )


@REMOTE.register_hook
def _work_order_completed(run: TransitionRun) -> None:
    """R6: solved with `complete_work_order`: the work order is completed with the outcome."""
    if run.transition.name != "solve" or not run.inputs.get("complete_work_order"):
        return
    session = run.obj
    work_order = session.work_order
    if work_order.state == State.ASSIGNED:
        work_order = workorder_transition(work_order_id=work_order.pk, action="start", actor=run.actor)
    workorder_transition(
        work_order_id=work_order.pk, action="complete", actor=run.actor, resolution=session.result
    )


@REMOTE.register_hook
def _work_order_goes_on_site(run: TransitionRun) -> None:
    """R6: escalated: the open work order's proposed handling becomes on-site (in its history)."""
    if run.transition.name != "escalate":
        return
    work_order = WorkOrder.objects.get(pk=run.obj.work_order_id)
    if work_order.is_open and work_order.proposed_handling != ProposedHandling.ON_SITE:
        workorder_update(
            work_order_id=work_order.pk,
            actor=run.actor,
            expected_version=work_order.version,
            proposed_handling=ProposedHandling.ON_SITE,
        )
