"""Warranty check of a repair (R13, R14, R36): in or out of warranty by the device's entitlement
(the warranty policy that applies and the date it counts from, else the product model's months
from the purchase date), or a clear "unknown" when a date or the model is missing. Other apps may
register a finer check (contracts, exclusions) that answers first; the entitlement is always the
last resort."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.devices.choices import Payer
from aftersales.devices.entitlement import Entitlement, entitlement_for

from .choices import ExclusionReason, WarrantyState


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


def work_order_entitlement(work_order, *, day: date) -> Entitlement:
    """R36: the device's entitlement with what was recorded on this work order: the latest date a
    supervisor set cover to count from, else the purchase date of the latest proof of purchase
    (when cover runs from the purchase); exclusions, which charge a covered line (or every line) to
    the customer; and the latest payer a supervisor set for a line, which has the last word. Reads
    the work order's exclusions and overrides (prefetch them for lists). R35: the service contract
    in force on the day extends the cover (`entitlement_for`); an exclusion charges a line the
    contract covers too, and an override still has the last word. The one answer of the money
    tab, the API and depot and external repair."""
    exclusions = list(work_order.warranty_exclusions.all())
    overrides = list(work_order.warranty_overrides.all())
    proofs = list(work_order.purchase_proofs.all())
    start_on = next((o.start_on for o in reversed(overrides) if o.start_on is not None), None)
    purchased_on = proofs[-1].purchased_on if proofs else None
    entitlement = entitlement_for(work_order, day=day, start_on=start_on, purchased_on=purchased_on)
    if not entitlement.decided:
        return entitlement
    lines = []
    for line in entitlement.lines:
        exclusion = next((e for e in exclusions if line.covered and _names(e, line)), None)
        if exclusion is not None:
            line = replace(line, covered=False, payer=Payer.CUSTOMER, reason=_excluded(line, exclusion))
        override = next((o for o in reversed(overrides) if o.payer and _names(o, line)), None)
        if override is not None:
            line = replace(line, covered=override.payer != Payer.CUSTOMER, payer=override.payer)
            line = replace(line, reason=_overridden(line, override))
        lines.append(line)
    everything = next((e for e in exclusions if not e.kind), None)
    reason = entitlement.reason
    if everything is not None and entitlement.in_cover:
        reason = f"{reason} {_excluded_all(everything)}"
    return replace(entitlement, lines=tuple(lines), reason=reason)


def _names(record, line) -> bool:
    """An exclusion or override that names no line names them all; one that names parts without
    a category names every part."""
    if not record.kind:
        return True
    return record.kind == line.kind and record.part_category in ("", line.part_category)


def _excluded(line, exclusion) -> str:
    note = f" {exclusion.note}" if exclusion.note else ""
    return _("%(line)s: excluded from the warranty (%(reason)s%(note)s), charged to the customer.") % {
        "line": line.label,
        "reason": ExclusionReason(exclusion.reason).label,
        "note": note,
    }


def _excluded_all(exclusion) -> str:
    return _("Excluded from the warranty: %(reason)s.") % {"reason": ExclusionReason(exclusion.reason).label}


def _overridden(line, override) -> str:
    return _("%(line)s: paid by %(payer)s, decided by %(by)s: %(reason)s") % {
        "line": line.label,
        "payer": Payer(override.payer).label,
        "by": override.recorded_by.display_name,
        "reason": override.reason,
    }


def entitlement_check(work_order, *, day: date) -> WarrantyStatus:
    """R36: the work order's entitlement (`work_order_entitlement`) as one state: in warranty
    while its term runs (R35: or a service contract covers the device) and some line is covered,
    out when the term ended or every line was excluded, unknown without a date or a model (and
    no contract)."""
    entitlement = work_order_entitlement(work_order, day=day)
    if not entitlement.decided:
        return WarrantyStatus(WarrantyState.UNKNOWN, reason=entitlement.reason)
    covered = entitlement.in_cover and any(line.covered for line in entitlement.lines)
    state = WarrantyState.IN if covered else WarrantyState.OUT
    return WarrantyStatus(state, until=entitlement.covered_until, reason=entitlement.reason)


def warranty_check(work_order, *, day: date | None = None) -> WarrantyStatus:
    """The first registered check that knows, else the purchase-date default."""
    day = day or timezone.localdate()
    for check in warranty_checks:
        status = check(work_order, day=day)
        if status is not None:
            return status
    return entitlement_check(work_order, day=day)
