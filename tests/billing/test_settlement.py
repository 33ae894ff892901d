"""R9, R10, R11, R15: fees are settled from the approved quote (lower with a reason, never higher,
never a new line); payments each get a numbered receipt and a replayed payment is one payment;
refunds are their own rows; a refusal or waiver request makes the work order wait for a
supervisor; the work order does not close while the customer owes money."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from aftersales.billing.choices import (
    ApprovalMethod,
    LineKind,
    PaymentMethod,
    SettlementState,
    WaiverKind,
    WaiverState,
)
from aftersales.billing.models import Payment, Settlement
from aftersales.billing.services import (
    money_open,
    payment_record,
    quote_approve,
    quote_create,
    quote_line_add,
    quote_send,
    refund_record,
    settlement_create,
    waiver_decide,
    waiver_request,
)
from aftersales.core.errors import DomainError, IdempotencyKeyReused, NotPermitted, TransitionNotAllowed
from aftersales.workorders.choices import State, WaitingReason
from aftersales.workorders.models import WorkOrder
from aftersales.workorders.services import workorder_transition

from ..conftest import uses_postgres

pytestmark = pytest.mark.django_db


@pytest.fixture
def out_of_warranty(device):
    device.purchase_date = timezone.localdate() - timedelta(days=800)
    device.save()
    return device


@pytest.fixture
def approved(order, eng, out_of_warranty, roller):
    """An approved quote: labour 2 h × 80 and two wear parts × 25 = ¥210, all the customer's."""
    quote = quote_create(work_order_id=order.pk, actor=eng)
    quote_line_add(quote_id=quote.pk, actor=eng, kind=LineKind.LABOUR, quantity=2, unit_price="80")
    quote_line_add(
        quote_id=quote.pk, actor=eng, kind=LineKind.PART, part_id=roller.pk, quantity=2, unit_price="25"
    )
    quote_send(quote_id=quote.pk, actor=eng)
    return quote_approve(
        quote_id=quote.pk, actor=eng, approved_by_name="李娜", approval_method=ApprovalMethod.PHONE
    )


def settle(order, eng, **kwargs) -> Settlement:
    return settlement_create(work_order_id=order.pk, actor=eng, **kwargs)


def test_r9_fees_are_settled_from_the_approved_quote(order, eng, approved):
    settlement = settle(order, eng)
    assert settlement.state == SettlementState.OPEN and settlement.quote == approved
    assert settlement.customer_total == Decimal("210.00") and settlement.balance == Decimal("210.00")
    assert [line.amount for line in settlement.lines.order_by("position")] == [
        Decimal("160.00"),
        Decimal("50.00"),
    ]
    assert money_open(order) == Decimal("210.00")


def test_r9_without_an_approved_quote_nothing_is_settled(order, eng, out_of_warranty):
    quote = quote_create(work_order_id=order.pk, actor=eng)
    quote_line_add(quote_id=quote.pk, actor=eng, kind=LineKind.LABOUR, unit_price="80")
    quote_send(quote_id=quote.pk, actor=eng)
    with pytest.raises(DomainError) as refused:
        settle(order, eng)
    assert refused.value.code == "no_approved_quote"


def test_r9_a_charge_higher_than_quoted_or_not_on_the_quote_is_refused(order, eng, approved):
    labour = approved.lines.get(kind=LineKind.LABOUR)
    with pytest.raises(DomainError) as higher:
        settle(order, eng, changes={labour.pk: {"unit_price": "90", "reason": "加班"}})
    assert higher.value.code == "above_quote"
    with pytest.raises(DomainError) as more_hours:
        settle(order, eng, changes={labour.pk: {"quantity": "3", "reason": "多干了一小时"}})
    assert more_hours.value.code == "above_quote"
    with pytest.raises(DomainError) as new_line:
        settle(order, eng, changes={999999: {"unit_price": "10"}})
    assert new_line.value.code == "not_on_quote"
    assert not Settlement.objects.exists()


def test_r9_a_lower_charge_needs_its_reason_and_is_on_the_timeline(order, eng, approved):
    labour = approved.lines.get(kind=LineKind.LABOUR)
    with pytest.raises(ValidationError):
        settle(order, eng, changes={labour.pk: {"quantity": "1.5"}})
    settlement = settle(order, eng, changes={labour.pk: {"quantity": "1.5", "reason": "提前完成"}})
    line = settlement.lines.get(kind=LineKind.LABOUR)
    assert line.amount == Decimal("120.00") and line.quoted_amount == Decimal("160.00")
    assert line.lowered_reason == "提前完成" and settlement.customer_total == Decimal("170.00")
    assert order.events.filter(action="settlement_line_lowered").exists()


def test_r9_a_quote_changed_after_approval_cannot_be_settled(order, eng, approved):
    approved.lines.filter(kind=LineKind.LABOUR).update(unit_price="100", amount="200")
    with pytest.raises(DomainError) as refused:
        settle(order, eng)
    assert refused.value.code == "quote_changed"


def test_r15_partial_payments_each_get_a_receipt_and_the_last_settles(order, eng, approved):
    settlement = settle(order, eng)
    first = payment_record(settlement_id=settlement.pk, actor=eng, method=PaymentMethod.CASH, amount="100")
    second = payment_record(
        settlement_id=settlement.pk,
        actor=eng,
        method=PaymentMethod.WECHAT,
        amount="110",
        reference="4200001234",
    )
    assert first.receipt_number.startswith("SJ") and second.receipt_number != first.receipt_number
    assert int(second.receipt_number[-4:]) == int(first.receipt_number[-4:]) + 1  # gap-free
    settlement.refresh_from_db()
    assert settlement.state == SettlementState.SETTLED and settlement.balance == 0 and settlement.settled_at
    assert money_open(order) == 0


def test_r15_bad_payments_are_refused_naming_the_field(order, eng, approved):
    settlement = settle(order, eng)
    with pytest.raises(ValidationError) as no_reference:
        payment_record(settlement_id=settlement.pk, actor=eng, method=PaymentMethod.ALIPAY, amount="10")
    assert "reference" in no_reference.value.message_dict
    with pytest.raises(ValidationError) as zero:
        payment_record(settlement_id=settlement.pk, actor=eng, method=PaymentMethod.CASH, amount="0")
    assert "amount" in zero.value.message_dict
    with pytest.raises(DomainError) as too_much:
        payment_record(settlement_id=settlement.pk, actor=eng, method=PaymentMethod.CASH, amount="210.01")
    assert too_much.value.code == "overpayment"
    assert not Payment.objects.exists()


def test_r15_the_same_payment_replayed_is_one_payment_and_a_changed_body_is_refused(order, eng, approved):
    settlement = settle(order, eng)
    payments = [
        payment_record(
            settlement_id=settlement.pk,
            actor=eng,
            method=PaymentMethod.CASH,
            amount="50",
            idempotency_key="tap-1",
        )
        for _ in range(5)
    ]
    assert len({p.pk for p in payments}) == 1 and Payment.objects.count() == 1
    with pytest.raises(IdempotencyKeyReused) as refused:
        payment_record(
            settlement_id=settlement.pk,
            actor=eng,
            method=PaymentMethod.CASH,
            amount="60",
            idempotency_key="tap-1",
        )
    assert refused.value.status == 422
    settlement.refresh_from_db()
    assert settlement.amount_paid == Decimal("50.00")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not uses_postgres(), reason="row locks between connections need PostgreSQL")
def test_r15_concurrent_replays_of_one_payment_make_one_payment(order, eng, approved):
    settlement = settle(order, eng)
    results, errors = [], []

    def pay():
        try:
            results.append(
                payment_record(
                    settlement_id=settlement.pk,
                    actor=eng,
                    method=PaymentMethod.WECHAT,
                    amount="210",
                    reference="4200009999",
                    idempotency_key="retry-7",
                ).pk
            )
        except Exception as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(set(results)) == 1
    assert Payment.objects.filter(settlement=settlement).count() == 1
    settlement.refresh_from_db()
    assert settlement.state == SettlementState.SETTLED


def test_r15_refunds_are_their_own_rows_and_make_the_money_owed_again(order, eng, approved, finance):
    settlement = settle(order, eng)
    payment_record(settlement_id=settlement.pk, actor=eng, method=PaymentMethod.CASH, amount="210")
    with pytest.raises(NotPermitted):
        refund_record(
            settlement_id=settlement.pk, actor=eng, method=PaymentMethod.CASH, amount="10", reason="多收"
        )
    with pytest.raises(DomainError) as too_much:
        refund_record(
            settlement_id=settlement.pk, actor=finance, method=PaymentMethod.CASH, amount="211", reason="x"
        )
    assert too_much.value.code == "refund_too_large"
    refund = refund_record(
        settlement_id=settlement.pk, actor=finance, method=PaymentMethod.CASH, amount="10", reason="多收"
    )
    assert refund.receipt_number.startswith("TK") and Payment.objects.count() == 2
    settlement.refresh_from_db()
    assert settlement.state == SettlementState.OPEN and settlement.balance == Decimal("10.00")


def test_r11_a_waiver_request_makes_the_work_order_wait_and_a_partial_approval_resumes_it(
    order, eng, approved, supervisor
):
    settlement = settle(order, eng)
    waiver = waiver_request(
        settlement_id=settlement.pk,
        actor=eng,
        kind=WaiverKind.DISCOUNT,
        amount="60",
        reason="老客户，要求优惠",
    )
    order.refresh_from_db()
    assert order.state == State.WAITING and order.waiting_reason == WaitingReason.FEE_DECISION
    settlement.refresh_from_db()
    assert settlement.state == SettlementState.AWAITING_DECISION
    with pytest.raises(TransitionNotAllowed) as waiting:
        payment_record(settlement_id=settlement.pk, actor=eng, method=PaymentMethod.CASH, amount="10")
    assert waiting.value.code == "awaiting_decision"
    with pytest.raises(NotPermitted):
        waiver_decide(waiver_id=waiver.pk, actor=eng, amount_approved="60", note="同意")
    with pytest.raises(ValidationError):
        waiver_decide(waiver_id=waiver.pk, actor=supervisor, amount_approved="61", note="同意")
    waiver = waiver_decide(waiver_id=waiver.pk, actor=supervisor, amount_approved="30", note="给予部分优惠")
    assert waiver.state == WaiverState.PARTLY_APPROVED and waiver.decided_by == supervisor
    order.refresh_from_db()
    settlement.refresh_from_db()
    assert order.state == State.IN_SERVICE and settlement.state == SettlementState.OPEN
    assert settlement.amount_waived == Decimal("30.00") and settlement.balance == Decimal("180.00")
    actions = list(order.events.filter(kind="settlement").values_list("action", flat=True))
    assert "settlement_request_decision" in actions and "settlement_decide" in actions
    from aftersales.workorders.events import event_types

    decided = order.events.get(action="settlement_decide")
    text = str(event_types["settlement"].template(decided.action)) % decided.params
    assert "¥30.00" in text and "¥180.00" in text and decided.note == "给予部分优惠"


def test_r11_a_refusal_waived_in_full_settles_the_fees(order, eng, approved, supervisor):
    settlement = settle(order, eng)
    waiver = waiver_request(
        settlement_id=settlement.pk, actor=eng, kind=WaiverKind.REFUSAL, reason="客户认为是质量问题"
    )
    assert waiver.amount_requested == Decimal("210.00")
    waiver_decide(waiver_id=waiver.pk, actor=supervisor, amount_approved="210", note="属实，全部减免")
    settlement.refresh_from_db()
    assert settlement.state == SettlementState.SETTLED and money_open(order) == 0


def test_r15_the_work_order_does_not_close_while_money_is_open(order, eng, approved, clerk):
    workorder_transition(work_order_id=order.pk, action="complete", actor=eng, resolution="已修复")
    with pytest.raises(TransitionNotAllowed) as refused:
        workorder_transition(work_order_id=order.pk, action="close", actor=clerk)
    assert refused.value.code == "money_open" and "¥210.00" in refused.value.message
    settlement = settle(order, eng)
    payment_record(
        settlement_id=settlement.pk, actor=eng, method=PaymentMethod.POS, amount="210", reference="POS-1"
    )
    workorder_transition(work_order_id=order.pk, action="close", actor=clerk)
    assert WorkOrder.objects.get(pk=order.pk).state == State.CLOSED


def test_r15_a_work_order_without_charges_closes(order, eng, clerk):
    workorder_transition(work_order_id=order.pk, action="complete", actor=eng, resolution="已修复")
    workorder_transition(work_order_id=order.pk, action="close", actor=clerk)
    assert WorkOrder.objects.get(pk=order.pk).state == State.CLOSED


@pytest.mark.skipif(
    not uses_postgres(), reason="the database trigger exists on PostgreSQL; SQLite keeps the per-row guard"
)
def test_r41_payments_are_append_only_even_for_a_bulk_query(order, eng, approved):
    from django.db import IntegrityError, transaction

    settlement = settle(order, eng)
    payment = payment_record(settlement_id=settlement.pk, actor=eng, method=PaymentMethod.CASH, amount="10")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        Payment.objects.filter(pk=payment.pk).update(amount="1")
    with pytest.raises(ValueError):
        payment.save()


def test_r15_the_receipt_pdf_is_kept_on_the_work_order_once(
    order, eng, approved, django_capture_on_commit_callbacks
):
    from io import BytesIO

    from pypdf import PdfReader

    from aftersales.billing.printing import receipt_document_store
    from aftersales.workorders.models import Attachment

    settlement = settle(order, eng)
    with django_capture_on_commit_callbacks(execute=True):
        payment = payment_record(
            settlement_id=settlement.pk, actor=eng, method=PaymentMethod.CASH, amount="210"
        )
    attachment = Attachment.objects.get(work_order=order)
    assert attachment.original_name == f"收据-{payment.receipt_number}.pdf"
    with attachment.file.open("rb") as handle:
        text = "".join(page.extract_text() for page in PdfReader(BytesIO(handle.read())).pages)
    assert payment.receipt_number in text and "贰佰壹拾元整" in text
    assert "收据" in text and "大写" in text  # printed in the company's language
    assert receipt_document_store(payment_id=payment.pk).pk == attachment.pk  # a retry finds it
    assert Attachment.objects.filter(work_order=order).count() == 1
