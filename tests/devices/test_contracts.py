"""R35 (extends R36): service contracts sold on devices extend the warranty line by line, paid by
the contract; exclusions still charge the customer and a supervisor's override has the last word;
an expired, draft or cancelled contract covers nothing. The contract's lifecycle, its validation,
who may sell, its history, and the expiry job and reminders."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from aftersales.catalog.choices import FeeKind, PartCategory
from aftersales.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from aftersales.devices.choices import ContractState, Payer
from aftersales.devices.entitlement import entitlement_for
from aftersales.devices.models import ContractEvent, ServiceContract
from aftersales.devices.services import (
    contract_activate,
    contract_cancel,
    contract_create,
    contracts_expire,
    contracts_remind_expiring,
    maintenance_plan_create,
    maintenance_plan_set_active,
)
from aftersales.devices.tasks import service_contracts_daily
from aftersales.notifications.models import Message, Notification
from aftersales.servicing.choices import WarrantyState
from aftersales.servicing.services import warranty_exclusion_record, warranty_override_record
from aftersales.servicing.warranty import warranty_check, work_order_entitlement

from .. import factories as f
from ..timeutil import at, frozen

pytestmark = pytest.mark.django_db

DAY = date(2026, 6, 1)


def payers(entitlement) -> dict[str, str]:
    return {f"{line.kind}:{line.part_category}".rstrip(":"): line.payer for line in entitlement.lines}


# --- entitlement --------------------------------------------------------------------------------


def test_r35_r36_a_contract_covers_the_lines_it_names_after_the_warranty_ended(order, sell):
    contract = sell(covers_travel=True)
    entitlement = entitlement_for(order, day=DAY)
    assert not entitlement.in_warranty and entitlement.until == date(2025, 3, 31)
    assert entitlement.contract == contract and entitlement.in_cover
    assert payers(entitlement) == {
        "diagnosis": Payer.CONTRACT,
        "visit": Payer.CONTRACT,
        "labour": Payer.CONTRACT,
        "travel": Payer.CONTRACT,
        "part:normal": Payer.CONTRACT,
        "part:wear": Payer.CUSTOMER,  # the contract does not name wear parts
        "part:consumable": Payer.CUSTOMER,
    }
    assert entitlement.reason.endswith(
        f"warranty ended on 2025-03-31; covered by service contract {contract.number} until 2027-03-31."
    )
    labour = entitlement.cover(FeeKind.LABOUR)
    assert labour.covered and labour.until == date(2027, 3, 31) and contract.number in labour.reason
    assert "not covered" in entitlement.cover(FeeKind.PART, PartCategory.WEAR).reason or (
        "out of warranty" in entitlement.cover(FeeKind.PART, PartCategory.WEAR).reason
    )


def test_r35_r36_repairs_and_the_work_order_see_the_same_cover(order, sell):
    """Depot and external repair (the warranty check) and the money tab (work_order_entitlement)."""
    contract = sell()
    status = warranty_check(order, day=DAY)
    assert status.state == WarrantyState.IN and status.until == date(2027, 3, 31)
    assert contract.number in status.reason
    assert work_order_entitlement(order, day=DAY).cover(FeeKind.LABOUR).payer == Payer.CONTRACT


def test_r35_in_warranty_the_maker_pays_first_and_the_contract_fills_the_rest(order, device, sell):
    device.purchase_date = date(2026, 1, 10)
    device.save()
    order.refresh_from_db()
    contract = sell(covers_wear_parts=True)
    entitlement = entitlement_for(order, day=DAY)
    assert entitlement.in_warranty
    assert entitlement.cover(FeeKind.LABOUR).payer == Payer.MANUFACTURER
    assert entitlement.cover(FeeKind.PART, PartCategory.WEAR).payer == Payer.CONTRACT
    assert f"extended by service contract {contract.number} until 2027-03-31." in entitlement.reason


def test_r35_an_expired_draft_or_cancelled_contract_covers_nothing(order, device, sell, seller):
    with frozen(at(2025, 6, 1, 9, 0)):  # sold and activated a year ago
        contract = sell(starts_on=date(2025, 6, 1), ends_on=date(2026, 5, 31))
    assert entitlement_for(order, day=date(2026, 5, 31)).contract == contract  # its last day
    after = entitlement_for(order, day=DAY)  # the day after
    assert after.contract is None and not after.in_cover
    assert {line.payer for line in after.lines} == {Payer.CUSTOMER}
    assert warranty_check(order, day=DAY).state == WarrantyState.OUT

    draft = sell(activate=False)
    assert entitlement_for(order, day=DAY).contract is None
    contract_cancel(
        contract_id=contract_activate(contract_id=draft.pk, actor=seller).pk, actor=seller, reason="退"
    )
    assert entitlement_for(order, day=DAY).contract is None


def test_r35_a_contract_on_another_device_does_not_cover(order, customer, model, sell):
    other = f.DeviceFactory(product_model=model, customer=customer, purchase_date=date(2024, 4, 1))
    sell(devices=[other])
    assert entitlement_for(order, day=DAY).contract is None


def test_r35_r36_an_exclusion_still_charges_the_customer_and_an_override_has_the_last_word(
    order, sell, supervisor
):
    sell()
    engineer = order.engineer.user
    warranty_exclusion_record(work_order=order, actor=engineer, reason="misuse", kind=FeeKind.LABOUR)
    order.refresh_from_db()
    entitlement = work_order_entitlement(order, day=DAY)
    labour = entitlement.cover(FeeKind.LABOUR)
    assert not labour.covered and labour.payer == Payer.CUSTOMER and "Misuse" in labour.reason
    assert entitlement.cover(FeeKind.DIAGNOSIS).payer == Payer.CONTRACT  # the other lines stay covered

    warranty_exclusion_record(work_order=order, actor=engineer, reason="force_majeure")
    everything = work_order_entitlement(order, day=DAY)
    assert not any(line.covered for line in everything.lines)
    assert "Excluded from the warranty: Force majeure." in everything.reason
    assert warranty_check(order, day=DAY).state == WarrantyState.OUT

    warranty_override_record(
        work_order=order, actor=supervisor, reason="合同客户，特批", kind=FeeKind.VISIT, payer=Payer.CONTRACT
    )
    visit = work_order_entitlement(order, day=DAY).cover(FeeKind.VISIT)
    assert visit.covered and visit.payer == Payer.CONTRACT and "特批" in visit.reason


def test_r35_a_contract_covers_a_device_whose_warranty_cannot_be_decided(order, device, sell):
    device.purchase_date = None
    device.save()
    order.purchase_date = None
    order.save()
    order.refresh_from_db()
    contract = sell()
    entitlement = work_order_entitlement(order, day=DAY)
    assert not entitlement.known and entitlement.decided
    assert entitlement.cover(FeeKind.LABOUR).payer == Payer.CONTRACT
    assert warranty_check(order, day=DAY).state == WarrantyState.IN
    assert contract.number in entitlement.reason


# --- selling: validation ------------------------------------------------------------------------


def test_r35_a_contract_is_numbered_drafted_and_in_its_history(seller, device):
    contract = contract_create(
        customer=device.customer,
        devices=[device],
        kind="maintenance",
        starts_on=date(2026, 6, 1),
        ends_on=date(2027, 5, 31),
        price="2400",
        visits_included=4,
        actor=seller,
    )
    assert contract.number.startswith("HT2026") and len(contract.number) == 14
    assert contract.state == ContractState.DRAFT and str(contract.price) == "2400.00"
    assert list(contract.devices.all()) == [device] and contract.sold_by == seller
    event = ContractEvent.objects.get(contract=contract)
    assert (
        event.action == "create" and event.actor == seller and device.serial_number in event.params["devices"]
    )


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"devices": []}, "devices", "no_devices"),
        ({"ends_on": date(2026, 1, 1)}, "ends_on", "ends_before_start"),
        ({"ends_on": date(2025, 12, 1)}, "ends_on", "ends_before_start"),
        ({"price": "-1"}, "price", None),
        ({"price": "abc"}, "price", None),
        ({"kind": "lifetime"}, "kind", None),
    ],
)
def test_r35_a_contract_is_refused_with_the_field_at_fault(seller, device, change, field, code):
    fields = {
        "customer": device.customer,
        "devices": [device],
        "kind": "extended_warranty",
        "starts_on": date(2026, 1, 1),
        "ends_on": date(2026, 12, 31),
        "price": "100",
        **change,
    }
    with pytest.raises(ValidationError) as refused:
        contract_create(actor=seller, **fields)
    assert field in refused.value.error_dict
    if code:
        assert refused.value.error_dict[field][0].code == code
    assert not ServiceContract.objects.exists()


def test_r35_every_device_must_be_the_customers(seller, device, model):
    stranger = f.DeviceFactory(product_model=model)
    with pytest.raises(ValidationError) as refused:
        contract_create(
            customer=device.customer,
            devices=[device, stranger],
            kind="extended_warranty",
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31),
            price="100",
            actor=seller,
        )
    error = refused.value.error_dict["devices"][0]
    assert error.code == "device_of_other_customer" and stranger.serial_number in error.messages[0]


def test_r35_money_is_never_a_float(seller, device):
    with pytest.raises(ValidationError):
        contract_create(
            customer=device.customer,
            devices=[device],
            kind="extended_warranty",
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31),
            price=0.1,
            actor=seller,
        )


# --- lifecycle and permissions ------------------------------------------------------------------


def test_r35_draft_activate_cancel_with_history(sell, seller):
    contract = sell(activate=False)
    contract = contract_activate(contract_id=contract.pk, actor=seller)
    assert contract.state == ContractState.ACTIVE and contract.activated_at is not None
    with pytest.raises(TransitionNotAllowed) as twice:
        contract_activate(contract_id=contract.pk, actor=seller)
    assert twice.value.code == "transition_not_allowed"
    with pytest.raises(DomainError) as no_reason:
        contract_cancel(contract_id=contract.pk, actor=seller, reason="  ")
    assert no_reason.value.code == "required" and no_reason.value.field == "reason"
    contract = contract_cancel(contract_id=contract.pk, actor=seller, reason="客户撤回")
    assert contract.state == ContractState.CANCELLED and contract.cancel_reason == "客户撤回"
    steps = list(contract.events.values_list("action", "from_state", "to_state", "note"))
    assert steps == [
        ("create", "", "draft", ""),
        ("activate", "draft", "active", ""),
        ("cancel", "active", "cancelled", "客户撤回"),
    ]


def test_r35_a_contract_whose_term_is_over_cannot_be_activated(sell, seller):
    contract = sell(activate=False, starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31))
    with pytest.raises(TransitionNotAllowed) as refused:
        contract_activate(contract_id=contract.pk, actor=seller)
    assert refused.value.code == "contract_ended"


@pytest.mark.parametrize("role", ["engineer", "agent", "dispatcher", "dealer_staff", "finance"])
def test_r35_r37_only_clerks_supervisors_and_hq_sell_contracts(make_user, device, sell, role):
    user = make_user(role)
    with pytest.raises(NotPermitted):
        contract_create(
            customer=device.customer,
            devices=[device],
            kind="extended_warranty",
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31),
            price="100",
            actor=user,
        )
    draft = sell(activate=False)
    with pytest.raises(NotPermitted):
        contract_activate(contract_id=draft.pk, actor=user)
    with pytest.raises(NotPermitted):
        maintenance_plan_create(contract=draft, every_n_months=3, first_due_on=date(2026, 3, 1), actor=user)


@pytest.mark.parametrize("role", ["clerk", "supervisor", "hq_admin"])
def test_r35_sellers(make_user, device, role):
    user = make_user(role)
    contract = contract_create(
        customer=device.customer,
        devices=[device],
        kind="bundle",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        price="100",
        actor=user,
    )
    assert contract_activate(contract_id=contract.pk, actor=user).state == ContractState.ACTIVE


# --- maintenance plans ----------------------------------------------------------------------------


def test_r35_plans_belong_to_maintenance_contracts_within_their_term(sell, seller):
    warranty_only = sell(kind="extended_warranty")
    with pytest.raises(DomainError) as refused:
        maintenance_plan_create(
            contract=warranty_only, every_n_months=3, first_due_on=date(2026, 3, 1), actor=seller
        )
    assert refused.value.code == "plan_not_allowed"

    maintenance = sell(kind="maintenance")
    with pytest.raises(ValidationError) as outside:
        maintenance_plan_create(
            contract=maintenance, every_n_months=3, first_due_on=date(2027, 4, 1), actor=seller
        )
    assert outside.value.error_dict["first_due_on"][0].code == "due_outside_contract"
    with pytest.raises(ValidationError) as zero:
        maintenance_plan_create(
            contract=maintenance, every_n_months=0, first_due_on=date(2026, 3, 1), actor=seller
        )
    assert "every_n_months" in zero.value.error_dict

    plan = maintenance_plan_create(
        contract=maintenance, every_n_months=3, first_due_on=date(2026, 3, 1), lead_days=10, actor=seller
    )
    assert plan.is_active and plan.shift == "earlier"
    maintenance_plan_set_active(plan_id=plan.pk, is_active=False, actor=seller)
    plan.refresh_from_db()
    assert not plan.is_active
    actions = list(maintenance.events.values_list("action", flat=True))
    assert actions[-2:] == ["plan_create", "plan_pause"]

    contract_cancel(contract_id=maintenance.pk, actor=seller, reason="退")
    with pytest.raises(TransitionNotAllowed) as closed:
        maintenance_plan_create(
            contract=maintenance, every_n_months=3, first_due_on=date(2026, 3, 1), actor=seller
        )
    assert closed.value.code == "contract_closed"


# --- the daily job: expiry and reminders ---------------------------------------------------------


def test_r35_contracts_expire_after_their_last_day(sell):
    ending = sell(starts_on=date(2025, 6, 1), ends_on=date(2026, 6, 1))
    assert contracts_expire(today=date(2026, 6, 1)) == 0  # its last day: still in force
    assert contracts_expire(today=date(2026, 6, 2)) == 1
    ending.refresh_from_db()
    assert ending.state == ContractState.EXPIRED and ending.expired_at is not None
    assert ending.events.last().action == "expire" and ending.events.last().actor is None
    assert contracts_expire(today=date(2026, 6, 3)) == 0


def test_r35_the_customer_and_the_seller_are_reminded_once_before_the_end(sell, seller, customer, settings):
    customer.email = "it@example.cn"
    customer.save()
    contract = sell(ends_on=date(2026, 7, 31))
    assert contracts_remind_expiring(today=date(2026, 6, 30)) == 0  # 31 days before
    assert contracts_remind_expiring(today=date(2026, 7, 1)) == 1  # 30 days before (the default)
    for _ in range(3):
        assert contracts_remind_expiring(today=date(2026, 7, 2)) == 0
    messages = Message.objects.filter(idempotency_key__startswith=f"contract:{contract.pk}:expiry")
    assert sorted(messages.values_list("channel", flat=True)) == ["email", "sms"]
    assert all("2026-07-31" in m.body and contract.number in m.body for m in messages)
    notice = Notification.objects.get(recipient=seller)
    assert contract.number in notice.title and notice.url == f"/devices/contracts/{contract.pk}/"
    contract.refresh_from_db()
    assert contract.expiry_reminded_at is not None
    assert contract.events.filter(action="expiry_reminder").count() == 1

    settings.DEVICES_CONTRACT_EXPIRY_REMINDER_DAYS = 10
    later = sell(ends_on=date(2026, 7, 20))
    assert contracts_remind_expiring(today=date(2026, 7, 5)) == 0
    assert contracts_remind_expiring(today=date(2026, 7, 10)) == 1
    assert Notification.objects.filter(key=f"contract:{later.pk}:expiry").count() == 1


def test_r35_the_daily_task_expires_and_reminds(sell):
    with frozen(at(2025, 6, 1, 9, 0)):
        sell(starts_on=date(2025, 6, 1), ends_on=date(2026, 5, 31))
    sell(ends_on=date(2026, 6, 20))
    with frozen(at(2026, 6, 1, 8, 30)):
        assert service_contracts_daily.delay().get() == {"expired": 1, "reminded": 1}
        assert service_contracts_daily.delay().get() == {"expired": 0, "reminded": 0}
