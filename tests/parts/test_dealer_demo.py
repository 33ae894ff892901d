"""The dealer network's demo (R28-R30): part requests in every state, accounts with limits and
payments whose statements add up, a dealer's fee standard awaiting HQ's approval; run once."""

from __future__ import annotations

import random
from datetime import date

import pytest

from aftersales.accounts.choices import Role
from aftersales.catalog.choices import FeeApproval
from aftersales.catalog.models import FeeSchedule
from aftersales.parts.choices import EntryKind, PartRequestState
from aftersales.parts.demo_dealers import seed
from aftersales.parts.models import AccountEntry, DealerAccount, PartRequest
from aftersales.parts.selectors_dealers import next_month, statement_for

from .. import factories as f
from ..timeutil import at

pytestmark = pytest.mark.django_db

NOW = at(2026, 11, 30, 18)


@pytest.fixture
def company(db):
    for username, role in (("parts", Role.PARTS_CLERK), ("finance", Role.FINANCE), ("admin", Role.HQ_ADMIN)):
        f.UserFactory(username=username, role=role)
    for code in ("DL-GD", "DL-HB", "DL-SC"):
        dealer = f.DealerFactory(code=code)
        f.ServicePointFactory(dealer=dealer)
        f.UserFactory(role=Role.DEALER_STAFF, dealer=dealer)
    prices = f.PriceListFactory(name="全国配件价目表", effective_from=date(2026, 1, 1))
    for n in range(10):
        part = f.PartFactory(number=f"DP-{n:02d}", name=f"演示配件{n}")
        f.PriceListItemFactory(
            price_list=prices, part=part, cost_price=f"{300 + 10 * n}.00", retail_price="999.00"
        )


def test_r28_r30_the_demo_has_requests_in_every_state_and_statements_that_add_up(company):
    seed(rng=random.Random(7), now=NOW)

    states = set(PartRequest.objects.values_list("state", flat=True))
    assert states == set(PartRequestState.values)
    waiting = PartRequest.objects.filter(state=PartRequestState.ACCEPTED, needs_credit_approval=True)
    assert waiting.exists()  # one waits for finance's approval over the credit limit
    assert FeeSchedule.objects.filter(dealer__isnull=False, approval_state=FeeApproval.SUBMITTED).exists()
    assert AccountEntry.objects.filter(kind=EntryKind.PAYMENT).count() == 6
    assert DealerAccount.objects.filter(credit_limit__isnull=False).count() == 3

    # every month of every account: opening + the month's entries = closing, each entry's balance
    # after following the one before (the demo posts in time order, as the system does)
    for account in DealerAccount.objects.select_related("dealer"):
        month = date(2026, 9, 1)
        while month <= date(2026, 11, 1):
            statement = statement_for(account.dealer, month)
            running = statement.opening
            for entry in statement.entries:
                running += entry.amount
                assert entry.balance_after == running
            assert statement.closing == running
            month = next_month(month)
        assert statement.closing == account.balance

    # run again: nothing added
    before = (PartRequest.objects.count(), AccountEntry.objects.count())
    seed(rng=random.Random(7), now=NOW)
    assert (PartRequest.objects.count(), AccountEntry.objects.count()) == before
