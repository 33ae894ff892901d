"""Warranty check of a repair (R13, R14; R36 refines it): in or out of warranty from the device's
purchase date and its product model's warranty months, or a clear "unknown" when either is
missing. Other apps may register a finer check (policies, contracts, exclusions) that answers
first; the default below is always the last resort."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

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


def months_after(start: date, months: int) -> date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def purchase_date_check(work_order, *, day: date) -> WarrantyStatus:
    """Cover runs from the purchase date (device on file, else the intake's) for the product
    model's warranty months; the last covered day is the day before the same date months later."""
    device = work_order.device if work_order.device_id else None
    purchased = (device.purchase_date if device else None) or work_order.purchase_date
    model = device.product_model if device else work_order.product_model
    if purchased is None:
        return WarrantyStatus(WarrantyState.UNKNOWN, reason=_("No purchase date on file."))
    if model is None:
        return WarrantyStatus(WarrantyState.UNKNOWN, reason=_("The product model is not on file."))
    until = date.fromordinal(months_after(purchased, model.warranty_months).toordinal() - 1)
    values = {
        "purchased": f"{purchased:%Y-%m-%d}",
        "months": model.warranty_months,
        "until": f"{until:%Y-%m-%d}",
    }
    if day <= until:
        reason = _("Purchased %(purchased)s, %(months)s months of warranty: covered until %(until)s.")
        return WarrantyStatus(WarrantyState.IN, until=until, reason=reason % values)
    reason = _("Purchased %(purchased)s, %(months)s months of warranty: expired after %(until)s.")
    return WarrantyStatus(WarrantyState.OUT, until=until, reason=reason % values)


def warranty_check(work_order, *, day: date | None = None) -> WarrantyStatus:
    """The first registered check that knows, else the purchase-date default."""
    day = day or timezone.localdate()
    for check in warranty_checks:
        status = check(work_order, day=day)
        if status is not None:
            return status
    return purchase_date_check(work_order, day=day)
