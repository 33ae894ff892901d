"""Readable numbers (R1: WO202612060001) never make creates wait for each other: on PostgreSQL the
number is taken on a connection of its own and committed at once (a rolled-back create leaves a
gap); gap-free numbers (for receipts) are taken inside the caller's transaction instead."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection, connections, transaction

from aftersales.core.models import NumberSequence
from aftersales.core.services import NUMBERS_ALIAS, number_next
from aftersales.workorders.models import WorkOrder
from aftersales.workorders.services import workorder_create
from tests import factories as f

from ..conftest import uses_postgres
from ..workorders.test_services import intake

DAY = date(2026, 12, 6)
NEEDS_POSTGRES = pytest.mark.skipif(
    not uses_postgres(), reason="the numbers connection exists on PostgreSQL only"
)


@pytest.mark.django_db
def test_r1_gap_free_numbers_come_back_when_the_transaction_rolls_back():
    with transaction.atomic():
        assert number_next(prefix="RC", day=DAY, gapless=True) == "RC202612060001"
        transaction.set_rollback(True)
    assert number_next(prefix="RC", day=DAY, gapless=True) == "RC202612060001"


@pytest.mark.django_db
def test_r1_inside_the_transaction_numbers_roll_back_too_on_sqlite_or_when_asked(settings):
    settings.NUMBERS_OUTSIDE_TRANSACTION = True  # without a numbers connection (SQLite) it changes nothing
    if uses_postgres():
        pytest.skip("on PostgreSQL the numbers connection takes them (tested below)")
    with transaction.atomic():
        number_next(prefix="WO", day=DAY)
        transaction.set_rollback(True)
    assert number_next(prefix="WO", day=DAY) == "WO202612060001"


@NEEDS_POSTGRES
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=["default", NUMBERS_ALIAS])
def test_r1_a_create_never_waits_for_another_ones_number(settings):
    """Given a create that took its number and has not committed (it still runs its hooks), when
    another create runs, it does not wait for the first one's counter row: it gets the next
    number at once (its connection would fail after 1 s of waiting on a lock). The first one rolls
    back: its number is a gap, and the numbers stay unique."""
    settings.NUMBERS_OUTSIDE_TRANSACTION = True
    customer = f.CustomerFactory()
    first_agent, second_agent = f.UserFactory(role="agent"), f.UserFactory(role="agent")
    holding, done = threading.Event(), threading.Event()
    outcome: dict[str, str] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                outcome["first"] = workorder_create(actor=first_agent, **intake(customer)).number
                holding.set()
                done.wait(timeout=30)
                transaction.set_rollback(True)
        finally:
            connection.close()
            connections[NUMBERS_ALIAS].close()

    def second() -> None:
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '1s'")
                with connections[NUMBERS_ALIAS].cursor() as cursor:
                    cursor.execute("SET lock_timeout = '1s'")
                outcome["second"] = workorder_create(actor=second_agent, **intake(customer)).number
        except Exception as error:  # noqa: BLE001 - reported by the assertions below
            outcome["second"] = type(error).__name__
        finally:
            done.set()
            connection.close()
            connections[NUMBERS_ALIAS].close()

    holder = threading.Thread(target=first)
    holder.start()
    assert holding.wait(timeout=30)
    racer = threading.Thread(target=second)
    racer.start()
    racer.join(timeout=30)
    holder.join(timeout=30)

    assert outcome["first"].endswith("0001") and outcome["second"].endswith("0002"), outcome
    assert list(WorkOrder.objects.values_list("number", flat=True)) == [outcome["second"]]  # a gap: 0001
    assert NumberSequence.objects.get(prefix="WO").last_value == 2
