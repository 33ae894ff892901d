"""R35: a maintenance plan generates maintenance work orders on schedule, `lead_days` ahead, each
exactly once however often (and however many at once) the daily job runs; due dates move off
non-working days (Chinese public holidays) the way the plan says, never past the contract's end.
The clock is frozen or moved day by day: no test depends on the machine's date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.db import connection

from aftersales.accounts.choices import Role
from aftersales.devices.choices import DateShift
from aftersales.devices.services import (
    contract_activate,
    contract_cancel,
    contract_create,
    maintenance_plan_create,
    maintenance_plan_set_active,
)
from aftersales.servicing.models import MaintenanceOccurrence
from aftersales.servicing.services import (
    maintenance_due,
    maintenance_work_orders_generate,
    plan_due_dates,
    service_day,
)
from aftersales.servicing.tasks import maintenance_work_orders_generate as generate_task
from aftersales.sla.calendar import WorkingTime
from aftersales.workorders.choices import Channel, State, WorkOrderType
from aftersales.workorders.models import WorkOrder

from .. import factories as f
from ..timeutil import at, frozen
from ..workorders.test_services import _race

pytestmark = pytest.mark.django_db

START = date(2026, 7, 1)


@pytest.fixture
def seller(make_user):
    return make_user(Role.CLERK, username="seller")


@pytest.fixture
def devices(model):
    customer = f.CustomerFactory()
    f.ContactFactory(customer=customer, is_primary=True)
    return [f.DeviceFactory(product_model=model, customer=customer) for _ in range(2)]


@pytest.fixture
def contract(seller, devices):
    """A maintenance contract on two devices, 2026-07-01 to 2027-06-30, sold on 2026-06-20."""
    with frozen(at(2026, 6, 20, 9, 0)):
        sold = contract_create(
            customer=devices[0].customer,
            devices=devices,
            kind="maintenance",
            starts_on=START,
            ends_on=date(2027, 6, 30),
            price="3600.00",
            visits_included=4,
            actor=seller,
        )
        return contract_activate(contract_id=sold.pk, actor=seller)


def plan_on(contract, seller, **fields):
    fields.setdefault("every_n_months", 3)
    fields.setdefault("first_due_on", date(2026, 7, 15))
    fields.setdefault("lead_days", 7)
    with frozen(at(2026, 6, 20, 9, 5)):
        return maintenance_plan_create(contract=contract, actor=seller, **fields)


def run_on(day: date) -> int:
    with frozen(at(day.year, day.month, day.day, 6, 0)):
        return maintenance_work_orders_generate()


def test_r35_the_schedule_runs_every_n_months_within_the_term(contract, seller):
    plan = plan_on(contract, seller, first_due_on=date(2026, 8, 31), every_n_months=3)
    assert list(plan_due_dates(plan)) == [
        date(2026, 8, 31),
        date(2026, 11, 30),
        date(2027, 2, 28),
        date(2027, 5, 31),
    ]


def test_r35_each_due_date_gives_one_work_order_per_device_exactly_once_over_many_runs(
    contract, seller, devices
):
    plan_on(contract, seller)  # due 2026-07-15 (a Wednesday), 2026-10-15, 2027-01-15, 2027-04-15
    day, created = date(2026, 7, 1), []
    while day <= date(2026, 10, 31):
        created.append((day, run_on(day)))
        run_on(day)  # the job run twice the same day changes nothing
        day += timedelta(days=1)
    made = {d: n for d, n in created if n}
    assert made == {date(2026, 7, 8): 2, date(2026, 10, 8): 2}  # 7 days ahead, both devices
    orders = WorkOrder.objects.filter(type=WorkOrderType.MAINTENANCE).order_by("number")
    assert orders.count() == 4 and MaintenanceOccurrence.objects.count() == 4
    occurrence = (
        MaintenanceOccurrence.objects.select_related("work_order").order_by("due_on", "device").first()
    )
    order = occurrence.work_order
    assert occurrence.due_on == date(2026, 7, 15) and occurrence.service_on == date(2026, 7, 15)
    assert order.device == devices[0] and order.customer == devices[0].customer
    assert order.state == State.NEW and order.channel == Channel.API and order.created_by is None
    assert contract.number in order.fault_symptom and "2026-07-15" in order.fault_symptom
    assert order.events.filter(kind="maintenance", action="maintenance_generate").count() == 1
    assert contract.events.filter(action="maintenance_generated").count() == 4


def test_r35_a_missed_run_is_caught_up_but_no_past_backlog_is_made(contract, seller):
    plan_on(contract, seller, first_due_on=date(2026, 7, 3), every_n_months=1, lead_days=0)
    assert run_on(date(2026, 9, 10)) == 6  # 07-03, 08-03, 09-03 for two devices: the job was down
    assert run_on(date(2026, 9, 11)) == 0


def test_r35_a_plan_made_late_does_not_generate_its_past_due_dates(contract, seller):
    with frozen(at(2026, 9, 1, 9, 0)):
        maintenance_plan_create(
            contract=contract, every_n_months=1, first_due_on=date(2026, 7, 3), lead_days=7, actor=seller
        )
    assert run_on(date(2026, 9, 1)) == 2  # only 09-03 (within lead time); July and August are past
    assert set(MaintenanceOccurrence.objects.values_list("due_on", flat=True)) == {date(2026, 9, 3)}


@pytest.mark.parametrize(
    ("shift", "expected"),
    [(DateShift.EARLIER, date(2026, 9, 30)), (DateShift.LATER, date(2026, 10, 8))],
)
def test_r35_a_due_date_on_a_public_holiday_moves_to_a_working_day(contract, seller, shift, expected):
    """National Day 2026: 10-01..10-07 are holidays (10-08 is a Thursday, 09-30 a Wednesday)."""
    plan_on(contract, seller, first_due_on=date(2026, 10, 1), every_n_months=6, lead_days=5, shift=shift)
    assert run_on(expected - timedelta(days=6)) == 0
    assert run_on(expected - timedelta(days=5)) == 2
    occurrence = MaintenanceOccurrence.objects.first()
    assert occurrence.due_on == date(2026, 10, 1) and occurrence.service_on == expected
    assert f"{expected:%Y-%m-%d}" in occurrence.work_order.fault_symptom


def test_r35_a_weekend_and_a_make_up_saturday():
    working = WorkingTime.standard()
    first, last = date(2026, 1, 1), date(2026, 12, 31)
    assert service_day(date(2026, 8, 8), shift="earlier", working=working, first=first, last=last) == date(
        2026, 8, 7
    )
    assert service_day(date(2026, 8, 8), shift="later", working=working, first=first, last=last) == date(
        2026, 8, 10
    )
    # Saturday 2026-10-10 is a 调休 make-up working day: it stays.
    assert service_day(date(2026, 10, 10), shift="later", working=working, first=first, last=last) == date(
        2026, 10, 10
    )


def test_r35_a_due_date_never_moves_past_the_contract(seller, devices):
    """The contract's last day is a holiday: shifting later would leave the term, so it moves earlier."""
    with frozen(at(2026, 6, 20, 9, 0)):
        contract = contract_create(
            customer=devices[0].customer,
            devices=devices[:1],
            kind="bundle",
            starts_on=date(2026, 7, 1),
            ends_on=date(2026, 10, 3),
            price="800",
            actor=seller,
        )
        contract_activate(contract_id=contract.pk, actor=seller)
        maintenance_plan_create(
            contract=contract,
            every_n_months=3,
            first_due_on=date(2026, 10, 3),
            lead_days=3,
            shift="later",
            actor=seller,
        )
    due = maintenance_due(today=date(2026, 9, 30))
    assert [(d.due_on, d.service_on) for d in due] == [(date(2026, 10, 3), date(2026, 9, 30))]


def test_r35_paused_plans_and_cancelled_contracts_generate_nothing(contract, seller):
    plan = plan_on(contract, seller)
    maintenance_plan_set_active(plan_id=plan.pk, is_active=False, actor=seller)
    assert run_on(date(2026, 7, 10)) == 0
    maintenance_plan_set_active(plan_id=plan.pk, is_active=True, actor=seller)
    contract_cancel(contract_id=contract.pk, actor=seller, reason="客户撤回")
    assert run_on(date(2026, 7, 10)) == 0
    assert not WorkOrder.objects.filter(type=WorkOrderType.MAINTENANCE).exists()


def test_r35_the_daily_task_is_on_the_beat_schedule_and_runs_the_generator(contract, seller):
    entry = settings.CELERY_BEAT_SCHEDULE["servicing-maintenance-work-orders"]
    assert entry["task"] == "aftersales.servicing.tasks.maintenance_work_orders_generate"
    assert settings.CELERY_BEAT_SCHEDULE["devices-service-contracts-daily"]["task"] == (
        "aftersales.devices.tasks.service_contracts_daily"
    )
    plan_on(contract, seller)
    with frozen(at(2026, 7, 9, 6, 0)):
        assert generate_task.delay().get() == 2
        assert generate_task.delay().get() == 0


def test_r35_the_contract_page_lists_its_maintenance_work_orders(client, contract, seller):
    plan_on(contract, seller)
    run_on(date(2026, 7, 9))
    client.force_login(seller)
    with frozen(at(2026, 7, 9, 10, 0)):
        html = client.get(f"/devices/contracts/{contract.pk}/").content.decode()
    assert 'data-testid="contract-work-orders"' in html
    assert html.count('data-testid="maintenance-occurrence"') == 2
    for order in WorkOrder.objects.filter(type=WorkOrderType.MAINTENANCE):
        assert order.number in html


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_r35_two_generators_at_once_create_each_work_order_once(contract, seller):
    plan_on(contract, seller)
    with frozen(at(2026, 7, 9, 6, 0)):
        results = _race(lambda _: maintenance_work_orders_generate(), [1, 2, 3])
    assert results == ["ok", "ok", "ok"]
    assert MaintenanceOccurrence.objects.count() == 2
    assert WorkOrder.objects.filter(type=WorkOrderType.MAINTENANCE).count() == 2
