"""Warranty entitlement (R36): for a device (or what intake recorded of one), which warranty
policy applies, from which date and until when, and for every kind of line a repair is charged by
(diagnosis, visit, labour, travel, parts by category) whether it is covered and who pays, with the
reason in one sentence a customer understands. Cover is decided per line, never for the work
order as a whole: a device in warranty still pays for a wear part its policy does not cover.

The work order is read duck-typed (its device, product model, purchase date and customer), so this
app stays below the work order; the servicing app registers it as its warranty check.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from aftersales.catalog.choices import FeeKind, PartCategory
from aftersales.core.reference import ReferenceCache

from .choices import Payer, StartBasis
from .models import WarrantyPolicy

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

    @property
    def known(self) -> bool:
        return self.until is not None

    @property
    def in_warranty(self) -> bool:
        return self.until is not None and self.start is not None and self.start <= self.day <= self.until

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


def _start(device, work_order, basis: str) -> date | None:
    """The date cover runs from: the device's date of that kind; for the purchase date, the one
    intake recorded when no device is on file."""
    if basis == StartBasis.INSTALLATION:
        return device.installed_on if device is not None else None
    if basis == StartBasis.ACTIVATION:
        return device.activated_on if device is not None else None
    return (device.purchase_date if device is not None else None) or work_order.purchase_date


def entitlement_for(
    work_order, *, day: date, start_on: date | None = None, purchased_on: date | None = None
) -> Entitlement:
    """R36: the warranty of the work order's device on `day`, line by line; `start_on` is a date
    cover counts from that a supervisor set instead of the device's; `purchased_on` a purchase
    date proved by an invoice, which counts instead of the recorded one when cover runs from the
    purchase."""
    device = work_order.device if work_order.device_id else None
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
