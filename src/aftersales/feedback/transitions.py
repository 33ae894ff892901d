"""The return-visit lifecycle (R22-R24), run by `core.transitions.transition_run`.

```
pending ──record (the customer answered, R24)───────────────────────────▶ done
   │ ├──retry (not reached, calls left: the next call is scheduled)──▶ pending
   │ └──give_up (not reached: the policy's calls used up, or a wrong number)──▶ unreachable
   └──cancel (the system: the work order reopened or cancelled before the call)──▶ cancelled
```

The return-visit roles make the calls (`MAKES_RETURN_VISITS`); `cancel` is the system's alone.
Which of `retry` and `give_up` a failed call is follows from the policy (`call_ends_visit`), and
each refuses the other's case. An answer that leaves the customer unsatisfied reopens the work
order (R23) and a complaint voiced on the call is registered (R24, R26): the machine's hook, once
the answer is saved. Who may ask for a call-back (R23) is a permission on the work order
(`ASK_CALLBACK`: engineers only on their own work).
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.complaints.choices import ComplaintCategory, ComplaintSource, Severity
from aftersales.complaints.services import complaint_register
from aftersales.core.errors import DomainError, TransitionNotAllowed
from aftersales.core.transitions import Machine, Permission, Transition, TransitionRun, stamp
from aftersales.sla.selectors import working_time_for
from aftersales.workorders.choices import State
from aftersales.workorders.events import event_record
from aftersales.workorders.services import workorder_transition
from aftersales.workorders.transitions import WORKORDER

from .choices import (
    CALLBACK_ROLES,
    FINAL_FAILURES,
    RETURN_VISIT_ROLES,
    AttemptResult,
    ReturnVisitState,
)
from .events import RETURN_VISIT_EVENT
from .models import SCORE_FIELDS, ReturnVisit, ReturnVisitAttempt, ReturnVisitPolicy
from .selectors import policy_get

# The queue, the form and the report (R22, R25); every call of a return visit.
MAKES_RETURN_VISITS = Permission(RETURN_VISIT_ROLES)
# R23: front office and field roles; engineers only on their own work (checked on the work order).
ASK_CALLBACK = Permission(CALLBACK_ROLES)

PENDING = frozenset({ReturnVisitState.PENDING})
SYSTEM: frozenset[str] = frozenset()  # no role: only the system runs it
# What a failed call may report (a reached customer answers: `record`).
NOT_REACHED = frozenset(AttemptResult.values) - {AttemptResult.REACHED}
ANSWER_INPUTS = frozenset({*SCORE_FIELDS, "unsatisfied", "other_needs", "comment", "praise", "complaint"})


def call_ends_visit(visit: ReturnVisit, result: str, policy: ReturnVisitPolicy) -> bool:
    """A failed call ends the visit as unreachable when the number is wrong or it is the last of
    the policy's calls; otherwise the customer is called again."""
    return result in FINAL_FAILURES or visit.attempts + 1 >= policy.max_attempts


# --- effects ---------------------------------------------------------------------------------------


def take_answer(run: TransitionRun) -> None:
    """R24: the five ratings 1-5 are all given (every missing or wrong one named at once); a
    complaint says what it is about. R23: an overall score below the policy's threshold, or a
    customer who says so, is unsatisfied. The call is logged as reached."""
    scores = {name: run.inputs.get(name) for name in SCORE_FIELDS}
    complaint = run.inputs.get("complaint") or None
    errors: dict[str, list[str]] = {}
    for name, value in scores.items():
        if value is None or value == "":
            errors[name] = [_("Give a score from 1 to 5.")]
        elif not isinstance(value, int) or not 1 <= value <= 5:
            errors[name] = [_("The score must be from 1 to 5.")]
    detail = str((complaint or {}).get("description") or "").strip()
    if complaint is not None and not detail:
        errors["complaint_detail"] = [_("Describe the complaint.")]
    if errors:
        raise ValidationError(errors)
    unsatisfied = bool(run.inputs.get("unsatisfied"))
    overall = int(scores["score_overall"] or 0)  # checked above: a whole number from 1 to 5
    run.set(
        **scores,
        satisfied=not unsatisfied and overall >= policy_get().unsatisfied_below,
        other_needs=run.text("other_needs"),
        comment=run.text("comment"),
        praise=run.text("praise"),
        complaint=complaint is not None,
        complaint_detail=detail,
        attempts=run.obj.attempts + 1,
    )
    ReturnVisitAttempt.objects.create(visit=run.obj, actor=run.actor, result=AttemptResult.REACHED)


def failed_call(*, again: bool):
    """A call that did not reach the customer is logged with its time and result. With `again`
    (retry) the next call is scheduled the policy's working hours later on the service point's
    calendar; without (give_up) the visit ends. Each refuses the case that is the other's."""

    def effect(run: TransitionRun) -> None:
        visit, result = run.obj, run.inputs.get("result")
        if result not in NOT_REACHED:
            raise DomainError(_("Choose why the customer was not reached."), code="required", field="result")
        policy = policy_get()
        if call_ends_visit(visit, result, policy) == again:
            raise TransitionNotAllowed(
                _("No call is left: the customer is unreachable.")
                if again
                else _("The customer is called again: calls are left and the number is right."),
                field="result",
            )
        retry_at = None
        if again:
            point = visit.service_point if visit.service_point_id else None
            retry_at = working_time_for(point).add_business_time(run.now, timedelta(hours=policy.retry_hours))
            run.set(next_call_at=retry_at)
        ReturnVisitAttempt.objects.create(
            visit=visit, actor=run.actor, result=result, note=run.text("note"), retry_at=retry_at
        )
        run.set(attempts=visit.attempts + 1)

    effect.__name__ = "retry_call" if again else "give_up_calls"
    return effect


def finish(run: TransitionRun) -> None:
    run.set(finished_at=run.now, finished_by=run.actor)


def keep_cancel_reason(run: TransitionRun) -> None:
    """Why the visit was dropped: the work-order transition that made it pointless (its label)."""
    reason = run.text("reason")
    run.set(cancel_reason=(_("Work order: %(action)s") % {"action": reason})[:255] if reason else "")


# --- the machine -----------------------------------------------------------------------------------

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "record",
            gettext_lazy("Record the answer"),
            PENDING,
            ReturnVisitState.DONE,
            MAKES_RETURN_VISITS.roles,
            accepts=ANSWER_INPUTS,
            effects=(take_answer, finish),
            style="success",
        ),
        Transition(
            "retry",
            gettext_lazy("Not reached: call again"),
            PENDING,
            "",
            MAKES_RETURN_VISITS.roles,
            needs=frozenset({"result"}),
            accepts=frozenset({"note"}),
            effects=(failed_call(again=True),),
            style="warning",
        ),
        Transition(
            "give_up",
            gettext_lazy("Not reached: unreachable"),
            PENDING,
            ReturnVisitState.UNREACHABLE,
            MAKES_RETURN_VISITS.roles,
            needs=frozenset({"result"}),
            accepts=frozenset({"note"}),
            effects=(failed_call(again=False), finish),
            style="secondary",
        ),
        Transition(
            "cancel",
            gettext_lazy("Cancel"),
            PENDING,
            ReturnVisitState.CANCELLED,
            SYSTEM,
            accepts=frozenset({"reason"}),
            effects=(keep_cancel_reason, stamp("finished_at")),
            style="danger",
        ),
    )
}


def _record(run: TransitionRun) -> None:
    """One return-visit event on the work order's timeline per transition, its action the state
    reached (done, pending, unreachable, cancelled); the parameters are what its text shows (in
    the reader's language), the note only what the user wrote."""
    visit = run.obj
    params: dict = {"number": visit.number}
    note = run.text("note")
    if run.transition.name == "record":
        params.update(
            score=visit.score_overall,
            satisfied=gettext_lazy("satisfied") if visit.satisfied else gettext_lazy("unsatisfied"),
        )
        said = (visit.comment, visit.praise, visit.complaint_detail, visit.other_needs)
        note = "\n".join(text for text in said if text)
    elif run.transition.name in ("retry", "give_up"):
        params.update(count=visit.attempts, result=AttemptResult(run.inputs["result"]).label)
        if visit.state == ReturnVisitState.PENDING:
            params["retry"] = visit.next_call_at
    else:
        params["reason"] = run.inputs.get("reason", "")
    event_record(
        visit.work_order,
        kind=RETURN_VISIT_EVENT,
        actor=run.actor,
        action=visit.state,
        params=params,
        note=note,
    )


def _answer_consequences(run: TransitionRun) -> None:
    """After an answer is saved: a complaint voiced on the call is registered through the
    complaints service (R24, R26); an unsatisfied customer reopens the work order for a new visit,
    whose next completion gets the next return visit (R23)."""
    if run.transition.name != "record":
        return
    visit = run.obj
    if visit.complaint:
        complaint = run.inputs["complaint"]
        complaint_register(
            work_order=visit.work_order,
            source=ComplaintSource.RETURN_VISIT,
            category=complaint.get("category") or ComplaintCategory.OTHER,
            severity=complaint.get("severity") or Severity.GENERAL,
            description=visit.complaint_detail,
            actor=run.actor,
            people=(visit.engineer.user,) if visit.engineer_id else (),
        )
    if not visit.satisfied and visit.work_order.state in (State.COMPLETED, State.CLOSED):
        workorder_transition(
            work_order_id=visit.work_order_id,
            action="reopen",
            actor=run.actor,
            note=_("Return visit %(number)s: customer unsatisfied, a new visit is needed. %(comment)s")
            % {"number": visit.number, "comment": visit.comment},
        )


RETURN_VISIT = Machine(
    name="return_visit",
    model=ReturnVisit,
    transitions=TRANSITIONS,
    record=_record,
    lock_related=("work_order", "engineer__user", "service_point"),
    hooks=[_answer_consequences],
)


def makes_return_visits(user) -> bool:
    """The return-visit roles: the queue, the form and the report (R22, R25)."""
    return user.is_authenticated and RETURN_VISIT.permits(MAKES_RETURN_VISITS, user, None)


def visit_actions_available(visit: ReturnVisit, user) -> bool:
    """True when this user may call the customer for this visit now (the form's buttons)."""
    return RETURN_VISIT["record"] in RETURN_VISIT.available(visit, user)


def callback_permitted(user, work_order) -> bool:
    """R23: who may ask for a call-back: front office and field roles; engineers on their own work."""
    return WORKORDER.permits(ASK_CALLBACK, user, work_order)
