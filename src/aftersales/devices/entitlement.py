"""Warranty entitlement (R36): for a device (or what intake recorded of one), which warranty
policy applies, from which date and until when, and for every kind of line a repair is charged by
(diagnosis, visit, labour, travel, parts by category) whether it is covered and who pays, with the
reason in one sentence a customer understands. Cover is decided per line, never for the work
order as a whole: a device in warranty still pays for a wear part its policy does not cover.

R35 extends it: while a service contract in force covers the device on the day, each line the
warranty leaves to the customer but the contract covers is covered, paid by the contract, and the
reason says so ("…warranty ended on 2025-03-31; covered by service contract HT… until 2027-03-31.").
The maker's warranty pays first; the contract fills what it leaves. Exclusions and a supervisor's
overrides are applied above this (servicing/warranty.py) and keep their meaning.

The work order is read duck-typed (its device, product model, purchase date and customer), so this
app stays below the work order; the servicing app registers it as its warranty check.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from aftersales.catalog.choices import FeeKind, PartCategory
from aftersales.core.reference import ReferenceCache

from .choices import IN_FORCE_STATES, Payer, StartBasis
from .models import ServiceContract, WarrantyPolicy

# Every line a policy decides on: (kind, part category or "").
LINES: tuple[tuple[str, str], ...] = (
    (FeeKind.DIAGNOSIS, ""),
    (FeeKind.VISIT, ""),
    (FeeKind.LABOUR, ""),
    (FeeKind.TRAVEL, ""),
    (FeeKind.PART, PartCategory.NORMAL),
    (FeeKind.PART, PartCategory.WEAR),
    (FeeKind.PART, PartCategory.CONSUMABLE),
)

_POLICY_FLAG: dict[tuple[str, str], str] = {
    (FeeKind.DIAGNOSIS, ""): "covers_diagnosis",
    (FeeKind.VISIT, ""): "covers_visit",
    (FeeKind.LABOUR, ""): "covers_labour",
    (FeeKind.TRAVEL, ""): "covers_travel",
    (FeeKind.PART, PartCategory.NORMAL): "covers_normal_parts",
    (FeeKind.PART, PartCategory.WEAR): "covers_wear_parts",
    (FeeKind.PART, PartCategory.CONSUMABLE): "covers_consumables",
}


def line_label(kind: str, part_category: str = ""):
    """The name of a line (lazy): its part category's for parts with one, else its kind's."""
    return PartCategory(part_category).label if part_category else FeeKind(kind).label


@dataclass(frozen=True)
class LineCover:
    """One kind of line: covered or chargeable, who pays, until when, and why."""

    kind: str
    part_category: str
    covered: bool
    payer: str
    until: date | None
    reason: str

    @property
    def label(self) -> str:
        return str(line_label(self.kind, self.part_category))

    @property
    def payer_label(self) -> str:
        return str(Payer(self.payer).label)


@dataclass(frozen=True)
class Entitlement:
    """The device's warranty on `day`: the policy, its start and last covered day, and each line."""

    day: date
    policy: WarrantyPolicy | None
    start_basis: str
    start: date | None
    until: date | None
    reason: str
    lines: tuple[LineCover, ...]
    # R35: the service contract in force for the device on `day`, if any.
    contract: ServiceContract | None = None

    @property
    def known(self) -> bool:
        return self.until is not None

    @property
    def in_warranty(self) -> bool:
        return self.until is not None and self.start is not None and self.start <= self.day <= self.until

    @property
    def decided(self) -> bool:
        """Cover can be told: the warranty is known, or a contract covers the device (R35)."""
        return self.known or self.contract is not None

    @property
    def in_cover(self) -> bool:
        """In warranty, or under a service contract in force on the day (R35)."""
        return self.in_warranty or self.contract is not None

    @property
    def covered_until(self) -> date | None:
        """The last day of cover: the contract's when one is in force, else the warranty's."""
        if self.contract is not None and (self.until is None or self.contract.ends_on > self.until):
            return self.contract.ends_on
        return self.until

    def cover(self, kind: str, part_category: str = "") -> LineCover:
        """The cover of one line (a part without a category counts as a normal part)."""
        if kind == FeeKind.PART and not part_category:
            part_category = PartCategory.NORMAL
        return next(line for line in self.lines if line.kind == kind and line.part_category == part_category)


def months_after(start: date, months: int) -> date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _active_policies() -> list[WarrantyPolicy]:
    return list(WarrantyPolicy.objects.filter(is_active=True))


# R36: the active warranty policies, read for every work order a page or a list shows.
POLICIES = ReferenceCache("devices.warranty_policies", _active_policies, depends_on=(WarrantyPolicy,))


def policy_for(*, product_model, province: str) -> WarrantyPolicy | None:
    """The most specific active policy for the model in the province (R36): model over line over
    everything, a regional variant over the national one, then the oldest."""
    if product_model is None:
        return None
    candidates = [
        policy
        for policy in POLICIES.get()
        if policy.product_model_id in (None, product_model.pk)
        and policy.product_line_id in (None, product_model.product_line_id)
        and policy.province in ("", province)
    ]
    ranked = sorted(candidates, key=lambda policy: (policy.specificity, -policy.pk), reverse=True)
    return ranked[0] if ranked else None


# Where `contracts_in_force_prefetch` puts a device's contracts that may be in force.
CONTRACTS_ATTR = "contracts_in_force"


def contracts_in_force_prefetch(path: str = "") -> Prefetch:
    """R35: the prefetch of the contracts that may be in force (active or expired) of the device
    at `path` (e.g. "device__" from a work order), which `contract_for` reads instead of a query:
    lists decide cover for many work orders in one query."""
    return Prefetch(
        f"{path}contracts",
        queryset=ServiceContract.objects.filter(state__in=IN_FORCE_STATES).order_by("-ends_on", "-pk"),
        to_attr=CONTRACTS_ATTR,
    )


def contract_for(device, *, day: date) -> ServiceContract | None:
    """R35: the service contract in force on `day` for the device (active, or expired since, with
    `day` in its term; never a draft or a cancelled one): the one running longest, then the
    newest. One query, none when prefetched (`contracts_in_force_prefetch`) or without a device."""
    if device is None:
        return None
    prefetched = getattr(device, CONTRACTS_ATTR, None)
    if prefetched is not None:
        return next((c for c in prefetched if c.starts_on <= day <= c.ends_on), None)
    return (
        ServiceContract.objects.filter(
            devices=device, state__in=IN_FORCE_STATES, starts_on__lte=day, ends_on__gte=day
        )
        .order_by("-ends_on", "-pk")
        .first()
    )


def _contract_line(line: LineCover, contract: ServiceContract) -> LineCover:
    """R35: a line the warranty leaves to the customer, covered by the contract when it names it."""
    if line.covered or not getattr(contract, _POLICY_FLAG[(line.kind, line.part_category)]):
        return line
    reason = _("%(line)s: covered by service contract %(contract)s until %(until)s.") % {
        "line": line_label(line.kind, line.part_category),
        "contract": contract.number,
        "until": f"{contract.ends_on:%Y-%m-%d}",
    }
    return LineCover(line.kind, line.part_category, True, Payer.CONTRACT, contract.ends_on, reason)


def _with_contract(entitlement: Entitlement, contract: ServiceContract | None) -> Entitlement:
    """R35: the entitlement extended by the contract in force (if any): its lines, and the reason
    in one sentence ("…: warranty ended on …; covered by service contract … until …")."""
    if contract is None:
        return entitlement
    lines = tuple(_contract_line(line, contract) for line in entitlement.lines)
    values = {"contract": contract.number, "until": f"{contract.ends_on:%Y-%m-%d}"}
    if entitlement.in_warranty:
        tail = _("; extended by service contract %(contract)s until %(until)s.") % values
    else:
        tail = _("; covered by service contract %(contract)s until %(until)s.") % values
    reason = entitlement.reason.rstrip().rstrip(".。") + tail
    return Entitlement(
        entitlement.day,
        entitlement.policy,
        entitlement.start_basis,
        entitlement.start,
        entitlement.until,
        reason,
        lines,
        contract,
    )


def _start(device, work_order, basis: str) -> date | None:
    """The date cover runs from: the device's date of that kind; for the purchase date, the one
    intake recorded when no device is on file."""
    if basis == StartBasis.INSTALLATION:
        return device.installed_on if device is not None else None
    if basis == StartBasis.ACTIVATION:
        return device.activated_on if device is not None else None
    return (device.purchase_date if device is not None else None) or work_order.purchase_date


def entitlement_for(
    work_order,
    *,
    day: date,
    start_on: date | None = None,
    purchased_on: date | None = None,
    contracts: bool = True,
) -> Entitlement:
    """R36: the warranty of the work order's device on `day`, line by line; `start_on` is a date
    cover counts from that a supervisor set instead of the device's; `purchased_on` a purchase
    date proved by an invoice, which counts instead of the recorded one when cover runs from the
    purchase. R35: extended by the service contract in force for the device on `day` (one query;
    `contracts=False` decides the warranty alone)."""
    device = work_order.device if work_order.device_id else None
    contract = contract_for(device, day=day) if contracts else None
    return _with_contract(
        _warranty_for(work_order, device, day=day, start_on=start_on, purchased_on=purchased_on), contract
    )


def _warranty_for(
    work_order, device, *, day: date, start_on: date | None, purchased_on: date | None
) -> Entitlement:
    """R36: the maker's warranty alone (see `entitlement_for`)."""
    product_model = device.product_model if device is not None else work_order.product_model
    customer = work_order.customer if work_order.customer_id else None
    policy = policy_for(product_model=product_model, province=customer.province if customer else "")
    basis = policy.start_basis if policy is not None else StartBasis.PURCHASE
    proved = purchased_on if basis == StartBasis.PURCHASE and start_on is None else None
    start = start_on or proved or _start(device, work_order, basis)
    if product_model is None:
        return _unknown(day, policy, basis, _("The product model is not on file."))
    months: int = (policy.months if policy is not None else None) or product_model.warranty_months
    if start is None:
        reason = _("No %(basis)s on file: warranty cannot be decided.") % {
            "basis": str(StartBasis(basis).label).lower()
        }
        return _unknown(day, policy, basis, reason)
    until = date.fromordinal(months_after(start, months).toordinal() - 1)
    if start_on is not None:
        basis_label = str(_("Warranty counted from (set by a supervisor)"))
    elif proved is not None:
        basis_label = str(_("Purchase date (proof of purchase attached)"))
    else:
        basis_label = str(StartBasis(basis).label)
    values = {
        "basis": basis_label,
        "start": f"{start:%Y-%m-%d}",
        "months": months,
        "until": f"{until:%Y-%m-%d}",
        "policy": policy.name if policy is not None else _("the product model's standard warranty"),
    }
    in_warranty = start <= day <= until
    if in_warranty:
        reason = (
            _("%(basis)s %(start)s, %(months)s months (%(policy)s): in warranty until %(until)s.") % values
        )
    else:
        reason = (
            _("%(basis)s %(start)s, %(months)s months (%(policy)s): warranty ended on %(until)s.") % values
        )
    lines = tuple(_line(kind, category, policy, in_warranty, until) for kind, category in LINES)
    return Entitlement(day, policy, basis, start, until, reason, lines)


def _line(
    kind: str, category: str, policy: WarrantyPolicy | None, in_warranty: bool, until: date
) -> LineCover:
    label = line_label(kind, category)
    if not in_warranty:
        reason = _("%(line)s: out of warranty, charged to the customer.") % {"line": label}
        return LineCover(kind, category, False, Payer.CUSTOMER, until, reason)
    # Without a policy the product model's standard cover applies: a new policy's defaults.
    covered = getattr(policy or WarrantyPolicy(), _POLICY_FLAG[(kind, category)])
    if covered:
        reason = _("%(line)s: covered by the warranty until %(until)s.") % {
            "line": label,
            "until": f"{until:%Y-%m-%d}",
        }
        return LineCover(kind, category, True, Payer.MANUFACTURER, until, reason)
    reason = _("%(line)s: not covered by the warranty, charged to the customer.") % {"line": label}
    return LineCover(kind, category, False, Payer.CUSTOMER, until, reason)


def _unknown(day: date, policy: WarrantyPolicy | None, basis: str, reason: str) -> Entitlement:
    lines = tuple(LineCover(kind, category, False, Payer.CUSTOMER, None, reason) for kind, category in LINES)
    return Entitlement(day, policy, basis, None, None, reason, lines)


@dataclass(frozen=True)
class _DeviceOnly:
    """What `entitlement_for` reads of a work order, for a device with none (its own page)."""

    device: Any
    customer: Any

    @property
    def device_id(self) -> int:
        return self.device.pk

    @property
    def customer_id(self) -> int:
        return self.device.customer_id

    @property
    def product_model(self):
        return self.device.product_model

    purchase_date = None


# The device's warranty state in one word (pages, API): in cover, out of it, or not known.
WARRANTY_IN, WARRANTY_CONTRACT, WARRANTY_OUT, WARRANTY_UNKNOWN = "in", "contract", "out", "unknown"


def device_warranty(device, *, day: date) -> Entitlement:
    """R36, R35: the device's own warranty on `day` (no work order), extended by its contract in
    force; prefetch `contracts_in_force_prefetch()` and join the customer to read many devices
    without a query each."""
    return entitlement_for(_DeviceOnly(device=device, customer=device.customer), day=day)


def warranty_state(entitlement: Entitlement) -> str:
    if entitlement.in_warranty:
        return WARRANTY_IN
    if entitlement.contract is not None:
        return WARRANTY_CONTRACT
    return WARRANTY_OUT if entitlement.known else WARRANTY_UNKNOWN
