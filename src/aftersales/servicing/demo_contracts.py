"""Demo service contracts (R35), through the services: an extended warranty on a device whose
warranty has ended (its repairs are paid by the contract), a maintenance contract with a plan that
has generated its first maintenance work order, a bundle ending within the reminder period (its
customer and seller reminded), a draft and a cancelled one. Deterministic: devices taken in serial
order, dates from the seed's `now`."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.devices.choices import ContractKind, DateShift
from aftersales.devices.entitlement import months_after
from aftersales.devices.models import Device
from aftersales.devices.services import (
    contract_activate,
    contract_cancel,
    contract_create,
    contracts_remind_expiring,
    maintenance_plan_create,
)

from .services import maintenance_work_orders_generate


def _seller() -> User | None:
    return (
        User.objects.filter(username="clerk").first()
        or User.objects.filter(username="supervisor").first()
        or User.objects.filter(role__in=["clerk", "supervisor", "hq_admin"], is_active=True)
        .order_by("pk")
        .first()
    )


def seed(*, rng: random.Random, now: datetime) -> None:
    seller = _seller()
    devices = list(
        Device.objects.filter(purchase_date__isnull=False)
        .select_related("product_model", "customer")
        .order_by("purchase_date", "serial_number")[:12]
    )
    if seller is None or len(devices) < 5:
        return
    today = timezone.localtime(now).date()
    start = today - timedelta(days=45)
    year_later = months_after(start, 12) - timedelta(days=1)

    # An extended warranty on the oldest device (its maker's warranty is over): repairs now paid
    # by the contract (R35 extends R36).
    expired = devices[0]
    extended = contract_create(
        customer=expired.customer,
        devices=[expired],
        kind=ContractKind.EXTENDED_WARRANTY,
        starts_on=start,
        ends_on=year_later,
        price=Decimal("1280.00"),
        notes="延保一年，含人工与普通配件",
        actor=seller,
    )
    contract_activate(contract_id=extended.pk, actor=seller)

    # A maintenance contract on a customer's devices, serviced every 3 months; its first visit is
    # due within the lead time, so the job below creates its work order (once per device).
    first = devices[1]
    same_customer = [d for d in devices[1:] if d.customer_id == first.customer_id][:2]
    maintenance = contract_create(
        customer=first.customer,
        devices=same_customer,
        kind=ContractKind.MAINTENANCE,
        starts_on=start,
        ends_on=year_later,
        price=Decimal("2400.00"),
        visits_included=4,
        covers_diagnosis=True,
        covers_visit=True,
        covers_labour=True,
        covers_normal_parts=False,
        notes="季度保养：清洁、校准、易损件检查",
        actor=seller,
    )
    contract_activate(contract_id=maintenance.pk, actor=seller)
    maintenance_plan_create(
        contract=maintenance,
        every_n_months=3,
        first_due_on=today + timedelta(days=5),
        lead_days=7,
        shift=DateShift.EARLIER,
        actor=seller,
    )
    maintenance_work_orders_generate(today=today)

    # A bundle ending within the reminder period: its customer and seller are reminded once.
    ending = devices[2]
    bundle = contract_create(
        customer=ending.customer,
        devices=[ending],
        kind=ContractKind.BUNDLE,
        starts_on=months_after(today, -11),
        ends_on=today + timedelta(days=20),
        price=Decimal("3600.00"),
        visits_included=2,
        covers_wear_parts=True,
        actor=seller,
    )
    contract_activate(contract_id=bundle.pk, actor=seller)
    contracts_remind_expiring(today=today)

    # A draft still to be signed, and a contract the customer withdrew from.
    contract_create(
        customer=devices[3].customer,
        devices=[devices[3]],
        kind=ContractKind.EXTENDED_WARRANTY,
        starts_on=today + timedelta(days=7),
        ends_on=months_after(today + timedelta(days=7), 24) - timedelta(days=1),
        price=Decimal("1990.00"),
        actor=seller,
    )
    withdrawn = contract_create(
        customer=devices[4].customer,
        devices=[devices[4]],
        kind=ContractKind.MAINTENANCE,
        starts_on=start,
        ends_on=year_later,
        price=Decimal("1500.00"),
        actor=seller,
    )
    contract_cancel(contract_id=withdrawn.pk, actor=seller, reason="客户更换设备，撤回合同")
