"""R8, R9, R36: a quote is itemised line by line (diagnosis, visit, labour hours × rate, parts
qty × price, travel, other, discounts), each line paid by whom the work order's entitlement says;
it is sent, approved (frozen) or rejected, and revised into numbered versions, one revision free
and later ones authorised by a supervisor."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from aftersales.accounts.choices import Role
from aftersales.billing.choices import ApprovalMethod, LineKind, QuoteState
from aftersales.billing.models import Quote
from aftersales.billing.selectors import payer_totals, quote_content_hash
from aftersales.billing.services import (
    quote_approve,
    quote_authorise,
    quote_create,
    quote_line_add,
    quote_line_remove,
    quote_line_update,
    quote_reject,
    quote_revise,
    quote_send,
)
from aftersales.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from aftersales.devices.choices import Payer
from aftersales.servicing.choices import ExclusionReason
from aftersales.servicing.services import warranty_exclusion_record
from aftersales.workorders.events import event_types
from aftersales.workorders.models import WorkOrderEvent

from .. import factories as f

pytestmark = pytest.mark.django_db


def quote_with_lines(order, actor, fuser, roller) -> Quote:
    quote = quote_create(work_order_id=order.pk, actor=actor)
    quote_line_add(quote_id=quote.pk, actor=actor, kind=LineKind.LABOUR, quantity="1.5", unit_price="80")
    quote_line_add(quote_id=quote.pk, actor=actor, kind=LineKind.PART, part_id=fuser.pk, unit_price="350")
    quote_line_add(
        quote_id=quote.pk, actor=actor, kind=LineKind.PART, part_id=roller.pk, quantity=2, unit_price="12.345"
    )
    return Quote.objects.get(pk=quote.pk)


def test_r36_r9_in_warranty_each_line_has_its_payer_and_the_customer_pays_only_the_wear_part(
    order, eng, fuser, roller
):
    quote = quote_with_lines(order, eng, fuser, roller)
    lines = list(quote.lines.order_by("position"))
    assert [(line.kind, line.amount, line.payer) for line in lines] == [
        (LineKind.LABOUR, Decimal("120.00"), Payer.MANUFACTURER),
        (LineKind.PART, Decimal("350.00"), Payer.MANUFACTURER),
        (LineKind.PART, Decimal("24.70"), Payer.CUSTOMER),  # 2 × 12.35 (the price rounded half up)
    ]
    assert lines[1].description == "定影组件" and lines[2].part_category == "wear"
    assert "covered by the warranty" in lines[0].cover_reason
    assert "not covered" in lines[2].cover_reason
    assert quote.total == Decimal("494.70") and quote.customer_total == Decimal("24.70")
    totals = payer_totals(lines)
    assert totals[Payer.MANUFACTURER] == Decimal("470.00") and sum(totals.values()) == quote.total


def test_r36_an_exclusion_makes_the_covered_lines_the_customers(order, eng, supervisor, fuser, roller):
    warranty_exclusion_record(
        work_order=order,
        actor=supervisor,
        reason=ExclusionReason.MISUSE,
        note="进水",
        kind="",
        part_category="",
    )
    quote = quote_with_lines(order, eng, fuser, roller)
    assert set(quote.lines.values_list("payer", flat=True)) == {Payer.CUSTOMER}
    assert quote.customer_total == quote.total == Decimal("494.70")
    assert "excluded from the warranty" in quote.lines.get(position=1).cover_reason


def test_r9_out_of_warranty_the_customer_pays_every_line(order, eng, device, fuser, roller):
    device.purchase_date = timezone.localdate() - timedelta(days=800)
    device.save()
    quote = quote_with_lines(order, eng, fuser, roller)
    assert quote.customer_total == quote.total == Decimal("494.70")
    assert "out of warranty" in quote.lines.first().cover_reason


def test_r9_other_charges_and_discounts_are_the_customers_and_a_discount_never_exceeds_what_they_pay(
    order, eng, device
):
    device.purchase_date = timezone.localdate() - timedelta(days=800)
    device.save()
    quote = quote_create(work_order_id=order.pk, actor=eng)
    quote_line_add(quote_id=quote.pk, actor=eng, kind=LineKind.DIAGNOSIS, unit_price="50")
    quote_line_add(quote_id=quote.pk, actor=eng, kind=LineKind.OTHER, description="清洁保养", unit_price="30")
    discount = quote_line_add(
        quote_id=quote.pk, actor=eng, kind=LineKind.DISCOUNT, description="老客户优惠", unit_price="20"
    )
    assert discount.amount == Decimal("-20.00") and discount.payer == Payer.CUSTOMER
    quote.refresh_from_db()
    assert quote.total == quote.customer_total == Decimal("60.00")
    with pytest.raises(DomainError) as refused:
        quote_line_add(quote_id=quote.pk, actor=eng, kind=LineKind.DISCOUNT, unit_price="61")
    assert refused.value.code == "discount_too_large"
    quote.refresh_from_db()
    assert quote.lines.count() == 3 and quote.customer_total == Decimal("60.00")  # nothing half-saved


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": LineKind.LABOUR, "quantity": "0", "unit_price": "80"}, "quantity"),
        ({"kind": LineKind.LABOUR, "quantity": "1.555", "unit_price": "80"}, "quantity"),
        ({"kind": LineKind.LABOUR, "quantity": "abc", "unit_price": "80"}, "quantity"),
        ({"kind": LineKind.LABOUR, "unit_price": "-1"}, "unit_price"),
        ({"kind": LineKind.LABOUR, "unit_price": "八十"}, "unit_price"),
        ({"kind": LineKind.PART, "unit_price": "80"}, "part"),
        ({"kind": LineKind.PART, "part_id": 999999, "unit_price": "80"}, "part"),
        ({"kind": "gift", "unit_price": "80"}, "kind"),
    ],
)
def test_r9_a_bad_line_is_refused_naming_its_field_and_nothing_is_saved(order, eng, fields, field):
    quote = quote_create(work_order_id=order.pk, actor=eng)
    with pytest.raises(ValidationError) as refused:
        quote_line_add(quote_id=quote.pk, actor=eng, **fields)
    assert field in refused.value.message_dict
    assert not quote.lines.exists()


def test_r9_a_line_without_a_price_is_refused(order, eng):
    quote = quote_create(work_order_id=order.pk, actor=eng)
    with pytest.raises(DomainError) as refused:
        quote_line_add(quote_id=quote.pk, actor=eng, kind=LineKind.VISIT)
    assert refused.value.code == "unit_price_needed" and refused.value.field == "unit_price"


def test_r9_lines_change_on_a_draft_and_the_totals_follow_with_every_change_on_the_timeline(
    order, eng, fuser, roller
):
    quote = quote_with_lines(order, eng, fuser, roller)
    worn = quote.lines.get(position=3)
    quote_line_update(line_id=worn.pk, actor=eng, quantity=3, unit_price="10")
    quote.refresh_from_db()
    assert quote.customer_total == Decimal("30.00") and quote.total == Decimal("500.00")
    quote_line_remove(line_id=worn.pk, actor=eng)
    quote.refresh_from_db()
    assert quote.customer_total == Decimal("0.00") and quote.total == Decimal("470.00")
    events = WorkOrderEvent.objects.filter(work_order=order, kind="quote").order_by("id")
    assert [e.action for e in events] == [
        "quote_create",
        "quote_line_add",
        "quote_line_add",
        "quote_line_add",
        "quote_line_update",
        "quote_line_remove",
    ]
    update = events[4]
    text = str(event_types["quote"].template(update.action)) % update.params
    assert "¥30.00" in text and "¥500.00" in text


def test_r8_lifecycle_send_approve_freezes_the_lines(order, eng, agent, fuser, roller):
    quote = quote_with_lines(order, eng, fuser, roller)
    quote = quote_send(quote_id=quote.pk, actor=eng)
    assert quote.state == QuoteState.SENT and quote.sent_at is not None
    with pytest.raises(TransitionNotAllowed) as refused:
        quote_line_add(quote_id=quote.pk, actor=eng, kind=LineKind.LABOUR, unit_price="80")
    assert refused.value.code == "quote_not_draft"
    with pytest.raises(DomainError) as missing:
        quote_approve(
            quote_id=quote.pk, actor=agent, approved_by_name="李娜", approval_method=ApprovalMethod.SIGNATURE
        )
    assert missing.value.field == "signature"
    quote = quote_approve(
        quote_id=quote.pk, actor=agent, approved_by_name="李娜", approval_method=ApprovalMethod.PHONE
    )
    assert quote.state == QuoteState.APPROVED and quote.recorded_by == agent
    assert quote.content_hash == quote_content_hash(quote) and len(quote.content_hash) == 64
    with pytest.raises(TransitionNotAllowed):
        quote_line_update(line_id=quote.lines.first().pk, actor=eng, unit_price="1")


def test_r8_approval_by_signature_keeps_the_image(order, eng, fuser, roller, drawn_signature):
    quote = quote_send(quote_id=quote_with_lines(order, eng, fuser, roller).pk, actor=eng)
    quote = quote_approve(
        quote_id=quote.pk,
        actor=eng,
        approved_by_name="李娜",
        approval_method=ApprovalMethod.SIGNATURE,
        drawn_signature=drawn_signature,
    )
    assert quote.signature.name.endswith(".png") and quote.approval_method == ApprovalMethod.SIGNATURE


def test_r9_an_empty_quote_is_not_sent(order, eng):
    quote = quote_create(work_order_id=order.pk, actor=eng)
    with pytest.raises(DomainError) as refused:
        quote_send(quote_id=quote.pk, actor=eng)
    assert refused.value.code == "quote_empty"


def test_r8_one_revision_is_free_the_next_waits_for_a_supervisor(order, eng, supervisor, fuser, roller):
    first = quote_send(quote_id=quote_with_lines(order, eng, fuser, roller).pk, actor=eng)
    quote_reject(quote_id=first.pk, actor=eng, reason="太贵")
    second = quote_revise(quote_id=first.pk, actor=eng, reason="改用副厂搓纸轮")
    assert second.version == 2 and second.previous_id == first.pk and not second.needs_authorisation
    assert Quote.objects.get(pk=first.pk).state == QuoteState.REVISED
    assert [line.amount for line in second.lines.order_by("position")] == [
        line.amount for line in first.lines.order_by("position")
    ]
    assert second.total == first.total
    quote_send(quote_id=second.pk, actor=eng)
    third = quote_revise(quote_id=second.pk, actor=eng, reason="客户要求再降价")
    assert third.awaits_authorisation
    with pytest.raises(TransitionNotAllowed) as refused:
        quote_send(quote_id=third.pk, actor=eng)
    assert refused.value.code == "quote_needs_authorisation"
    with pytest.raises(NotPermitted):
        quote_authorise(quote_id=third.pk, actor=eng)
    quote_authorise(quote_id=third.pk, actor=supervisor)
    assert quote_send(quote_id=third.pk, actor=eng).state == QuoteState.SENT


def test_r8_a_supervisors_revision_is_authorised_at_once(order, eng, supervisor, fuser, roller):
    first = quote_send(quote_id=quote_with_lines(order, eng, fuser, roller).pk, actor=eng)
    second = quote_revise(quote_id=first.pk, actor=eng, reason="一")
    quote_send(quote_id=second.pk, actor=eng)
    third = quote_revise(quote_id=second.pk, actor=supervisor, reason="二")
    assert third.needs_authorisation and third.authorised_by == supervisor and not third.awaits_authorisation


def test_a_work_order_has_one_quote_revised_not_recreated(order, eng):
    quote_create(work_order_id=order.pk, actor=eng)
    with pytest.raises(DomainError) as refused:
        quote_create(work_order_id=order.pk, actor=eng)
    assert refused.value.code == "quote_exists"


def test_only_customer_facing_staff_draw_up_quotes_and_engineers_only_on_their_own_work(
    order, make_user, fuser
):
    other_engineer = f.EngineerFactory().user
    with pytest.raises(NotPermitted):
        quote_create(work_order_id=order.pk, actor=other_engineer)
    with pytest.raises(NotPermitted):
        quote_create(work_order_id=order.pk, actor=make_user(Role.FINANCE))
    quote = quote_create(work_order_id=order.pk, actor=make_user(Role.AGENT))
    with pytest.raises(NotPermitted):
        quote_line_add(quote_id=quote.pk, actor=other_engineer, kind=LineKind.LABOUR, unit_price="80")


def test_nothing_changes_on_the_quote_of_a_closed_work_order(make_order, eng):
    order = make_order()
    quote = quote_create(work_order_id=order.pk, actor=eng)
    quote_line_add(quote_id=quote.pk, actor=eng, kind=LineKind.LABOUR, unit_price="80")
    order.state = "closed"
    order.save()
    with pytest.raises(TransitionNotAllowed):
        quote_send(quote_id=quote.pk, actor=eng)
    with pytest.raises(TransitionNotAllowed):
        quote_line_add(quote_id=quote.pk, actor=eng, kind=LineKind.LABOUR, unit_price="80")


def test_r27_a_work_order_whose_quote_passes_the_threshold_is_proposed_as_a_difficult_case(
    order, eng, supervisor, fuser, roller
):
    from aftersales.complaints.choices import CaseReason
    from aftersales.complaints.models import CaseCriteria
    from aftersales.complaints.selectors import case_proposals, case_reasons

    criteria = CaseCriteria(
        value_enabled=True,
        value_threshold=Decimal("400.00"),
        repeat_enabled=False,
        sla_breach_enabled=False,
        complaint_enabled=False,
    )
    assert case_reasons(order, criteria=criteria) == []
    quote_with_lines(order, eng, fuser, roller)  # total ¥494.70
    assert case_reasons(order, criteria=criteria) == [CaseReason.HIGH_VALUE]
    assert order in case_proposals(supervisor, criteria=criteria)
    criteria.value_threshold = Decimal("494.71")
    assert case_reasons(order, criteria=criteria) == []


def test_r8_a_quote_prices_the_current_service_plan(order, eng):
    from aftersales.servicing.choices import FeeBasis
    from aftersales.servicing.services import plan_create

    plan = plan_create(
        work_order=order,
        actor=eng,
        measures="更换定影组件",
        estimated_hours=Decimal("1.5"),
        fees_apply=True,
        fee_basis=FeeBasis.OUT_OF_WARRANTY,
    )
    quote = quote_create(work_order_id=order.pk, actor=eng)
    assert quote.plan == plan
