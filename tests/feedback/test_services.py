"""Return visits scheduled on completion (R22), call-backs of uncertain fixes and new visits for
unsatisfied customers (R23), the answer and its calls (R24). Time is frozen; the company standard
calendar (Chinese public holidays and make-up days) is in the test database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from aftersales.accounts.choices import Role
from aftersales.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from aftersales.feedback.choices import AttemptResult, ReturnVisitKind, ReturnVisitState
from aftersales.feedback.models import ReturnVisit, ReturnVisitPolicy
from aftersales.feedback.services import (
    return_visit_call_failed,
    return_visit_callback_request,
    return_visit_record,
    return_visit_schedule,
)
from aftersales.notifications.models import Message, Notification
from aftersales.workorders.choices import State
from aftersales.workorders.events import event_text
from tests.timeutil import at, frozen

from .. import factories as f
from .conftest import BEFORE_NATIONAL_DAY

pytestmark = pytest.mark.django_db

GOOD = dict(score_timeliness=5, score_skill=5, score_attitude=5, score_effectiveness=4, score_overall=5)
POOR = dict(score_timeliness=3, score_skill=2, score_attitude=4, score_effectiveness=1, score_overall=2)


def visit_of(work_order, kind=ReturnVisitKind.ROUTINE) -> ReturnVisit:
    return ReturnVisit.objects.get(work_order=work_order, kind=kind, state=ReturnVisitState.PENDING)


# R22: every completed work order gets a return visit ------------------------------------------


def test_r22_completion_schedules_a_visit_three_working_days_later_across_national_day(completed, quality):
    """Completed Wednesday 30 September 2026 15:00: 1-7 October are holidays, so the three working
    days are Thursday 8, Friday 9 and the make-up Saturday 10 October."""
    work_order = completed()
    visit = visit_of(work_order)
    assert visit.due_at == at(2026, 10, 10, 15, 0)
    assert visit.next_call_at == visit.due_at and visit.round == 1 and visit.number.startswith("RV20260930")
    assert visit.work_completed_at == BEFORE_NATIONAL_DAY
    assert visit.assignee == quality
    assert visit.engineer == work_order.engineer and visit.service_point == work_order.service_point
    event = work_order.events.get(kind="return_visit")
    text = event_text(event)  # as the reader sees it
    assert visit.number in text and "2026-10-10 15:00" in text
    notice = Notification.objects.get(recipient=quality)
    assert visit.number in notice.title and notice.url == f"/feedback/{visit.pk}/"
    email = Message.objects.get(idempotency_key=f"return-visit:{visit.pk}:assigned:email")
    assert email.recipient == quality.email and visit.number in email.subject


def test_r22_due_working_days_follow_the_company_policy(completed):
    ReturnVisitPolicy.objects.create(due_working_days=5)
    visit = visit_of(completed())
    # 8, 9, 10 (make-up Saturday), 12 and 13 October
    assert visit.due_at == at(2026, 10, 13, 15, 0)


def test_r22_an_ordinary_week_counts_working_days_only(completed):
    """Completed on a Friday: the weekend does not count (Wednesday)."""
    visit = visit_of(completed(at(2026, 11, 13, 10, 30)))
    assert visit.due_at == at(2026, 11, 18, 10, 30)


def test_r22_visits_go_to_the_least_loaded_quality_staff_then_agents(completed, quality, make_user):
    second = make_user(Role.QUALITY, username="quality2")
    first_visit = visit_of(completed())
    second_visit = visit_of(completed())
    assert {first_visit.assignee, second_visit.assignee} == {quality, second}
    assert first_visit.assignee == quality  # on a tie the oldest account
    quality.is_active = second.is_active = False
    quality.save()
    second.save()
    assert visit_of(completed()).assignee.role == Role.AGENT


def test_r22_scheduling_is_idempotent_per_completion(completed):
    work_order = completed()
    again = return_visit_schedule(work_order=work_order, actor=None)
    assert again == visit_of(work_order)
    assert ReturnVisit.objects.filter(work_order=work_order).count() == 1


# R23: call-back of an uncertain fix --------------------------------------------------------------


def test_r23_uncertain_fix_gets_a_call_back_three_hours_after_completion(completed, engineer):
    work_order = completed()
    with frozen(BEFORE_NATIONAL_DAY + timedelta(minutes=10)):
        visit, created = return_visit_callback_request(work_order_id=work_order.pk, actor=engineer.user)
    assert created and visit.kind == ReturnVisitKind.CALLBACK
    assert visit.due_at == at(2026, 9, 30, 18, 0)
    again, created_again = return_visit_callback_request(work_order_id=work_order.pk, actor=engineer.user)
    assert again == visit and not created_again
    assert ReturnVisit.objects.filter(work_order=work_order, kind=ReturnVisitKind.CALLBACK).count() == 1


def test_r23_call_back_only_on_a_completed_work_order_and_by_its_own_engineer(completed, run, world, agent):
    work_order = completed()
    with pytest.raises(NotPermitted):
        return_visit_callback_request(work_order_id=work_order.pk, actor=world.engineer_b.user)
    with pytest.raises(NotPermitted):
        return_visit_callback_request(work_order_id=work_order.pk, actor=f.UserFactory(role=Role.FINANCE))
    run(work_order, "close")
    with pytest.raises(TransitionNotAllowed):
        return_visit_callback_request(work_order_id=work_order.pk, actor=agent)
    assert not ReturnVisit.objects.filter(kind=ReturnVisitKind.CALLBACK).exists()


# R24: the answer; R23: unsatisfied customers get a new visit until satisfied ------------------------


def test_r24_satisfied_answer_is_recorded_with_praise_for_the_engineer(completed, quality):
    work_order = completed()
    visit = return_visit_record(
        visit_id=visit_of(work_order).pk,
        actor=quality,
        **GOOD,
        praise="工程师很耐心",
        other_needs="想了解延保套餐",
        comment="整体满意",
    )
    assert visit.state == ReturnVisitState.DONE and visit.satisfied is True
    assert visit.finished_by == quality and visit.attempts == 1
    assert list(visit.calls.values_list("result", flat=True)) == [AttemptResult.REACHED]
    work_order.refresh_from_db()
    assert work_order.state == State.COMPLETED
    note = work_order.events.filter(kind="return_visit", action=ReturnVisitState.DONE).get().note
    assert "工程师很耐心" in note and "想了解延保套餐" in note


def test_r24_all_five_scores_are_required(completed, quality):
    visit = visit_of(completed())
    with pytest.raises(ValidationError) as error:
        return_visit_record(
            visit_id=visit.pk, actor=quality, **{**GOOD, "score_skill": None, "score_overall": 7}
        )
    assert set(error.value.message_dict) == {"score_skill", "score_overall"}
    visit.refresh_from_db()
    assert visit.state == ReturnVisitState.PENDING and not visit.calls.exists()


def test_r23_unsatisfied_customer_reopens_the_work_order_until_satisfied(completed, run, agent):
    work_order = completed()
    first = return_visit_record(visit_id=visit_of(work_order).pk, actor=agent, **POOR, comment="仍然卡纸")
    assert first.satisfied is False
    work_order.refresh_from_db()
    assert work_order.state == State.IN_SERVICE
    reopen = work_order.events.get(kind="transition", action="reopen")
    assert reopen.actor == agent and first.number in reopen.note and "仍然卡纸" in reopen.note

    # The engineer comes back and completes again: a new visit, round 2 (R23).
    work_order = run(work_order, "complete", when=at(2026, 10, 12, 11, 0))
    second = visit_of(work_order)
    assert second.round == 2 and second.due_at == at(2026, 10, 15, 11, 0)
    return_visit_record(visit_id=second.pk, actor=agent, **GOOD)
    work_order.refresh_from_db()
    assert work_order.state == State.COMPLETED


def test_r23_quality_staff_reopen_the_work_order_through_the_return_visit(completed, quality):
    """Return visits go to quality staff first (R22), so they must be able to reopen the work order
    of an unsatisfied customer: the work-order lifecycle lets QUALITY run "reopen"."""
    work_order = completed()
    return_visit_record(visit_id=visit_of(work_order).pk, actor=quality, **POOR)
    work_order.refresh_from_db()
    assert work_order.state == State.IN_SERVICE
    assert work_order.events.get(kind="transition", action="reopen").actor == quality


def test_r23_explicitly_unsatisfied_customer_reopens_whatever_the_scores(completed, agent):
    work_order = completed()
    visit = return_visit_record(visit_id=visit_of(work_order).pk, actor=agent, **GOOD, unsatisfied=True)
    assert visit.satisfied is False
    work_order.refresh_from_db()
    assert work_order.state == State.IN_SERVICE


def test_r23_threshold_of_unsatisfied_is_company_configurable(completed, agent):
    ReturnVisitPolicy.objects.create(unsatisfied_below=5)
    work_order = completed()
    visit = return_visit_record(visit_id=visit_of(work_order).pk, actor=agent, **{**GOOD, "score_overall": 4})
    assert visit.satisfied is False


def test_r23_reopening_cancels_the_visits_not_made_yet(completed, run, agent):
    work_order = completed()
    return_visit_callback_request(work_order_id=work_order.pk, actor=agent)
    run(work_order, "reopen", note="客户来电：故障再次出现")
    states = set(ReturnVisit.objects.filter(work_order=work_order).values_list("state", flat=True))
    assert states == {ReturnVisitState.CANCELLED}


def test_r24_answer_refused_when_not_pending_or_by_another_role(completed, quality, engineer):
    visit = visit_of(completed())
    with pytest.raises(NotPermitted):
        return_visit_record(visit_id=visit.pk, actor=engineer.user, **GOOD)
    return_visit_record(visit_id=visit.pk, actor=quality, **GOOD)
    with pytest.raises(TransitionNotAllowed):
        return_visit_record(visit_id=visit.pk, actor=quality, **GOOD)
    with pytest.raises(TransitionNotAllowed):
        return_visit_call_failed(visit_id=visit.pk, actor=quality, result=AttemptResult.BUSY)


# Calls that do not reach the customer ---------------------------------------------------------------


def test_r22_missed_calls_are_retried_in_working_hours_then_unreachable(completed, quality):
    visit = visit_of(completed())
    with frozen(at(2026, 10, 9, 16, 0)):  # Friday 16:00 + 4 working hours: Saturday (make-up) 11:00
        visit = return_visit_call_failed(visit_id=visit.pk, actor=quality, result=AttemptResult.NO_ANSWER)
    assert visit.state == ReturnVisitState.PENDING and visit.attempts == 1
    assert visit.next_call_at == at(2026, 10, 10, 11, 0)
    with frozen(at(2026, 10, 10, 11, 5)):
        return_visit_call_failed(visit_id=visit.pk, actor=quality, result=AttemptResult.BUSY, note="占线")
    with frozen(at(2026, 10, 12, 9, 30)):
        visit = return_visit_call_failed(visit_id=visit.pk, actor=quality, result=AttemptResult.CALL_LATER)
    assert visit.state == ReturnVisitState.UNREACHABLE and visit.attempts == 3
    calls = list(visit.calls.values_list("result", "note", "created_at"))
    assert [(r, n) for r, n, _ in calls] == [("no_answer", ""), ("busy", "占线"), ("call_later", "")]
    assert calls[0][2] == at(2026, 10, 9, 16, 0)
    assert visit.work_order.events.filter(kind="return_visit").count() == 4


def test_r22_r24_the_timeline_says_what_each_call_gave_with_the_users_words_apart(completed, quality):
    work_order = completed()
    visit = visit_of(work_order)
    with frozen(at(2026, 10, 9, 16, 0)):
        return_visit_call_failed(
            visit_id=visit.pk, actor=quality, result=AttemptResult.NO_ANSWER, note="关机"
        )
    return_visit_record(visit_id=visit.pk, actor=quality, **GOOD, praise="工程师很耐心", comment="整体满意")

    called, answered = work_order.events.filter(kind="return_visit", action__in=["pending", "done"]).order_by(
        "pk"
    )

    assert event_text(called) == f"{visit.number}: call 1, No answer. Next call 2026-10-10 11:00."
    assert called.note == "关机"
    assert event_text(answered) == f"{visit.number}: overall 5/5, satisfied."
    assert answered.note == "整体满意\n工程师很耐心"


def test_r22_wrong_number_is_unreachable_at_once_and_reached_is_not_a_failure(completed, quality):
    visit = visit_of(completed())
    with pytest.raises(DomainError):
        return_visit_call_failed(visit_id=visit.pk, actor=quality, result=AttemptResult.REACHED)
    visit = return_visit_call_failed(visit_id=visit.pk, actor=quality, result=AttemptResult.WRONG_NUMBER)
    assert visit.state == ReturnVisitState.UNREACHABLE and visit.attempts == 1
