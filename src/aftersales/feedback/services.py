"""Writes of return visits (R22-R24): scheduled when a work order is completed, a call-back for an
uncertain fix, the calls and the answer through the lifecycle (`transitions.py`, which also says
what an answer sets off: reopen, complaint)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.accounts.choices import Role
from aftersales.core.errors import NotPermitted, TransitionNotAllowed
from aftersales.core.services import number_next, settings_save
from aftersales.core.transitions import transition_run
from aftersales.notifications.choices import Channel as MessageChannel
from aftersales.notifications.services import Notice, message_queue, notify_many
from aftersales.sla.selectors import working_time_for
from aftersales.workorders.choices import State
from aftersales.workorders.events import TRANSITION, event_record
from aftersales.workorders.models import WorkOrder, WorkOrderEvent
from aftersales.workorders.transitions import WORKORDER

from .choices import ReturnVisitKind
from .events import RETURN_VISIT_EVENT
from .models import ReturnVisit, ReturnVisitPolicy
from .selectors import assignee_pick, policy_get
from .transitions import RETURN_VISIT, call_ends_visit, callback_permitted

NUMBER_PREFIX = "RV"
# The assignee's notice (R22), shown in the reader's language.
ASSIGNED = gettext_lazy("Return visit %(number)s for work order %(work_order)s, due %(due)s")


def _completion_round(work_order: WorkOrder) -> int:
    """How many times the work order has been completed: the round of its return visit (R23)."""
    completions = WorkOrderEvent.objects.filter(
        work_order=work_order, kind=TRANSITION.kind, action="complete"
    ).count()
    return max(completions, 1)


def _notify_assignee(visit: ReturnVisit) -> None:
    """Tell the assignee under the bell (shown in the reader's language) and by e-mail (in their
    language) that a return visit is theirs (once per visit: both are keyed by the visit)."""
    assignee = visit.assignee
    if assignee is None:
        return
    url = reverse("feedback:visit", args=[visit.pk])
    key = f"return-visit:{visit.pk}:assigned"
    params = {"number": visit.number, "work_order": visit.work_order.number, "due": visit.due_at}
    kind = ReturnVisitKind(visit.kind).label
    notice = Notice(recipients=(assignee,), title=ASSIGNED, body=kind, url=url, key=key, params=params)
    notify_many([notice])
    if assignee.email:
        subject, body = notice.text_in(assignee.language or settings.LANGUAGE_CODE, notice.message())
        message_queue(
            channel=MessageChannel.EMAIL,
            recipient=assignee.email,
            subject=subject,
            body=f"{body}\n{url}",
            key=f"{key}:email",
        )


def _visit_create(*, work_order: WorkOrder, kind: str, due_at: datetime, actor) -> tuple[ReturnVisit, bool]:
    """The visit of this kind for the work order's current completion: the existing one, or a new
    one assigned, on the timeline and notified. The caller holds the work order's row lock."""
    round_ = _completion_round(work_order)
    existing = ReturnVisit.objects.filter(work_order=work_order, kind=kind, round=round_).first()
    if existing is not None:
        return existing, False
    visit = ReturnVisit(
        number=number_next(prefix=NUMBER_PREFIX),
        work_order=work_order,
        kind=kind,
        round=round_,
        assignee=assignee_pick(),
        engineer=work_order.engineer,
        service_point=work_order.service_point,
        product_line=work_order.product_line,
        work_completed_at=work_order.completed_at or timezone.now(),
        due_at=due_at,
        next_call_at=due_at,
    )
    visit.full_clean()
    visit.save()
    _notify_assignee(visit)
    event_record(
        work_order,
        kind=RETURN_VISIT_EVENT,
        actor=actor,
        action=kind,
        params={
            "kind": ReturnVisitKind(kind).label,
            "number": visit.number,
            "due": due_at,
            "assignee": visit.assignee.display_name if visit.assignee else gettext_lazy("nobody"),
        },
    )
    return visit, True


@transaction.atomic
def return_visit_schedule(*, work_order: WorkOrder, actor) -> ReturnVisit:
    """R22: a completed work order gets a return visit, due the policy's number of working days
    (default 3) after completion on the service point's working calendar (holidays skipped).
    Idempotent: the visit of this completion is created once."""
    policy = policy_get()
    completed = work_order.completed_at or timezone.now()
    working_time = working_time_for(work_order.service_point if work_order.service_point_id else None)
    due = working_time.add_business_days(completed, policy.due_working_days)
    visit, _created = _visit_create(
        work_order=work_order, kind=ReturnVisitKind.ROUTINE, due_at=due, actor=actor
    )
    return visit


@transaction.atomic
def return_visit_callback_request(*, work_order_id: int, actor) -> tuple[ReturnVisit, bool]:
    """R23: the engineer is not sure the fix holds: the customer is called back the policy's hours
    (default 3) after completion. Only on a completed work order; engineers only on their own
    work. Idempotent: asking twice returns the call-back already scheduled (created=False)."""
    work_order = WORKORDER.lock(work_order_id)
    if not callback_permitted(actor, work_order):
        raise NotPermitted(_("You may not ask for a call-back on this work order."))
    if work_order.state != State.COMPLETED:
        raise TransitionNotAllowed(
            _("A call-back can only be asked for on a completed work order (it is %(state)s).")
            % {"state": work_order.get_state_display()}
        )
    due = (work_order.completed_at or timezone.now()) + timedelta(hours=policy_get().callback_hours)
    return _visit_create(work_order=work_order, kind=ReturnVisitKind.CALLBACK, due_at=due, actor=actor)


def return_visit_record(
    *,
    visit_id: int,
    actor,
    score_timeliness: int | None,
    score_skill: int | None,
    score_attitude: int | None,
    score_effectiveness: int | None,
    score_overall: int | None,
    unsatisfied: bool = False,
    other_needs: str = "",
    comment: str = "",
    praise: str = "",
    complaint: bool = False,
    complaint_detail: str = "",
    complaint_category: str = "",
    complaint_severity: str = "",
) -> ReturnVisit:
    """R24: the customer was reached and answered: five ratings, other needs, a comment, praise
    for the engineer, a complaint or not (the `record` transition).

    R23: an overall score below the policy's threshold, or a customer who says so, is unsatisfied:
    the work order is reopened for a new visit, and its next completion gets the next return visit.
    A complaint is registered through the complaints service (source "return_visit")."""
    answer = {
        "score_timeliness": score_timeliness,
        "score_skill": score_skill,
        "score_attitude": score_attitude,
        "score_effectiveness": score_effectiveness,
        "score_overall": score_overall,
        "unsatisfied": unsatisfied,
        "other_needs": other_needs,
        "comment": comment,
        "praise": praise,
        "complaint": (
            {"description": complaint_detail, "category": complaint_category, "severity": complaint_severity}
            if complaint
            else None
        ),
    }
    return transition_run(RETURN_VISIT, pk=visit_id, action="record", actor=actor, inputs=answer)


@transaction.atomic
def return_visit_call_failed(*, visit_id: int, actor, result: str, note: str = "") -> ReturnVisit:
    """A call that did not reach the customer is logged with its time and result: the visit stays
    pending with the next call scheduled the policy's working hours later (`retry`), or, after the
    policy's number of calls or on a wrong number, ends as unreachable (`give_up`)."""
    visit = RETURN_VISIT.lock(visit_id)
    action = "give_up" if call_ends_visit(visit, result, policy_get()) else "retry"
    return transition_run(
        RETURN_VISIT, pk=visit_id, action=action, actor=actor, inputs={"result": result, "note": note}
    )


@transaction.atomic
def return_visits_cancel_pending(*, work_order: WorkOrder, reason) -> int:
    """The work order was reopened or cancelled (`reason`: the label of its transition) before its
    pending visits were made: the system cancels them (the next completion schedules a new one).
    Returns how many."""
    transition = RETURN_VISIT["cancel"]
    pending = list(
        ReturnVisit.objects.select_for_update()
        .filter(work_order=work_order, state__in=transition.sources)
        .values_list("pk", flat=True)
    )
    for visit_id in pending:
        transition_run(RETURN_VISIT, pk=visit_id, action="cancel", actor=None, inputs={"reason": reason})
    return len(pending)


# -- the company's return-visit policy (R22, R23) ----------------------------------------------

POLICY_FIELDS = ("due_working_days", "callback_hours", "unsatisfied_below", "max_attempts", "retry_hours")


def may_configure_return_visits(user) -> bool:
    """R22, R23: HQ admins keep the company's return-visit policy (as in the admin)."""
    return bool(user and user.is_authenticated and user.has_role(Role.HQ_ADMIN))


@transaction.atomic
def return_visit_policy_update(*, actor, **values: Any) -> ReturnVisitPolicy:
    """R22, R23: change the company's return-visit policy (HQ admins); what is left out stays, and
    the first save starts from the defaults. Every change is in the history (R41). Visits already
    scheduled keep their due time; visits scheduled from now on, the next failed call of any
    pending visit (retry, unreachable) and the next answer (unsatisfied) follow it as saved."""
    if not may_configure_return_visits(actor):
        raise NotPermitted(_("Only an HQ admin may change the return-visit policy."))
    return settings_save(model=ReturnVisitPolicy, fields=values, editable=POLICY_FIELDS, actor=actor)
