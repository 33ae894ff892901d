"""What servicing adds to the work-order lifecycle and page: work does not start before the
customer confirmed the service plan (R8), a depot hand-back the customer confirmed counts as their
latest confirmation for completion (R17), the plan, remote-service and repair panels (service
tab); the maintenance work orders on the service contract's page (R35); and the demo records.
Importing `services` puts the servicing machines' own hooks in place."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from aftersales.catalog.choices import FeeKind
from aftersales.catalog.models import Part
from aftersales.core.errors import TransitionNotAllowed
from aftersales.devices.hooks import register_contract_panel
from aftersales.workorders.hooks import (
    CustomerConfirmation,
    register_customer_confirmation,
    register_demo_seeder,
    register_detail_panel,
    register_part_cover,
    register_parts_needed,
    register_transition_guard,
)

from . import panels, services  # noqa: F401  (services registers the machines' hooks)
from .selectors import depot_hand_back_latest, plan_blocks_start, plan_current
from .warranty import work_order_entitlement

# What may be a part number in free text such as "定影组件 FU-3600×1，搓纸轮 PR-110".
PART_NUMBER_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*[A-Za-z0-9]")


@register_transition_guard
def plan_confirmed_before_start(*, work_order, transition, actor) -> None:
    """R8: a work order with a service plan starts only once its current version is confirmed."""
    if transition.name != "start":
        return
    plan = plan_blocks_start(work_order)
    if plan is not None:
        raise TransitionNotAllowed(
            _(
                "Work cannot start before the customer has confirmed the service plan "
                "(%(plan)s is “%(state)s”)."
            )
            % {"plan": plan, "state": plan.get_state_display()},
            code="plan_not_confirmed",
        )


@register_customer_confirmation
def depot_hand_back_confirmation(work_order) -> CustomerConfirmation | None:
    """R13, R17: the repaired device taken back with the customer's confirmation is their latest
    word on the work done: it supersedes an earlier unsatisfied sign-off on site."""
    repair = depot_hand_back_latest(work_order)
    if repair is None:
        return None
    return CustomerConfirmation(at=repair.handed_back_at, satisfied=True, record=repair.number)


@register_part_cover
def part_covered(work_order, *, part_category: str, day) -> tuple[bool, str] | None:
    """R36: a part line's cover from the work order's entitlement, with its exclusions and
    overrides (a wear part on a device in warranty is the customer's)."""
    entitlement = work_order_entitlement(work_order, day=day)
    if not entitlement.decided:
        return (False, entitlement.reason)
    line = next(
        (
            line
            for line in entitlement.lines
            if line.kind == FeeKind.PART and line.part_category == part_category
        ),
        None,
    )
    return None if line is None else (line.covered, line.reason)


@register_parts_needed
def plan_parts(work_order) -> list[str]:
    """R8, R32: the catalog parts the current service plan names in its "parts needed"."""
    plan = plan_current(work_order)
    if plan is None or not plan.parts.strip():
        return []
    words = {word.upper() for word in PART_NUMBER_TOKEN.findall(plan.parts)}
    return list(
        Part.objects.filter(number__in=words, is_active=True)
        .order_by("number")
        .values_list("number", flat=True)
    )


@register_demo_seeder
def servicing_demo(*, rng, now) -> None:
    from .demo import seed

    seed(rng=rng, now=now)


@register_demo_seeder
def contracts_demo(*, rng, now) -> None:
    """R35: service contracts on demo devices and the maintenance work orders of their plans."""
    from .demo_contracts import seed

    seed(rng=rng, now=now)


register_detail_panel("servicing/_warranty_panel.html", panels.warranty_panel, order=10, tab="money")
register_detail_panel("servicing/_plan_panel.html", panels.plan_panel, order=35, tab="service")
register_detail_panel("servicing/_remote_panel.html", panels.remote_panel, order=40, tab="service")
register_detail_panel("servicing/_repair_panel.html", panels.repair_panel, order=45, tab="service")
register_contract_panel("servicing/_contract_maintenance.html", panels.contract_maintenance_panel, order=20)
