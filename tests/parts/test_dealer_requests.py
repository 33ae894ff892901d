"""Part requests (售后服务配件申请单, R28, R30): the lifecycle by the people who run it, what each
step posts (the dealer's account once, the stock in transit then on hand at the service point),
the credit limit, and the refusals; every transition allowed or refused is also covered for every
role by tests/test_machines.py (the world `part_request`)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from aftersales.accounts.choices import Role
from aftersales.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from aftersales.notifications.models import Notification
from aftersales.parts.choices import EntryKind, PartRequestState, TransferState
from aftersales.parts.models import AccountEntry, DealerAccount, PartRequestEvent, StockBalance
from aftersales.parts.services.accounts import account_of, entry_post
from aftersales.parts.services.requests import (
    part_request_line_add,
    part_request_line_remove,
    part_request_line_update,
    part_request_transition,
)

from ..conftest import uses_postgres
from .dealer_world import SHIP_DATE

pytestmark = pytest.mark.django_db

S = PartRequestState


def _on_hand(warehouse, part) -> tuple[int, int]:
    balance = StockBalance.objects.filter(warehouse=warehouse, part=part).first()
    return (balance.on_hand, balance.in_transit) if balance else (0, 0)


def test_r28_r30_a_request_runs_from_draft_to_received_and_every_step_is_recorded(dealers):
    # given a dealer's draft for 3 定影组件 and 1 搓纸轮
    w = dealers.world
    pr = dealers.draft(lines=[(dealers.part, 3), (dealers.other_part, 1)])
    assert pr.number.startswith("PR") and pr.state == S.DRAFT and pr.dealer == w.dealer_a

    # when it is submitted, confirmed at the cost price list (R30), accepted and debited
    pr = dealers.advance(pr, S.DEBITED)

    # then each line costs the cost price, rounded per line, and the dealer owes the total once
    lines = {line.part.number: line for line in pr.lines.select_related("part")}
    assert lines["FU-3600"].unit_cost == Decimal("120.00") and lines["FU-3600"].amount == Decimal("360.00")
    assert lines["PR-100"].amount == Decimal("15.50")
    assert pr.total == Decimal("375.50") and pr.expected_ship_date == SHIP_DATE
    entry = AccountEntry.objects.get(part_request=pr)
    assert entry.kind == EntryKind.PART_PURCHASE and entry.amount == Decimal("375.50")
    assert account_of(w.dealer_a).balance == Decimal("375.50")

    # when HQ ships it: out of HQ's warehouse, in transit towards the service point (R32)
    pr = part_request_transition(
        request_id=pr.pk,
        action="ship",
        actor=dealers.clerk,
        carrier="顺丰速运",
        tracking_number="SF1234567890",
    )
    store = dealers.store_of(w.point_a)
    assert pr.transfer.state == TransferState.SHIPPED and pr.transfer.tracking_number == "SF1234567890"
    assert pr.transfer.source == dealers.hq and pr.transfer.destination == store
    assert _on_hand(dealers.hq, dealers.part) == (7, 0)
    assert _on_hand(store, dealers.part) == (0, 3)

    # when the service point receives it: on hand there, nothing in transit
    pr = part_request_transition(request_id=pr.pk, action="receive", actor=w.staff_a)
    assert pr.state == S.RECEIVED and pr.transfer.state == TransferState.RECEIVED
    assert _on_hand(store, dealers.part) == (3, 0) and _on_hand(store, dealers.other_part) == (1, 0)

    # and every step says who moved it from where to where
    steps = list(PartRequestEvent.objects.filter(request=pr).exclude(action="create"))
    assert [(e.action, e.from_state, e.to_state) for e in steps] == [
        ("submit", S.DRAFT, S.SUBMITTED),
        ("confirm", S.SUBMITTED, S.CONFIRMED),
        ("accept", S.CONFIRMED, S.ACCEPTED),
        ("debit", S.ACCEPTED, S.DEBITED),
        ("ship", S.DEBITED, S.SHIPPED),
        ("receive", S.SHIPPED, S.RECEIVED),
    ]
    assert [e.actor for e in steps] == [
        w.staff_a,
        dealers.clerk,
        w.staff_a,
        dealers.finance,
        dealers.clerk,
        w.staff_a,
    ]


def test_r28_hq_confirms_other_quantities_and_costs_and_a_part_it_cannot_supply(dealers):
    pr = dealers.draft(lines=[(dealers.part, 3), (dealers.other_part, 2)])
    part_request_transition(request_id=pr.pk, action="submit", actor=dealers.world.staff_a)
    lines = {line.part_id: line.pk for line in pr.lines.all()}
    pr = part_request_transition(
        request_id=pr.pk,
        action="confirm",
        actor=dealers.clerk,
        expected_ship_date=SHIP_DATE,
        lines=[
            {"line": lines[dealers.part.pk], "quantity": 2, "unit_cost": "99.99"},
            {"line": lines[dealers.other_part.pk], "quantity": 0},
        ],
    )
    assert pr.total == Decimal("199.98")
    confirmed = {line.part_id: line.confirmed_quantity for line in pr.lines.all()}
    assert confirmed == {dealers.part.pk: 2, dealers.other_part.pk: 0}


def test_r30_a_part_no_cost_price_list_prices_needs_hq_to_enter_its_cost(dealers):
    from .. import factories as f

    unpriced = f.PartFactory(number="XX-1", name="无价配件")
    pr = dealers.draft(lines=[(unpriced, 1)])
    part_request_transition(request_id=pr.pk, action="submit", actor=dealers.world.staff_a)
    with pytest.raises(DomainError) as refused:
        part_request_transition(
            request_id=pr.pk, action="confirm", actor=dealers.clerk, expected_ship_date=SHIP_DATE
        )
    assert refused.value.code == "no_cost_price"
    pr.refresh_from_db()
    assert pr.state == S.SUBMITTED


def test_r28_a_request_is_submitted_with_at_least_one_part(dealers):
    pr = dealers.draft(lines=[])
    with pytest.raises(DomainError) as refused:
        part_request_transition(request_id=pr.pk, action="submit", actor=dealers.world.staff_a)
    assert refused.value.code == "part_request_empty"


def test_r28_the_lines_change_only_while_a_draft(dealers):
    pr = dealers.draft(quantity=1)
    staff = dealers.world.staff_a
    line = part_request_line_add(request_id=pr.pk, part=dealers.part, quantity=2, actor=staff)
    assert line.quantity == 3  # the same part adds up
    part_request_line_update(line_id=line.pk, quantity=5, actor=staff)
    other = part_request_line_add(request_id=pr.pk, part=dealers.other_part, quantity=1, actor=staff)
    part_request_line_remove(line_id=other.pk, actor=staff)
    assert [(row.part_id, row.quantity) for row in pr.lines.all()] == [(dealers.part.pk, 5)]
    part_request_transition(request_id=pr.pk, action="submit", actor=staff)
    with pytest.raises(TransitionNotAllowed):
        part_request_line_update(line_id=line.pk, quantity=1, actor=staff)
    with pytest.raises(NotPermitted):  # another dealer's staff never change it
        part_request_line_add(request_id=pr.pk, part=dealers.part, quantity=1, actor=dealers.world.staff_b)


def test_r28_the_account_is_debited_once(dealers):
    # given a request debited
    pr = dealers.advance(dealers.draft(), S.DEBITED)
    balance = account_of(dealers.world.dealer_a).balance

    # when finance tries to debit it again, or a job posts the same request again
    with pytest.raises(TransitionNotAllowed) as refused:
        part_request_transition(request_id=pr.pk, action="debit", actor=dealers.finance)
    again = entry_post(
        dealer=pr.dealer,
        kind=EntryKind.PART_PURCHASE,
        amount=pr.total,
        actor=dealers.finance,
        part_request=pr,
    )

    # then it is refused (409) and nothing changes: one entry, the same balance
    assert refused.value.status == 409
    assert again == AccountEntry.objects.get(part_request=pr)
    assert account_of(dealers.world.dealer_a).balance == balance == Decimal("240.00")


def test_r28_over_the_credit_limit_finance_debits_only_with_an_explicit_approval(dealers):
    # given a dealer with a limit of ¥100 and a request of ¥240
    DealerAccount.objects.create(dealer=dealers.world.dealer_a, credit_limit=Decimal("100.00"))
    pr = dealers.advance(dealers.draft(), S.ACCEPTED)
    assert pr.needs_credit_approval  # the request shows it needs finance's approval

    # when finance debits it without approving: refused, nothing posted
    with pytest.raises(DomainError) as refused:
        part_request_transition(request_id=pr.pk, action="debit", actor=dealers.finance)
    assert refused.value.code == "credit_limit_exceeded" and refused.value.status == 409
    assert not AccountEntry.objects.filter(part_request=pr).exists()
    pr.refresh_from_db()
    assert pr.state == S.ACCEPTED

    # when finance approves going over the limit: debited, the approval recorded
    pr = part_request_transition(
        request_id=pr.pk, action="debit", actor=dealers.finance, approve_over_limit=True
    )
    assert pr.state == S.DEBITED and pr.credit_approved_by == dealers.finance
    assert account_of(dealers.world.dealer_a).balance == Decimal("240.00")


def test_r28_a_request_within_the_limit_needs_no_approval(dealers):
    DealerAccount.objects.create(dealer=dealers.world.dealer_a, credit_limit=Decimal("1000.00"))
    pr = dealers.advance(dealers.draft(), S.DEBITED)
    assert not pr.needs_credit_approval and pr.credit_approved_by is None


def test_r28_r32_hq_short_of_stock_ships_nothing(dealers):
    # given a debited request for 12 when HQ holds 10
    pr = dealers.advance(dealers.draft(quantity=12), S.DEBITED)
    # when HQ ships it: 409, nothing moved, the request still debited
    with pytest.raises(DomainError) as refused:
        part_request_transition(
            request_id=pr.pk, action="ship", actor=dealers.clerk, carrier="顺丰", tracking_number="SF1"
        )
    assert refused.value.status == 409 and refused.value.code == "insufficient_stock"
    pr.refresh_from_db()
    assert pr.state == S.DEBITED and pr.transfer is None
    assert _on_hand(dealers.hq, dealers.part) == (10, 0)


def test_r28_shipping_names_the_carrier_and_tracking_number(dealers):
    pr = dealers.advance(dealers.draft(), S.DEBITED)
    with pytest.raises(DomainError) as refused:
        part_request_transition(request_id=pr.pk, action="ship", actor=dealers.clerk, carrier="顺丰")
    assert refused.value.code == "required" and refused.value.field == "tracking_number"


def test_r28_hq_rejects_a_submitted_request_with_its_reason(dealers):
    pr = dealers.advance(dealers.draft(), S.SUBMITTED)
    with pytest.raises(DomainError) as refused:
        part_request_transition(request_id=pr.pk, action="reject", actor=dealers.clerk)
    assert refused.value.field == "reason"
    pr = part_request_transition(
        request_id=pr.pk, action="reject", actor=dealers.clerk, reason="该配件已停产"
    )
    assert pr.state == S.REJECTED and pr.reject_reason == "该配件已停产"


@pytest.mark.parametrize("state", [S.DRAFT, S.SUBMITTED, S.CONFIRMED])
def test_r28_the_dealer_cancels_before_accepting(dealers, state):
    pr = dealers.draft()
    if state != S.DRAFT:
        pr = dealers.advance(pr, state)
    pr = part_request_transition(
        request_id=pr.pk, action="cancel", actor=dealers.world.staff_a, note="不需要了"
    )
    assert pr.state == S.CANCELLED


@pytest.mark.parametrize("state", [S.ACCEPTED, S.DEBITED, S.SHIPPED, S.RECEIVED])
def test_r28_once_accepted_it_is_no_longer_cancelled(dealers, state):
    pr = dealers.advance(dealers.draft(), state)
    with pytest.raises(TransitionNotAllowed) as refused:
        part_request_transition(request_id=pr.pk, action="cancel", actor=dealers.world.staff_a)
    assert refused.value.status == 409


def test_r37_another_dealers_staff_never_move_a_request(dealers):
    pr = dealers.draft()
    with pytest.raises(NotPermitted):
        part_request_transition(request_id=pr.pk, action="submit", actor=dealers.world.staff_b)
    pr.refresh_from_db()
    assert pr.state == S.DRAFT


def test_r28_hq_hears_of_a_submitted_request_and_the_dealer_of_its_confirmation_and_shipment(dealers):
    pr = dealers.advance(dealers.draft(), S.SUBMITTED)
    assert Notification.objects.filter(recipient=dealers.clerk, key=f"part_request:{pr.pk}:submit").exists()
    for action, who, inputs in (
        ("confirm", dealers.clerk, {"expected_ship_date": SHIP_DATE}),
        ("accept", dealers.world.staff_a, {}),
        ("debit", dealers.finance, {}),
        ("ship", dealers.clerk, {"carrier": "顺丰速运", "tracking_number": "SF1234567890"}),
    ):
        part_request_transition(request_id=pr.pk, action=action, actor=who, **inputs)
    staff_notices = set(
        Notification.objects.filter(recipient=dealers.world.staff_a).values_list("key", flat=True)
    )
    assert {f"part_request:{pr.pk}:confirm", f"part_request:{pr.pk}:ship"} <= staff_notices
    assert not Notification.objects.filter(recipient=dealers.world.staff_b).exists()
    shipped = Notification.objects.get(recipient=dealers.world.staff_a, key=f"part_request:{pr.pk}:ship")
    assert "SF1234567890" in shipped.title


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not uses_postgres(), reason="row locks between connections need PostgreSQL")
def test_r28_two_finance_clerks_debiting_at_once_debit_it_once(dealers, make_user):
    # given an accepted request and a second finance clerk
    pr = dealers.advance(dealers.draft(), S.ACCEPTED)
    clerks = [dealers.finance, make_user(Role.FINANCE, username="finance_2")]
    outcomes: list[str] = []
    start = threading.Barrier(len(clerks))

    def debit(clerk) -> None:
        try:
            start.wait()
            part_request_transition(request_id=pr.pk, action="debit", actor=clerk)
            outcomes.append("debited")
        except TransitionNotAllowed:
            outcomes.append("refused")
        finally:
            connection.close()

    # when both press "debit" at the same moment
    threads = [threading.Thread(target=debit, args=(clerk,)) for clerk in clerks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then one debits, the other is refused (409), and the dealer owes the total once
    assert sorted(outcomes) == ["debited", "refused"]
    assert AccountEntry.objects.filter(part_request=pr).count() == 1
    assert account_of(dealers.world.dealer_a).balance == Decimal("240.00")
