"""Writes of installed devices, and of the service contracts sold on them (R35): sell (create),
activate, cancel, expire after the last day, maintenance plans added and paused, and the expiry
reminders to the customer and the seller. Every contract step is in its history (`ContractEvent`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from aftersales.core.money import cny
from aftersales.core.services import number_next
from aftersales.core.transitions import transition_run
from aftersales.notifications.services import customer_message_queue, notify

from .choices import PLAN_KINDS, ContractKind, ContractState, DateShift
from .models import Device, MaintenancePlan, ServiceContract
from .search import device_search_refresh
from .transitions import CONTRACT, SELL_ROLES, contract_event_record


@transaction.atomic
def device_create(
    *,
    product_model,
    serial_number: str,
    customer,
    purchase_date: date | None = None,
    install_address: str = "",
    actor=None,
) -> Device:
    """A device on file; the serial number is unique within its model (validated, not crashed on)."""
    device = Device(
        product_model=product_model,
        serial_number=(serial_number or "").strip().upper(),
        customer=customer,
        purchase_date=purchase_date,
        install_address=install_address,
    )
    device.full_clean()
    device.save()
    device_search_refresh([device.pk])
    return device


@transaction.atomic
def device_update(*, device: Device, actor=None, **fields) -> Device:
    """Edit a device; the serial stays upper-case and unique within its model."""
    if "serial_number" in fields:
        fields["serial_number"] = (fields["serial_number"] or "").strip().upper()
    for name, value in fields.items():
        setattr(device, name, value)
    device.full_clean()
    device.save()
    device_search_refresh([device.pk])
    return device


# -- service contracts (R35) -------------------------------------------------------------------

# The per-line flags a contract sets, as on a warranty policy (R35 extends R36).
COVER_FIELDS = (
    "covers_diagnosis",
    "covers_visit",
    "covers_labour",
    "covers_travel",
    "covers_normal_parts",
    "covers_wear_parts",
    "covers_consumables",
)

# The reminder's texts (R35): to the seller under the bell, and to the customer by SMS / e-mail.
EXPIRY_TITLE = gettext_lazy("Service contract %(number)s ends on %(date)s")
EXPIRY_BODY = gettext_lazy("%(customer)s: %(kind)s on %(devices)s. Offer the renewal.")
EXPIRY_CUSTOMER_SUBJECT = gettext_lazy("Your service contract ends soon")
EXPIRY_CUSTOMER_BODY = gettext_lazy(
    "Dear %(customer)s, your service contract %(number)s (%(kind)s) for %(devices)s ends on %(date)s. "
    "Call us to renew it."
)


def _require_seller(actor) -> None:
    if actor is not None and not actor.has_role(*SELL_ROLES):
        raise NotPermitted(_("Your role may not sell or change service contracts."))


def _check_devices(customer, devices: list[Device]) -> None:
    if not devices:
        raise ValidationError(
            {"devices": [ValidationError(_("Choose at least one device."), code="no_devices")]}
        )
    others = [device.serial_number for device in devices if device.customer_id != customer.pk]
    if others:
        raise ValidationError(
            {
                "devices": [
                    ValidationError(
                        _("These devices belong to another customer: %(serials)s.")
                        % {"serials": ", ".join(sorted(others))},
                        code="device_of_other_customer",
                    )
                ]
            }
        )


def _check_term(starts_on: date | None, ends_on: date | None) -> None:
    if starts_on and ends_on and ends_on <= starts_on:
        raise ValidationError(
            {
                "ends_on": [
                    ValidationError(_("The contract must end after it starts."), code="ends_before_start")
                ]
            }
        )


@transaction.atomic
def contract_create(
    *,
    customer,
    devices: Iterable[Device],
    kind: str,
    starts_on: date,
    ends_on: date,
    price: Decimal | str | int,
    visits_included: int = 0,
    notes: str = "",
    actor,
    **covers: bool,
) -> ServiceContract:
    """R35: a contract sold to `customer` on some of its devices, as a draft numbered HT…; the
    devices (at least one) must be the customer's, the term must end after it starts, the price
    is an amount in CNY (never a float). `covers` are the per-line flags (`COVER_FIELDS`)."""
    _require_seller(actor)
    unknown = set(covers) - set(COVER_FIELDS)
    if unknown:
        raise ValueError(f"unknown cover flags {sorted(unknown)}")
    devices = list(devices)
    try:
        amount = cny(price)
    except (TypeError, ValueError) as error:
        raise ValidationError({"price": [_("Enter an amount, e.g. 1200.00.")]}) from error
    contract = ServiceContract(
        customer=customer,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        price=amount,
        visits_included=visits_included,
        notes=(notes or "").strip(),
        sold_by=actor,
        **covers,
    )
    errors: dict[str, list] = {}
    for check in (
        lambda: contract.full_clean(exclude=["number", "customer", "sold_by"], validate_constraints=False),
        lambda: _check_term(starts_on, ends_on),
        lambda: _check_devices(customer, devices),
    ):
        try:
            check()
        except ValidationError as error:
            for name, messages in error.error_dict.items():
                errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    contract.number = number_next(prefix="HT")
    contract.save(force_insert=True)
    contract.devices.set(devices)
    contract_event_record(
        contract,
        actor=actor,
        action="create",
        params={
            "kind": ContractKind(contract.kind).label,
            "start": f"{starts_on:%Y-%m-%d}",
            "end": f"{ends_on:%Y-%m-%d}",
            "devices": ", ".join(sorted(d.serial_number for d in devices)),
            "price": str(amount),
        },
    )
    return contract


def contract_activate(*, contract_id: int, actor) -> ServiceContract:
    """R35: the draft comes into force (it covers its devices from `starts_on`); refused once its
    last day has passed, or without devices."""
    return transition_run(CONTRACT, pk=contract_id, action="activate", actor=actor)


def contract_cancel(*, contract_id: int, actor, reason: str) -> ServiceContract:
    """R35: a draft or active contract is cancelled, with the reason; it covers nothing more and
    its plans generate nothing more."""
    return transition_run(CONTRACT, pk=contract_id, action="cancel", actor=actor, inputs={"reason": reason})


def contracts_expire(*, today: date | None = None) -> int:
    """R35 (daily job): active contracts whose last day has passed become expired, each in its
    own transaction; returns how many."""
    today = today or timezone.localdate()
    ids = list(
        ServiceContract.objects.filter(state=ContractState.ACTIVE, ends_on__lt=today).values_list(
            "pk", flat=True
        )
    )
    done = 0
    for pk in ids:
        try:
            transition_run(CONTRACT, pk=pk, action="expire", actor=None)
        except TransitionNotAllowed:
            continue  # expired or cancelled meanwhile
        done += 1
    return done


# -- maintenance plans -------------------------------------------------------------------------


@transaction.atomic
def maintenance_plan_create(
    *,
    contract: ServiceContract,
    every_n_months: int,
    first_due_on: date,
    lead_days: int = 7,
    shift: str = DateShift.EARLIER,
    actor,
) -> MaintenancePlan:
    """R35: periodic maintenance on a maintenance or bundle contract that is not over: every
    `every_n_months` from `first_due_on` (within the term), a work order `lead_days` ahead."""
    _require_seller(actor)
    contract = CONTRACT.lock(contract.pk)
    if contract.kind not in PLAN_KINDS:
        raise DomainError(
            _("Only maintenance contracts (or bundles) have maintenance plans."),
            code="plan_not_allowed",
            field="kind",
        )
    if contract.state not in (ContractState.DRAFT, ContractState.ACTIVE):
        raise TransitionNotAllowed(
            _("The contract is “%(state)s”: it takes no new plan.") % {"state": contract.get_state_display()},
            code="contract_closed",
        )
    if first_due_on is not None and not contract.starts_on <= first_due_on <= contract.ends_on:
        raise ValidationError(
            {
                "first_due_on": [
                    ValidationError(
                        _("The first due date must fall between %(start)s and %(end)s.")
                        % {"start": f"{contract.starts_on:%Y-%m-%d}", "end": f"{contract.ends_on:%Y-%m-%d}"},
                        code="due_outside_contract",
                    )
                ]
            }
        )
    plan = MaintenancePlan(
        contract=contract,
        every_n_months=every_n_months,
        first_due_on=first_due_on,
        lead_days=lead_days,
        shift=shift,
        created_by=actor,
    )
    plan.full_clean(exclude=["contract", "created_by"])
    plan.save()
    contract_event_record(
        contract,
        actor=actor,
        action="plan_create",
        from_state=contract.state,
        params={"every": every_n_months, "first": f"{first_due_on:%Y-%m-%d}", "lead": lead_days},
    )
    return plan


@transaction.atomic
def maintenance_plan_set_active(*, plan_id: int, is_active: bool, actor) -> MaintenancePlan:
    """R35: pause a plan (it generates nothing more) or resume it."""
    _require_seller(actor)
    plan = MaintenancePlan.objects.select_for_update().select_related("contract").get(pk=plan_id)
    if plan.is_active == is_active:
        return plan
    plan.is_active = is_active
    plan.save(update_fields=["is_active", "updated_at"])
    contract = plan.contract
    contract_event_record(
        contract,
        actor=actor,
        action="plan_resume" if is_active else "plan_pause",
        from_state=contract.state,
        params={"every": plan.every_n_months, "first": f"{plan.first_due_on:%Y-%m-%d}"},
    )
    return plan


def maintenance_generated_record(
    *, contract: ServiceContract, device: Device, due_on: date, number: str
) -> None:
    """R35: the contract's history notes a maintenance work order generated by its plan (called by
    the servicing app's generator, in its transaction)."""
    contract_event_record(
        contract,
        actor=None,
        action="maintenance_generated",
        from_state=contract.state,
        params={"work_order": number, "serial": device.serial_number, "due": f"{due_on:%Y-%m-%d}"},
    )


# -- expiry reminders --------------------------------------------------------------------------


def expiry_reminder_days() -> int:
    """R35: days before its end a contract's customer and seller are reminded (default 30)."""
    return settings.DEVICES_CONTRACT_EXPIRY_REMINDER_DAYS


@transaction.atomic
def contract_expiry_remind(*, contract_id: int, today: date | None = None) -> bool:
    """R35: remind the customer (SMS and e-mail, in the company's language) and the seller (under
    the bell) that the contract ends soon, once per contract (`expiry_reminded_at`, and the
    outbox's and the bell's idempotency keys). False when not due or already reminded."""
    today = today or timezone.localdate()
    contract = CONTRACT.lock(contract_id)
    due = contract.ends_on - timedelta(days=expiry_reminder_days())
    if (
        contract.state != ContractState.ACTIVE
        or contract.expiry_reminded_at is not None
        or not due <= today <= contract.ends_on
    ):
        return False
    customer = contract.customer
    serials = ", ".join(contract.devices.order_by("serial_number").values_list("serial_number", flat=True))
    params = {
        "number": contract.number,
        "date": f"{contract.ends_on:%Y-%m-%d}",
        "customer": customer.name,
        "kind": contract.get_kind_display(),
        "devices": serials,
    }
    with translation.override(settings.LANGUAGE_CODE):  # to the customer: the company's language
        subject = str(EXPIRY_CUSTOMER_SUBJECT)
        body = str(EXPIRY_CUSTOMER_BODY) % {**params, "kind": contract.get_kind_display()}
    customer_message_queue(
        phone=customer.phone,
        email=customer.email,
        subject=subject,
        body=body,
        key_prefix=f"contract:{contract.pk}:expiry",
    )
    notify(
        recipients=[contract.sold_by],
        title=EXPIRY_TITLE,
        body=EXPIRY_BODY,
        params={**params, "kind": ContractKind(contract.kind).label},
        url=f"/devices/contracts/{contract.pk}/",
        key=f"contract:{contract.pk}:expiry",
    )
    contract.expiry_reminded_at = timezone.now()
    contract.save(update_fields=["expiry_reminded_at", "updated_at"])
    contract_event_record(
        contract,
        actor=None,
        action="expiry_reminder",
        from_state=contract.state,
        params={"date": f"{contract.ends_on:%Y-%m-%d}"},
    )
    return True


def contracts_remind_expiring(*, today: date | None = None) -> int:
    """R35 (daily job): every active contract within `expiry_reminder_days()` of its end that was
    not reminded yet is reminded, each in its own transaction; returns how many."""
    today = today or timezone.localdate()
    ids = list(
        ServiceContract.objects.filter(
            state=ContractState.ACTIVE,
            expiry_reminded_at__isnull=True,
            ends_on__gte=today,
            ends_on__lte=today + timedelta(days=expiry_reminder_days()),
        )
        .order_by("ends_on", "pk")
        .values_list("pk", flat=True)
    )
    return sum(1 for pk in ids if contract_expiry_remind(contract_id=pk, today=today))
