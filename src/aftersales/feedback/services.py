"""Writes of return visits (R22-R24): scheduled when a work order is completed, a call-back for an
uncertain fix, the calls and the answer, and what an answer sets off (reopen, complaint)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales.complaints.choices import ComplaintCategory, ComplaintSource, Severity
from aftersales.complaints.services import complaint_register
from aftersales.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from aftersales.core.services import number_next
from aftersales.notifications.choices import Channel as MessageChannel
from aftersales.notifications.services import message_queue, notify
from aftersales.sla.selectors import working_time_for
from aftersales.workorders.choices import State
from aftersales.workorders.events import TRANSITION, event_record
from aftersales.workorders.models import WorkOrder, WorkOrderEvent
from aftersales.workorders.services import workorder_transition

from .choices import FINAL_FAILURES, AttemptResult, VisitKind, VisitState
from .events import RETURN_VISIT
from .models import SCORE_FIELDS, ReturnVisit, ReturnVisitAttempt
from .selectors import assignee_pick, policy_get
from .transitions import VISIT_TRANSITIONS, VisitTransition, callback_permitted

NUMBER_PREFIX = "RV"


def _completion_round(work_order: WorkOrder) -> int:
    """How many times the work order has been completed: the round of its return visit (R23)."""
    completions = WorkOrderEvent.objects.filter(
        work_order=work_order, kind=TRANSITION.kind, action="complete"
    ).count()
    return max(completions, 1)


def _when(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _notify_assignee(visit: ReturnVisit) -> None:
    """Tell the assignee in-app and by e-mail, in their language, that a return visit is theirs
    (once per visit: both are keyed by the visit)."""
    assignee = visit.assignee
    if assignee is None:
        return
    with translation.override(assignee.language or settings.LANGUAGE_CODE):
        title = _("Return visit %(number)s for work order %(work_order)s, due %(due)s") % {
            "number": visit.number,
            "work_order": visit.work_order.number,
            "due": _when(visit.due_at),
        }
        body = str(visit.get_kind_display())
    url = reverse("feedback:visit", args=[visit.pk])
    key = f"return-visit:{visit.pk}:assigned"
    notify(recipients=[assignee], title=title, body=body, url=url, key=key)
    if assignee.email:
        message_queue(
            channel=MessageChannel.EMAIL,
            recipient=assignee.email,
            subject=title,
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
        kind=RETURN_VISIT,
        actor=actor,
        action=kind,
        note=_("%(kind)s %(number)s due %(due)s, assigned to %(assignee)s")
        % {
            "kind": visit.get_kind_display(),
            "number": visit.number,
            "due": _when(due_at),
            "assignee": visit.assignee or _("nobody"),
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
    visit, _created = _visit_create(work_order=work_order, kind=VisitKind.ROUTINE, due_at=due, actor=actor)
    return visit


@transaction.atomic
def return_visit_callback_request(*, work_order_id: int, actor) -> tuple[ReturnVisit, bool]:
    """R23: the engineer is not sure the fix holds: the customer is called back the policy's hours
    (default 3) after completion. Only on a completed work order; engineers only on their own
    work. Idempotent: asking twice returns the call-back already scheduled (created=False)."""
    work_order = (
        WorkOrder.objects.select_for_update(of=("self",))
        .select_related("engineer__user", "service_point")
        .get(pk=work_order_id)
    )
    if not callback_permitted(actor, work_order):
        raise NotPermitted(_("You may not ask for a call-back on this work order."))
    if work_order.state != State.COMPLETED:
        raise TransitionNotAllowed(
            _("A call-back can only be asked for on a completed work order (it is %(state)s).")
            % {"state": work_order.get_state_display()}
        )
    due = (work_order.completed_at or timezone.now()) + timedelta(hours=policy_get().callback_hours)
    return _visit_create(work_order=work_order, kind=VisitKind.CALLBACK, due_at=due, actor=actor)


def _locked(visit_id: int) -> ReturnVisit:
    return (
        ReturnVisit.objects.select_for_update(of=("self",))
        .select_related("work_order", "engineer__user", "service_point")
        .get(pk=visit_id)
    )


def _check(visit: ReturnVisit, transition: VisitTransition, actor) -> None:
    if not transition.allows_state(visit.state):
        raise TransitionNotAllowed(
            _("“%(action)s” is not possible while the return visit is %(state)s.")
            % {"action": transition.label, "state": visit.get_state_display()}
        )
    if not transition.permits(actor):
        raise NotPermitted(_("You may not “%(action)s” this return visit.") % {"action": transition.label})


def _finish(visit: ReturnVisit, transition: VisitTransition, actor, now: datetime) -> None:
    visit.state = transition.target
    visit.finished_at = now
    visit.finished_by = actor
    visit.full_clean()
    visit.save()


def _validate_answer(scores: dict[str, int | None], complaint: bool, complaint_detail: str) -> None:
    """R24: the five ratings 1-5 are all given; a complaint says what it is about."""
    errors: dict[str, list[str]] = {}
    for name, value in scores.items():
        if value is None or value == "":
            errors[name] = [_("Give a score from 1 to 5.")]
        elif not isinstance(value, int) or not 1 <= value <= 5:
            errors[name] = [_("The score must be from 1 to 5.")]
    if complaint and not complaint_detail.strip():
        errors["complaint_detail"] = [_("Describe the complaint.")]
    if errors:
        raise ValidationError(errors)


def _answer_note(visit: ReturnVisit) -> str:
    parts = [
        _("Overall %(score)s/5") % {"score": visit.score_overall},
        _("satisfied") if visit.satisfied else _("unsatisfied"),
    ]
    if visit.praise:
        parts.append(_("praise: %(text)s") % {"text": visit.praise})
    if visit.complaint:
        parts.append(_("complaint: %(text)s") % {"text": visit.complaint_detail})
    if visit.other_needs:
        parts.append(_("other needs: %(text)s") % {"text": visit.other_needs})
    if visit.comment:
        parts.append(visit.comment)
    return f"{visit.number} · " + " · ".join(parts)


def _complaint_start(visit: ReturnVisit, actor, *, category: str, severity: str) -> None:
    """R24, R26: a complaint voiced on a return visit is registered as a complaint."""
    people = (visit.engineer.user,) if visit.engineer_id else ()
    complaint_register(
        work_order=visit.work_order,
        source=ComplaintSource.RETURN_VISIT,
        category=category or ComplaintCategory.OTHER,
        severity=severity or Severity.GENERAL,
        description=visit.complaint_detail,
        actor=actor,
        people=people,
    )


@transaction.atomic
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
    for the engineer, a complaint or not.

    R23: an overall score below the policy's threshold, or a customer who says so, is unsatisfied:
    the work order is reopened for a new visit, and its next completion gets the next return visit.
    A complaint is registered through the complaints service (source "return_visit")."""
    visit = _locked(visit_id)
    transition = VISIT_TRANSITIONS["record"]
    _check(visit, transition, actor)
    scores = dict(
        zip(
            SCORE_FIELDS,
            (score_timeliness, score_skill, score_attitude, score_effectiveness, score_overall),
            strict=True,
        )
    )
    complaint_detail = complaint_detail.strip() if complaint else ""
    _validate_answer(scores, complaint, complaint_detail)
    now = timezone.now()
    ReturnVisitAttempt.objects.create(visit=visit, actor=actor, result=AttemptResult.REACHED)
    for name, value in scores.items():
        setattr(visit, name, value)
    visit.satisfied = not unsatisfied and score_overall >= policy_get().unsatisfied_below
    visit.other_needs, visit.comment, visit.praise = other_needs.strip(), comment.strip(), praise.strip()
    visit.complaint, visit.complaint_detail = complaint, complaint_detail
    visit.attempts += 1
    _finish(visit, transition, actor, now)
    note = _answer_note(visit)
    event_record(visit.work_order, kind=RETURN_VISIT, actor=actor, action=VisitState.DONE, note=note)
    if complaint:
        _complaint_start(visit, actor, category=complaint_category, severity=complaint_severity)
    if not visit.satisfied and visit.work_order.state in (State.COMPLETED, State.CLOSED):
        workorder_transition(
            work_order_id=visit.work_order_id,
            action="reopen",
            actor=actor,
            note=_("Return visit %(number)s: customer unsatisfied, a new visit is needed. %(comment)s")
            % {"number": visit.number, "comment": visit.comment},
        )
    return visit


@transaction.atomic
def return_visit_call_failed(*, visit_id: int, actor, result: str, note: str = "") -> ReturnVisit:
    """A call that did not reach the customer is logged with its time and result. The visit stays
    pending and the next call is scheduled the policy's working hours later; after the policy's
    number of calls, or a wrong number, the visit ends as unreachable."""
    if result not in AttemptResult.values or result == AttemptResult.REACHED:
        raise DomainError(_("Choose why the customer was not reached."), code="required", field="result")
    visit = _locked(visit_id)
    _check(visit, VISIT_TRANSITIONS["retry"], actor)
    policy = policy_get()
    now = timezone.now()
    visit.attempts += 1
    note = note.strip()
    give_up = result in FINAL_FAILURES or visit.attempts >= policy.max_attempts
    retry_at = None
    if not give_up:
        point = visit.service_point if visit.service_point_id else None
        retry_at = working_time_for(point).add_business_time(now, timedelta(hours=policy.retry_hours))
    ReturnVisitAttempt.objects.create(visit=visit, actor=actor, result=result, note=note, retry_at=retry_at)
    values = {
        "number": visit.number,
        "result": AttemptResult(result).label,
        "count": visit.attempts,
        "note": note,
    }
    if give_up:
        _finish(visit, VISIT_TRANSITIONS["give_up"], actor, now)
        text = _("%(number)s: call %(count)s, %(result)s. The customer is unreachable. %(note)s") % values
    else:
        visit.next_call_at = retry_at
        visit.full_clean()
        visit.save()
        text = _("%(number)s: call %(count)s, %(result)s. Next call %(retry)s. %(note)s") % {
            **values,
            "retry": _when(retry_at),
        }
    event_record(visit.work_order, kind=RETURN_VISIT, actor=actor, action=visit.state, note=text.strip())
    return visit


@transaction.atomic
def return_visits_cancel_pending(*, work_order: WorkOrder, actor, reason: str) -> int:
    """The work order was reopened or cancelled before its pending visits were made: they are
    cancelled (the next completion schedules a new one). Returns how many."""
    transition = VISIT_TRANSITIONS["cancel"]
    visits = list(
        ReturnVisit.objects.select_for_update().filter(work_order=work_order, state__in=transition.sources)
    )
    now = timezone.now()
    for visit in visits:
        visit.cancel_reason = reason[:255]
        _finish(visit, transition, actor, now)
    if visits:
        event_record(
            work_order,
            kind=RETURN_VISIT,
            actor=actor,
            action=VisitState.CANCELLED,
            note=_("Pending return visits cancelled (%(numbers)s): %(reason)s")
            % {"numbers": ", ".join(v.number for v in visits), "reason": reason},
        )
    return len(visits)
