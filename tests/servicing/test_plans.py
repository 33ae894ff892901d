"""R8: a service plan lists measures, resources, duration and whether fees apply with their basis
(no prices); the customer confirms it before work starts; one revision is free, more need a
supervisor's approval."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from aftersales.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from aftersales.notifications.models import Message
from aftersales.servicing.choices import ConfirmationMethod, FeeBasis, PlanState
from aftersales.servicing.services import (
    plan_approve,
    plan_confirm,
    plan_create,
    plan_reject,
    plan_revise,
    plan_send,
    plan_update,
)
from aftersales.workorders.choices import State
from aftersales.workorders.services import workorder_transition

pytestmark = pytest.mark.django_db

CONTENT = {
    "measures": "更换定影组件并校准",
    "parts": "定影组件 ×1",
    "tools": "万用表",
    "estimated_hours": Decimal("2.5"),
    "fees_apply": True,
    "fee_basis": FeeBasis.OUT_OF_WARRANTY,
    "fee_note": "按公司收费标准收取人工费和配件费",
}


def draft(order, actor, **changes):
    return plan_create(work_order=order, actor=actor, **{**CONTENT, **changes})


def sent(order, actor):
    return plan_send(plan_id=draft(order, actor).pk, actor=actor)


def confirm(plan, actor):
    return plan_confirm(
        plan_id=plan.pk, actor=actor, confirmed_by_name="李娜", confirmation_method=ConfirmationMethod.PHONE
    )


def test_r8_plan_sent_without_prices_then_confirmed_who_when_how(order, eng, agent):
    plan = sent(order, eng)
    assert plan.state == PlanState.SENT and plan.sent_via == "sms"
    message = Message.objects.get(idempotency_key=f"plan:{plan.pk}:sms")
    assert message.channel == "sms" and message.recipient == order.contact_phone.removeprefix("+86")
    assert order.number in message.body and "更换定影组件并校准" in message.body
    assert "¥" not in message.body and "元" not in message.body  # prices come with the quote
    confirmed = confirm(plan, agent)
    assert confirmed.state == PlanState.CONFIRMED
    assert confirmed.confirmed_by_name == "李娜" and confirmed.confirmation_method == ConfirmationMethod.PHONE
    assert confirmed.confirmed_at is not None and confirmed.recorded_by == agent
    assert list(order.events.filter(kind="plan").values_list("action", flat=True)) == [
        "plan_create",
        "plan_send",
        "plan_confirm",
    ]


def test_r8_work_does_not_start_before_the_plan_is_confirmed(make_order, eng):
    order = make_order(State.ASSIGNED)
    plan = draft(order, eng)
    with pytest.raises(TransitionNotAllowed) as refused:
        workorder_transition(work_order_id=order.pk, action="start", actor=eng)
    assert refused.value.code == "plan_not_confirmed"
    plan_send(plan_id=plan.pk, actor=eng)
    with pytest.raises(TransitionNotAllowed):
        workorder_transition(work_order_id=order.pk, action="start", actor=eng)
    order.refresh_from_db()
    assert order.state == State.ASSIGNED
    confirm(plan, eng)
    assert workorder_transition(work_order_id=order.pk, action="start", actor=eng).state == State.IN_SERVICE


def test_r8_a_work_order_without_a_plan_starts_as_before(make_order, eng):
    order = make_order(State.ASSIGNED)
    assert workorder_transition(work_order_id=order.pk, action="start", actor=eng).state == State.IN_SERVICE


def test_r8_a_rejected_plan_blocks_work_until_its_revision_is_confirmed(make_order, eng):
    order = make_order(State.ASSIGNED)
    plan = sent(order, eng)
    plan_reject(plan_id=plan.pk, actor=eng, reason="费用太高，希望只清洁")
    revised = plan_revise(
        plan_id=plan.pk, actor=eng, reason="客户只要清洁", measures="清洁定影组件", fees_apply=False
    )
    plan.refresh_from_db()
    assert plan.state == PlanState.REVISED and plan.rejection_reason == "费用太高，希望只清洁"
    assert revised.revision == 2 and revised.previous == plan and revised.state == PlanState.DRAFT
    assert revised.parts == CONTENT["parts"]  # unchanged content is carried over
    assert revised.fee_basis == "" and not revised.needs_approval
    with pytest.raises(TransitionNotAllowed):
        workorder_transition(work_order_id=order.pk, action="start", actor=eng)
    plan_send(plan_id=revised.pk, actor=eng)
    confirm(revised, eng)
    assert workorder_transition(work_order_id=order.pk, action="start", actor=eng).state == State.IN_SERVICE


def test_r8_one_revision_is_free_the_second_needs_a_supervisors_approval(order, eng, supervisor):
    first = sent(order, eng)
    plan_reject(plan_id=first.pk, actor=eng, reason="不同意")
    second = plan_revise(plan_id=first.pk, actor=eng, reason="调整方案")
    assert not second.needs_approval
    plan_send(plan_id=second.pk, actor=eng)
    third = plan_revise(plan_id=second.pk, actor=eng, reason="客户又提出新要求")
    assert third.revision == 3 and third.awaits_approval
    with pytest.raises(TransitionNotAllowed) as refused:
        plan_send(plan_id=third.pk, actor=eng)
    assert refused.value.code == "needs_approval"
    with pytest.raises(NotPermitted):
        plan_approve(plan_id=third.pk, actor=eng)
    approved = plan_approve(plan_id=third.pk, actor=supervisor)
    assert approved.approved_by == supervisor and not approved.awaits_approval
    assert plan_send(plan_id=third.pk, actor=eng).state == PlanState.SENT
    with pytest.raises(TransitionNotAllowed):
        plan_approve(plan_id=third.pk, actor=supervisor)


def test_r8_a_supervisors_own_revision_is_approved_at_once(order, eng, supervisor):
    plan = sent(order, eng)
    second = plan_revise(plan_id=plan.pk, actor=eng, reason="第一次修改")
    plan_send(plan_id=second.pk, actor=eng)
    third = plan_revise(plan_id=second.pk, actor=supervisor, reason="主管调整")
    assert third.needs_approval and third.approved_by == supervisor and not third.awaits_approval


@override_settings(SERVICING_PLAN_FREE_REVISIONS=0)
def test_r8_free_revisions_are_configurable(order, eng):
    plan = sent(order, eng)
    assert plan_revise(plan_id=plan.pk, actor=eng, reason="修改").awaits_approval


def test_r8_a_confirmed_plan_can_be_revised_when_findings_change_it(order, eng):
    plan = confirm(sent(order, eng), eng)
    revised = plan_revise(
        plan_id=plan.pk, actor=eng, reason="现场发现主板也有故障", parts="定影组件 ×1、主板 ×1"
    )
    assert revised.state == PlanState.DRAFT and revised.parts.endswith("主板 ×1")


def test_r8_fees_need_their_basis_and_no_fees_clear_it(order, eng):
    with pytest.raises(ValidationError) as missing:
        draft(order, eng, fee_basis="")
    assert "fee_basis" in missing.value.message_dict
    assert not order.service_plans.exists()
    plan = draft(order, eng, fees_apply=False)
    assert plan.fee_basis == ""


def test_r8_only_a_draft_is_edited_and_one_plan_per_work_order(order, eng):
    plan = draft(order, eng)
    assert plan_update(plan_id=plan.pk, actor=eng, measures="清洁搓纸轮").measures == "清洁搓纸轮"
    with pytest.raises(DomainError) as exists:
        draft(order, eng)
    assert exists.value.code == "plan_exists"
    plan_send(plan_id=plan.pk, actor=eng)
    with pytest.raises(TransitionNotAllowed):
        plan_update(plan_id=plan.pk, actor=eng, measures="偷偷修改")


def test_r8_sending_by_email_needs_an_address_and_confirmation_needs_who_and_how(order, eng):
    plan = draft(order, eng)
    with pytest.raises(DomainError) as no_email:
        plan_send(plan_id=plan.pk, actor=eng, sent_via="email")
    assert no_email.value.field == "sent_via"
    plan_send(plan_id=plan.pk, actor=eng, sent_via="wechat")
    with pytest.raises(ValidationError) as missing:
        plan_confirm(plan_id=plan.pk, actor=eng, confirmed_by_name=" ", confirmation_method="")
    assert "confirmed_by_name" in missing.value.message_dict
    with pytest.raises(ValidationError):
        plan_confirm(plan_id=plan.pk, actor=eng, confirmed_by_name="李娜", confirmation_method="")
    with pytest.raises(ValidationError) as missing:
        plan_reject(plan_id=plan.pk, actor=eng, reason="")
    assert "reason" in missing.value.message_dict


def test_r8_the_plan_goes_by_the_one_channel_chosen(order, eng):
    """By e-mail to the customer's address only; by WeChat to the contact's phone only (D50: the
    outbox's one helper for messages to a customer)."""
    order.customer.email = "it@xingchen.example.cn"
    order.customer.save()
    by_email = plan_send(plan_id=draft(order, eng).pk, actor=eng, sent_via="email")
    assert list(Message.objects.values_list("idempotency_key", "channel", "recipient")) == [
        (f"plan:{by_email.pk}:email", "email", "it@xingchen.example.cn")
    ]
    by_wechat = plan_send(
        plan_id=plan_revise(plan_id=by_email.pk, actor=eng, reason="客户要求改期").pk,
        actor=eng,
        sent_via="wechat",
    )
    assert Message.objects.get(idempotency_key=f"plan:{by_wechat.pk}:wechat").recipient == (
        order.contact_phone.removeprefix("+86")
    )
    assert Message.objects.count() == 2


def test_r8_read_only_roles_may_not_plan(order, finance):
    with pytest.raises(NotPermitted):
        draft(order, finance)
