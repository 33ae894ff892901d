"""R35: maintenance work orders generated from the service contracts' maintenance plans (ERPNext's
maintenance schedule, made idempotent).

A plan is due every `every_n_months` from its first due date, for every device of its contract,
while the contract runs (never past its last day). A due date on a non-working day of the company
calendar (the SLA app's: Chinese public holidays, 调休 make-up days, the company's exceptions)
moves to the working day before or after, as the plan says, still inside the contract's term.
`lead_days` before that day the daily job creates the maintenance work order through the intake
service every other intake uses, exactly once: an `MaintenanceOccurrence` row keyed by (plan,
device, scheduled due date) is taken first, with get-or-create inside a savepoint, so re-running
the job, or two jobs at once, creates nothing twice (the unique constraint settles a race). Due
dates before the plan was made are never generated (no backlog of past maintenance); a missed run
is caught up by the next one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core.errors import DomainError
from aftersales.devices.choices import ContractState, DateShift
from aftersales.devices.entitlement import months_after
from aftersales.devices.models import Device, MaintenancePlan
from aftersales.devices.services import maintenance_generated_record
from aftersales.sla.calendar import WorkingTime
from aftersales.sla.selectors import working_time_for
from aftersales.workorders.choices import Channel, WorkOrderType
from aftersales.workorders.events import event_record
from aftersales.workorders.models import WorkOrder
from aftersales.workorders.services import workorder_create

from ..events import MAINTENANCE
from ..models import MaintenanceOccurrence
from .plans import company_language

logger = logging.getLogger(__name__)

# A run of non-working days longer than this (Spring Festival is 8-9) means a broken calendar.
MAX_SHIFT_DAYS = 31


def plan_due_dates(plan: MaintenancePlan) -> Iterator[date]:
    """R35: the plan's scheduled due dates: `first_due_on`, then every `every_n_months`, up to the
    contract's last day."""
    ends_on = plan.contract.ends_on
    step = 0
    while True:
        due = months_after(plan.first_due_on, plan.every_n_months * step)
        if due > ends_on:
            return
        yield due
        step += 1


def _step(day: date, direction: int, working: WorkingTime, first: date, last: date) -> date | None:
    for _n in range(MAX_SHIFT_DAYS):
        day += timedelta(days=direction)
        if not first <= day <= last:
            return None
        if working.is_working_day(day):
            return day
    return None


def service_day(due: date, *, shift: str, working: WorkingTime, first: date, last: date) -> date:
    """R35: the working day a due date moves to: itself when worked, else the working day before
    (`earlier`) or after (`later`); when that would leave the contract's term (`first`..`last`),
    the other way; the due date itself when neither finds one."""
    if working.is_working_day(due):
        return due
    directions = (-1, 1) if shift == DateShift.EARLIER else (1, -1)
    for direction in directions:
        moved = _step(due, direction, working, first, last)
        if moved is not None:
            return moved
    return due


@dataclass(frozen=True)
class Due:
    """One maintenance due for one device: the schedule's date and the working day it moved to."""

    plan: MaintenancePlan
    device: Device
    due_on: date
    service_on: date


def maintenance_due(*, today: date, working: WorkingTime | None = None) -> list[Due]:
    """R35: every (plan, device, due date) whose work order is due by `today` (its working day
    minus `lead_days` has come), of the active plans of active contracts, whether generated
    already or not (the generator skips those). Due dates before the plan was made are left out."""
    working = working or working_time_for(None)
    plans = (
        MaintenancePlan.objects.filter(is_active=True, contract__state=ContractState.ACTIVE)
        .select_related("contract__customer")
        .prefetch_related("contract__devices__product_model")
        .order_by("pk")
    )
    found: list[Due] = []
    for plan in plans:
        contract = plan.contract
        made_on = timezone.localdate(plan.created_at)
        for due in plan_due_dates(plan):
            day = service_day(
                due, shift=plan.shift, working=working, first=contract.starts_on, last=contract.ends_on
            )
            if day - timedelta(days=plan.lead_days) > today:
                break  # later due dates are later still
            if due < made_on and day < made_on:
                continue
            found.extend(Due(plan, device, due, day) for device in contract.devices.all())
    return found


def _contact(customer) -> tuple[str, str]:
    """The customer's primary contact (name, phone), else the customer's own."""
    contact = customer.contacts.order_by("-is_primary", "pk").first()
    if contact is not None:
        return contact.name, contact.phone
    return customer.name, customer.phone


def maintenance_work_order_create(due: Due) -> WorkOrder | None:
    """R35: the maintenance work order of one due, exactly once: the occurrence row is taken first
    (get-or-create in a savepoint; a concurrent generator waits on the unique key and then finds
    it), then the work order is made through the intake service, in the same transaction. None
    when the due was generated already."""
    plan, device, contract = due.plan, due.device, due.plan.contract
    with transaction.atomic():
        occurrence, created = MaintenanceOccurrence.objects.get_or_create(
            plan=plan, device=device, due_on=due.due_on, defaults={"service_on": due.service_on}
        )
        if not created:
            return None
        customer = contract.customer
        name, phone = _contact(customer)
        with company_language():
            symptom = _(
                "Scheduled maintenance under service contract %(contract)s (every %(every)s months), "
                "due %(service_on)s. Device %(serial)s."
            ) % {
                "contract": contract.number,
                "every": plan.every_n_months,
                "service_on": f"{due.service_on:%Y-%m-%d}",
                "serial": device.serial_number,
            }
        work_order = workorder_create(
            actor=None,  # automatic intake: nobody raised it
            channel=Channel.API,  # the closest channel: there is no "scheduled" one
            type=WorkOrderType.MAINTENANCE,
            customer=customer,
            contact_name=name,
            contact_phone=phone,
            device=device,
            product_model=device.product_model,
            fault_symptom=symptom,
        )
        occurrence.work_order = work_order
        occurrence.save(update_fields=["work_order"])
        event_record(
            work_order,
            kind=MAINTENANCE,
            action="maintenance_generate",
            params={
                "contract": contract.number,
                "service_on": f"{due.service_on:%Y-%m-%d}",
                "every": plan.every_n_months,
            },
        )
        maintenance_generated_record(
            contract=contract, device=device, due_on=due.service_on, number=work_order.number
        )
    return work_order


def maintenance_work_orders_generate(*, today: date | None = None) -> int:
    """R35 (the daily job): a maintenance work order for every due whose day minus `lead_days` has
    come, each in its own transaction (one refused intake does not hold back the others; it is
    logged and tried again by the next run). Idempotent; returns how many were created."""
    today = today or timezone.localdate()
    created = 0
    for due in maintenance_due(today=today):
        try:
            if maintenance_work_order_create(due) is not None:
                created += 1
        except (ValidationError, DomainError):
            logger.exception(
                "maintenance work order of plan %s, device %s, due %s refused",
                due.plan.pk,
                due.device.pk,
                due.due_on,
            )
    return created
