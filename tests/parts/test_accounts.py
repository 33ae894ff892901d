"""Dealers' accounts (R28-R31): a ledger of entries; each document posted once."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from aftersales.core.errors import DomainError
from aftersales.parts.choices import EntryKind
from aftersales.parts.models import AccountEntry, DealerAccount, PartRequest
from aftersales.parts.services.accounts import account_of, entry_post, entry_reverse, would_exceed_credit

from .. import factories as f
from ..conftest import uses_postgres

pytestmark = pytest.mark.django_db


def test_r30_debits_and_credits_keep_the_balance_and_each_entry_its_balance_after(finance):
    dealer = f.DealerFactory()
    entry_post(dealer=dealer, kind=EntryKind.ADJUSTMENT, amount=Decimal("100.10"), actor=finance)
    credit = entry_post(dealer=dealer, kind=EntryKind.PAYMENT, amount=Decimal("-30.05"), actor=finance)
    assert credit.balance_after == Decimal("70.05") == account_of(dealer).balance
    total = sum(AccountEntry.objects.filter(account__dealer=dealer).values_list("amount", flat=True))
    assert total == Decimal("70.05")


def test_r28_a_part_request_is_debited_once_however_often_it_is_posted(finance):
    dealer = f.DealerFactory()
    request = PartRequest.objects.create(
        number="PR1", dealer=dealer, service_point=f.ServicePointFactory(dealer=dealer), created_by=finance
    )
    first = entry_post(
        dealer=dealer, kind=EntryKind.PART_PURCHASE, amount=Decimal("50"), part_request=request
    )
    again = entry_post(
        dealer=dealer, kind=EntryKind.PART_PURCHASE, amount=Decimal("50"), part_request=request
    )
    assert first.pk == again.pk and account_of(dealer).balance == Decimal("50.00")


def test_r29_a_reversal_cancels_an_entry_once_and_needs_a_reason(finance):
    dealer = f.DealerFactory()
    entry = entry_post(dealer=dealer, kind=EntryKind.ADJUSTMENT, amount=Decimal("12.34"))
    with pytest.raises(DomainError):
        entry_reverse(entry=entry, actor=finance, reason=" ")
    entry_reverse(entry=entry, actor=finance, reason="录入错误")
    assert account_of(dealer).balance == Decimal("0.00")
    with pytest.raises(DomainError) as refused:
        entry_reverse(entry=entry, actor=finance, reason="again")
    assert refused.value.code == "already_reversed"


def test_r28_the_credit_limit_is_checked_against_the_balance():
    dealer = f.DealerFactory()
    DealerAccount.objects.create(dealer=dealer, credit_limit=Decimal("100"))
    entry_post(dealer=dealer, kind=EntryKind.ADJUSTMENT, amount=Decimal("60"))
    assert not would_exceed_credit(dealer=dealer, amount=Decimal("40"))
    assert would_exceed_credit(dealer=dealer, amount=Decimal("40.01"))


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not uses_postgres(), reason="row locks between connections need PostgreSQL")
def test_r30_concurrent_postings_to_one_account_lose_nothing():
    dealer = f.DealerFactory()
    account_of(dealer)

    def post_ten():
        try:
            for _ in range(10):
                entry_post(dealer=dealer, kind=EntryKind.ADJUSTMENT, amount=Decimal("1.01"))
        finally:
            connection.close()

    threads = [threading.Thread(target=post_ten) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert account_of(dealer).balance == Decimal("80.80")
    assert AccountEntry.objects.filter(account__dealer=dealer).count() == 80
