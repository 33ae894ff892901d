"""Warranty check of a repair (R13, R14, R36): in or out of warranty by the device's entitlement
(the warranty policy that applies and the date it counts from, else the product model's months
from the purchase date), or a clear "unknown" when a date or the model is missing. Other apps may
register a finer check (contracts, exclusions) that answers first; the entitlement is always the
last resort."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from aftersales.devices.entitlement import entitlement_for

from .choices import WarrantyState


@dataclass(frozen=True)
class WarrantyStatus:
    state: str
    until: date | None = None
    reason: str = ""

    @property
    def label(self) -> str:
        return str(WarrantyState(self.state).label)

    @property
    def is_in(self) -> bool:
        return self.state == WarrantyState.IN


WarrantyCheck = Callable[..., WarrantyStatus | None]
warranty_checks: list[WarrantyCheck] = []


def register_warranty_check(check: WarrantyCheck) -> WarrantyCheck:
    """Decorator: `check(work_order, *, day)` returns a WarrantyStatus, or None to let the next
    check (finally the purchase-date default) decide."""
    warranty_checks.insert(0, check)
    return check


def entitlement_check(work_order, *, day: date) -> WarrantyStatus:
    """R36: the device's entitlement (the warranty policy that applies, else the product model's
    months, from the date the policy counts from) as one state for the work order; the cover of
    each line is `devices.entitlement.entitlement_for`'s."""
    entitlement = entitlement_for(work_order, day=day)
    if not entitlement.known:
        return WarrantyStatus(WarrantyState.UNKNOWN, reason=entitlement.reason)
    state = WarrantyState.IN if entitlement.in_warranty else WarrantyState.OUT
    return WarrantyStatus(state, until=entitlement.until, reason=entitlement.reason)


def warranty_check(work_order, *, day: date | None = None) -> WarrantyStatus:
    """The first registered check that knows, else the purchase-date default."""
    day = day or timezone.localdate()
    for check in warranty_checks:
        status = check(work_order, day=day)
        if status is not None:
            return status
    return entitlement_check(work_order, day=day)
