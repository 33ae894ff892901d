"""R6: remote service first; each session records its method, steps and outcome. Solved: the work
order may be completed. Not solved: escalated to on-site, the work order goes on to a visit."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from aftersales.core.errors import NotPermitted, TransitionNotAllowed
from aftersales.core.models import ChangeRecord
from aftersales.servicing.choices import RemoteMethod, RemoteState
from aftersales.servicing.services import remote_session_escalate, remote_session_solve, remote_session_start
from aftersales.workorders.choices import ProposedHandling, State

from .. import factories as f

pytestmark = pytest.mark.django_db


def start(order, actor, method=RemoteMethod.PHONE):
    return remote_session_start(
        work_order=order, actor=actor, method=method, steps="指导客户重启打印机并清洁搓纸轮"
    )


def test_r6_solved_remotely_completes_the_work_order_with_the_outcome(order, eng):
    session = start(order, eng)
    solved = remote_session_solve(
        session_id=session.pk, actor=eng, result="重新安装驱动后打印正常", complete_work_order=True
    )
    assert solved.state == RemoteState.SOLVED and solved.ended_at is not None
    order.refresh_from_db()
    assert order.state == State.COMPLETED and order.resolution == "重新安装驱动后打印正常"
    actions = list(order.events.filter(kind="remote").values_list("action", flat=True))
    assert actions == ["remote_start", "remote_solve"]
    assert order.events.filter(action="complete").exists()


def test_r6_solved_on_an_assigned_work_order_starts_it_first(make_order, eng):
    order = make_order(State.ASSIGNED)
    session = start(order, eng, RemoteMethod.REMOTE_DESKTOP)
    remote_session_solve(session_id=session.pk, actor=eng, result="远程修复", complete_work_order=True)
    order.refresh_from_db()
    assert order.state == State.COMPLETED
    assert list(order.events.filter(kind="transition").values_list("action", flat=True)) == [
        "start",
        "complete",
    ]


def test_r6_solved_without_completing_leaves_the_work_order_as_it_is(order, eng):
    session = start(order, eng, RemoteMethod.EMAIL)
    remote_session_solve(session_id=session.pk, actor=eng, result="邮件指导完成", steps="发送操作手册")
    order.refresh_from_db()
    session.refresh_from_db()
    assert order.state == State.IN_SERVICE
    assert session.steps.endswith("发送操作手册")


def test_r6_escalated_is_recorded_and_the_work_order_goes_on_site(order, eng):
    order.proposed_handling = ProposedHandling.REMOTE
    order.save()
    session = start(order, eng)
    escalated = remote_session_escalate(
        session_id=session.pk, actor=eng, result="需更换定影组件，远程无法解决"
    )
    assert escalated.state == RemoteState.ESCALATED
    order.refresh_from_db()
    assert order.state == State.IN_SERVICE  # still open: dispatch and visit follow
    assert order.proposed_handling == ProposedHandling.ON_SITE
    assert ChangeRecord.objects.filter(object_id=order.pk, field="proposed_handling").exists()
    assert order.events.filter(kind="remote", action="remote_escalate", note__contains="定影").exists()


def test_r6_a_closed_session_cannot_change_its_outcome(order, eng):
    session = start(order, eng)
    remote_session_escalate(session_id=session.pk, actor=eng, result="转上门")
    with pytest.raises(TransitionNotAllowed):
        remote_session_solve(session_id=session.pk, actor=eng, result="又解决了")
    session.refresh_from_db()
    assert session.state == RemoteState.ESCALATED


def test_r6_steps_and_outcome_are_required(order, eng):
    with pytest.raises(ValidationError) as missing:
        remote_session_start(work_order=order, actor=eng, method=RemoteMethod.PHONE, steps="  ")
    assert "steps" in missing.value.message_dict
    session = start(order, eng)
    with pytest.raises(ValidationError) as missing:
        remote_session_solve(session_id=session.pk, actor=eng, result="")
    assert "result" in missing.value.message_dict
    session.refresh_from_db()
    assert session.state == RemoteState.OPEN


def test_r6_only_technical_roles_and_the_assigned_engineer(order, finance, eng):
    with pytest.raises(NotPermitted):
        start(order, finance)
    other = f.EngineerFactory(service_point=order.service_point).user
    with pytest.raises(NotPermitted):
        start(order, other)
    session = start(order, eng)
    with pytest.raises(NotPermitted):
        remote_session_solve(session_id=session.pk, actor=other, result="x")


def test_r6_nothing_is_recorded_on_a_closed_work_order(make_order, eng):
    with pytest.raises(TransitionNotAllowed):
        start(make_order(State.CLOSED), eng)
