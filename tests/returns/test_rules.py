"""R33: a request is checked against the rules (time limit from purchase, condition, proof of
purchase) when it is submitted and again when it is approved; outside them it is refused (409)
naming the rule, unless a supervisor made an exception with a reason. The clock is frozen at
2026-11-20 (conftest)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType

from aftersales.core.errors import NotPermitted, TransitionNotAllowed
from aftersales.core.models import ChangeRecord
from aftersales.returns.choices import ItemCondition, ReturnKind, ReturnState, Rule
from aftersales.returns.models import ReturnEvent, ReturnPolicy
from aftersales.returns.rules import RulesBroken, policy_current
from aftersales.returns.services import policy_update, return_update

from ..timeutil import at, frozen
from .conftest import TODAY, step

pytestmark = pytest.mark.django_db


def test_r33_default_rules_come_from_the_settings(settings):
    settings.RETURNS_RETURN_DAYS = 10
    policy = policy_current()
    assert policy.pk is None  # nothing saved: the defaults
    assert (policy.return_days, policy.exchange_days, policy.proof_required) == (10, 15, True)
    assert policy.return_conditions == [ItemCondition.UNOPENED, ItemCondition.LIKE_NEW]


def test_r33_a_return_is_accepted_up_to_the_seventh_day_after_purchase(draft, people):
    """Given a return bought exactly 7 days ago, when it is submitted, then it goes to review."""
    request = draft(purchase_date=TODAY - timedelta(days=7))

    assert step(request, "submit", people.agent).state == ReturnState.SUBMITTED


def test_r33_a_return_on_the_eighth_day_is_refused_naming_the_rule(draft, people):
    request = draft(purchase_date=date(2026, 11, 12))

    with pytest.raises(RulesBroken) as refused:
        step(request, "submit", people.agent)

    error = refused.value
    assert (error.status, error.code, error.field) == (409, "return_window_passed", "purchase_date")
    assert "7 days" in error.message and "2026-11-12" in error.message and "2026-11-20" in error.message
    request.refresh_from_db()
    assert request.state == ReturnState.DRAFT
    assert not ReturnEvent.objects.filter(request=request, action="submit").exists()


def test_r33_an_exchange_has_fifteen_days(draft, people):
    inside = draft(kind=ReturnKind.EXCHANGE, purchase_date=TODAY - timedelta(days=15))
    outside = draft(kind=ReturnKind.EXCHANGE, purchase_date=TODAY - timedelta(days=16))

    assert step(inside, "submit", people.agent).state == ReturnState.SUBMITTED
    with pytest.raises(RulesBroken) as refused:
        step(outside, "submit", people.agent)
    assert "15 days" in refused.value.message


def test_r33_the_condition_accepted_depends_on_the_kind(draft, people):
    """A used product may be exchanged but not returned; a damaged one neither."""
    used_return = draft(condition=ItemCondition.USED, purchase_date=TODAY)
    used_exchange = draft(kind=ReturnKind.EXCHANGE, condition=ItemCondition.USED, purchase_date=TODAY)
    damaged_exchange = draft(kind=ReturnKind.EXCHANGE, condition=ItemCondition.DAMAGED, purchase_date=TODAY)

    with pytest.raises(RulesBroken) as refused:
        step(used_return, "submit", people.agent)
    assert (refused.value.code, refused.value.field) == ("return_condition_not_accepted", "condition")
    assert step(used_exchange, "submit", people.agent).state == ReturnState.SUBMITTED
    with pytest.raises(RulesBroken):
        step(damaged_exchange, "submit", people.agent)


def test_r33_proof_of_purchase_is_required_unless_the_rules_say_otherwise(draft, people):
    request = draft(proof_of_purchase="", purchase_date=TODAY)
    with pytest.raises(RulesBroken) as refused:
        step(request, "submit", people.agent)
    assert refused.value.code == "return_proof_missing"

    policy_update(actor=people.supervisor, proof_required=False)

    assert step(request, "submit", people.agent).state == ReturnState.SUBMITTED


def test_r33_a_request_without_purchase_date_cannot_be_checked(draft, people, side_a):
    side_a.device.purchase_date = None
    side_a.device.save()
    request = draft(purchase_date=None)
    assert request.purchase_date is None

    with pytest.raises(RulesBroken) as refused:
        step(request, "submit", people.agent)
    assert (refused.value.code, refused.value.field) == ("return_purchase_date_missing", "purchase_date")


def test_r33_every_rule_broken_is_named_at_once(draft, people):
    request = draft(purchase_date=date(2026, 10, 1), condition=ItemCondition.DAMAGED, proof_of_purchase="")

    with pytest.raises(RulesBroken) as refused:
        step(request, "submit", people.agent)

    assert [b.rule for b in refused.value.breaches] == [Rule.WINDOW, Rule.CONDITION, Rule.PROOF]


def test_r33_approval_judges_the_day_it_was_submitted_not_the_review_day(draft, people):
    """Submitted on the 7th day, reviewed three days later: still within the rules."""
    request = step(draft(purchase_date=TODAY - timedelta(days=7)), "submit", people.agent)

    with frozen(at(2026, 11, 23, 15, 0)):
        approved = step(request, "approve", people.clerk)

    assert approved.state == ReturnState.APPROVED
    assert approved.approved_by == people.clerk


def test_r33_the_rules_are_checked_again_at_approval(draft, people):
    """HQ shortened the limit after the request was submitted: the approval is refused until a
    supervisor makes an exception, which is recorded."""
    request = step(draft(purchase_date=TODAY - timedelta(days=5)), "submit", people.agent)
    policy_update(actor=people.supervisor, return_days=3)

    with pytest.raises(RulesBroken) as refused:
        step(request, "approve", people.clerk)
    assert "3 days" in refused.value.message

    step(request, "grant_exception", people.supervisor, reason="老客户，特批")
    approved = step(request, "approve", people.clerk)

    assert approved.state == ReturnState.APPROVED
    assert approved.exception_rules == [Rule.WINDOW]
    assert (approved.exception_reason, approved.exception_by) == ("老客户，特批", people.supervisor)


def test_r33_only_a_supervisor_makes_an_exception_and_gives_the_reason(draft, people):
    request = draft(purchase_date=date(2026, 10, 1))

    with pytest.raises(NotPermitted):
        step(request, "grant_exception", people.clerk, reason="客户要求")
    with pytest.raises(Exception) as missing:
        step(request, "grant_exception", people.supervisor)
    assert getattr(missing.value, "code", "") == "required"

    step(request, "grant_exception", people.supervisor, reason="产品质量问题，特批退货")
    submitted = step(request, "submit", people.agent)

    assert submitted.state == ReturnState.SUBMITTED
    event = ReturnEvent.objects.get(request=request, action="grant_exception")
    assert event.actor == people.supervisor and event.note == "产品质量问题，特批退货"
    assert any("2026-10-01" in message for message in event.params["breaches"])


def test_r33_an_exception_waives_only_the_rules_broken_when_it_was_made(draft, people):
    request = draft(purchase_date=date(2026, 10, 1))
    step(request, "grant_exception", people.supervisor, reason="特批")
    return_update(request_id=request.pk, actor=people.agent, condition=ItemCondition.DAMAGED)

    with pytest.raises(RulesBroken) as refused:
        step(request, "submit", people.agent)

    assert [b.rule for b in refused.value.breaches] == [Rule.CONDITION]


def test_r33_no_exception_for_a_request_within_the_rules(draft, people):
    with pytest.raises(TransitionNotAllowed) as refused:
        step(draft(purchase_date=TODAY), "grant_exception", people.supervisor, reason="无")
    assert refused.value.code == "return_no_exception_needed"


def test_r33_hq_keeps_the_rules_and_each_change_is_in_the_history(people):
    with pytest.raises(NotPermitted):
        policy_update(actor=people.agent, return_days=30)

    policy = policy_update(
        actor=people.supervisor,
        return_days=10,
        exchange_conditions=[ItemCondition.USED, ItemCondition.UNOPENED],
    )

    assert ReturnPolicy.objects.count() == 1
    assert policy.exchange_conditions == [ItemCondition.UNOPENED, ItemCondition.USED]  # in the choices' order
    changes = ChangeRecord.objects.filter(content_type=ContentType.objects.get_for_model(ReturnPolicy))
    assert {c.field for c in changes} >= {"return_days", "exchange_conditions"}
    assert policy_update(actor=people.supervisor, exchange_days=20).pk == policy.pk  # still one row
