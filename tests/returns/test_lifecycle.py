"""R33: the request's lifecycle from the review to the follow-up: the pickup with its carrier and
tracking number, the receipt with its inspection (a part named goes into the service point's
defective location through the stock ledger), the refund of a return or the replacement of an
exchange, the follow-up and the close; every step recorded, on the work order's timeline too; the
customer told of the decision and of the replacement's shipment."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from aftersales.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from aftersales.notifications.models import Message
from aftersales.parts.choices import MoveKind, WarehouseKind
from aftersales.parts.models import StockBalance, StockMove
from aftersales.returns.choices import ReturnKind, ReturnState
from aftersales.returns.models import ReturnEvent, ReturnRequest
from aftersales.returns.selectors import follow_up_overdue, return_scope
from aftersales.returns.services import return_delete
from aftersales.workorders.models import WorkOrderEvent

from .. import factories as f
from ..timeutil import at, frozen
from .conftest import TODAY, run_to, step

pytestmark = pytest.mark.django_db


def test_r33_a_request_from_a_work_order_takes_its_customer_device_and_purchase(draft, side_a):
    request = draft()

    assert request.number.startswith("TH20261120")
    assert (request.customer, request.device) == (side_a.customer, side_a.device)
    assert (request.serial_number, request.purchase_date) == ("SN-RA-0001", date(2026, 11, 15))
    assert request.product_model == side_a.model and request.dealer == side_a.dealer
    assert WorkOrderEvent.objects.filter(
        work_order=side_a.work_order, action="return_request_create"
    ).exists()


def test_r33_a_work_order_of_another_customer_is_refused(draft, side_b):
    with pytest.raises(DomainError) as refused:
        draft(customer=side_b.customer)
    assert refused.value.code == "return_customer_mismatch"


def test_r33_a_return_from_approval_to_close(draft, people, side_a):
    """Given a submitted return, when it is approved, picked up, received with the faulty part,
    refunded, followed up and closed, then each step is recorded with its facts and the part is
    in the service point's defective location at no value."""
    part = f.PartFactory(number="FU-7000", name="定影组件")
    request = run_to(draft(), people, "pickup")
    assert (request.pickup_carrier, request.pickup_tracking_number) == ("顺丰速运", "SF1234567890")

    request = step(request, "receive", people.parts, inspection_result="as_described", part=part, quantity=2)

    assert request.state == ReturnState.RECEIVED and request.inspected_by == people.parts
    defective = request.returned_to
    assert (defective.kind, defective.service_point) == (WarehouseKind.DEFECTIVE, side_a.point)
    move = StockMove.objects.get(reference=request.number)
    assert (move.kind, move.quantity, move.value, move.work_order) == (
        MoveKind.CUSTOMER_RETURN,
        2,
        Decimal("0.00"),
        side_a.work_order,
    )
    assert StockBalance.objects.get(warehouse=defective, part=part).on_hand == 2

    request = step(request, "refund", people.finance, refund_amount="1280.5", refund_method="wechat")
    assert (request.refund_amount, request.refunded_by) == (Decimal("1280.50"), people.finance)
    assert request.follow_up_due_on == TODAY + timedelta(days=3)

    request = run_to(request, people, "close")
    assert request.state == ReturnState.CLOSED and request.closed_at is not None
    actions = list(ReturnEvent.objects.filter(request=request).values_list("action", flat=True))
    assert actions == ["create", "submit", "approve", "pickup", "receive", "refund", "follow_up", "close"]
    timeline = WorkOrderEvent.objects.filter(work_order=side_a.work_order, kind="return_request")
    assert timeline.count() == 8


def test_r33_an_exchange_ships_and_delivers_a_replacement(draft, people):
    request = run_to(draft(kind=ReturnKind.EXCHANGE), people, "receive")

    request = step(
        request,
        "ship_replacement",
        people.parts,
        carrier="京东物流",
        tracking_number="JD0099887766",
        replacement_serial_number="CN123456",
    )
    assert (request.replacement_carrier, request.replacement_tracking_number) == ("京东物流", "JD0099887766")
    with frozen(at(2026, 11, 22, 9, 0)):
        request = step(request, "deliver", people.parts)

    assert request.state == ReturnState.DELIVERED
    assert request.follow_up_due_on == date(2026, 11, 25)
    assert run_to(request, people, "close").state == ReturnState.CLOSED


def test_r33_a_refund_is_for_a_return_and_a_replacement_for_an_exchange(draft, people):
    exchange = run_to(draft(kind=ReturnKind.EXCHANGE), people, "receive")
    ret = run_to(draft(), people, "receive")

    with pytest.raises(TransitionNotAllowed) as refused:
        step(exchange, "refund", people.finance, refund_amount="10.00", refund_method="cash")
    assert (refused.value.status, refused.value.code) == (409, "return_kind_mismatch")
    with pytest.raises(TransitionNotAllowed):
        step(ret, "ship_replacement", people.parts, carrier="顺丰", tracking_number="SF1")


@pytest.mark.parametrize(
    ("last", "action", "actor_name"),
    [
        ("create", "approve", "clerk"),  # a draft is submitted first
        ("submit", "pickup", "parts"),  # not before the approval
        ("approve", "cancel", "agent"),  # an approved request is no longer cancelled
        ("pickup", "refund", "finance"),  # not before it is received
        ("close", "follow_up", "agent"),
    ],
)
def test_r33_a_step_from_another_state_is_refused_with_409(draft, people, last, action, actor_name):
    request = draft(purchase_date=TODAY)
    if last != "create":
        request = run_to(request, people, last)
    state = request.state

    with pytest.raises(TransitionNotAllowed) as refused:
        step(request, action, getattr(people, actor_name))

    assert refused.value.status == 409
    request.refresh_from_db()
    assert request.state == state


def test_r33_inputs_each_step_needs(draft, people):
    request = run_to(draft(), people, "approve")
    with pytest.raises(DomainError) as missing:
        step(request, "pickup", people.parts, carrier="顺丰速运")
    assert (missing.value.code, missing.value.field) == ("required", "tracking_number")
    request = run_to(request, people, "receive")
    with pytest.raises(DomainError) as invalid:
        step(request, "refund", people.finance, refund_amount="0", refund_method="cash")
    assert invalid.value.field == "refund_amount"


def test_r33_who_does_what(draft, people, side_a, side_b):
    request = draft()
    with pytest.raises(NotPermitted):  # a dealer's staff act on their own dealer's requests only
        step(request, "submit", side_b.staff)
    request = step(request, "submit", side_a.staff)
    with pytest.raises(NotPermitted):  # agents do not review
        step(request, "approve", people.agent)
    with pytest.raises(NotPermitted):  # nor do engineers
        step(request, "approve", side_a.engineer.user)
    request = run_to(request, people, "receive")
    with pytest.raises(NotPermitted):  # finance refunds, not the warehouse
        step(request, "refund", people.parts, refund_amount="1.00", refund_method="cash")


def test_r33_the_engineer_of_the_work_order_draws_up_and_submits(draft, side_a):
    other = f.EngineerFactory(service_point=side_a.point)
    request = draft(actor=side_a.engineer.user, purchase_date=TODAY)
    with pytest.raises(NotPermitted):
        draft(actor=other.user)
    with pytest.raises(NotPermitted):
        step(request, "submit", other.user)
    assert step(request, "submit", side_a.engineer.user).state == ReturnState.SUBMITTED


def test_r33_cancel_and_refuse_record_the_reason(draft, people):
    refused = step(step(draft(), "submit", people.agent), "refuse", people.clerk, reason="人为损坏")
    cancelled = step(draft(), "cancel", people.agent, reason="客户撤回")

    assert (refused.state, refused.refusal_reason, refused.refused_by) == (
        "refused",
        "人为损坏",
        people.clerk,
    )
    assert (cancelled.state, cancelled.cancel_reason) == ("cancelled", "客户撤回")


def test_r33_the_customer_hears_of_the_decision_and_the_replacement(
    draft, people, side_a, django_capture_on_commit_callbacks
):
    side_a.customer.email = "buyer@example.cn"
    side_a.customer.save()
    with django_capture_on_commit_callbacks(execute=True):
        approved = run_to(draft(kind=ReturnKind.EXCHANGE), people, "approve")
        refused = step(step(draft(), "submit", people.agent), "refuse", people.clerk, reason="已超过退货期限")
        run_to(approved, people, "ship_replacement")

    keys = set(Message.objects.values_list("idempotency_key", flat=True))
    assert {
        f"return:{approved.number}:approve:sms",
        f"return:{approved.number}:approve:email",
        f"return:{refused.number}:refuse:sms",
        f"return:{approved.number}:ship_replacement:sms",
    } <= keys
    shipped = Message.objects.get(idempotency_key=f"return:{approved.number}:ship_replacement:sms")
    assert "JD0099887766" in shipped.body and "京东物流" in shipped.body
    assert "已超过退货期限" in Message.objects.get(idempotency_key=f"return:{refused.number}:refuse:sms").body
    assert not Message.objects.filter(idempotency_key__contains=":submit:").exists()


def test_r33_follow_up_overdue(draft, people):
    late = run_to(draft(), people, "refund")
    on_time = run_to(draft(), people, "follow_up")

    with frozen(at(2026, 11, 24, 9, 0)):
        overdue = set(follow_up_overdue(ReturnRequest.objects.all()).values_list("pk", flat=True))
    assert overdue == {late.pk}
    assert on_time.pk not in overdue


def test_r33_a_draft_is_deleted_a_submitted_request_is_cancelled(draft, people):
    kept = step(draft(), "submit", people.agent)
    thrown = draft()

    return_delete(request_id=thrown.pk, actor=people.agent)
    with pytest.raises(TransitionNotAllowed) as refused:
        return_delete(request_id=kept.pk, actor=people.agent)

    assert refused.value.code == "return_not_draft"
    assert list(ReturnRequest.objects.values_list("pk", flat=True)) == [kept.pk]


def test_r37_scope(draft, people, side_a, side_b):
    """The company's staff see every request; a dealer's staff their dealer's; an engineer those
    of their work orders."""
    mine = draft()
    theirs = draft(work_order=side_b.work_order)

    assert set(return_scope(people.quality)) == {mine, theirs}
    assert list(return_scope(side_a.staff)) == [mine]
    assert list(return_scope(side_b.engineer.user)) == [theirs]
    assert list(return_scope(f.EngineerFactory(service_point=side_a.point).user)) == []
