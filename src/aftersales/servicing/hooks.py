"""What servicing adds to the work-order lifecycle and page: work does not start before the
customer confirmed the service plan (R8), the plan, remote-service and repair panels (service
tab); the maintenance work orders on the service contract's page (R35); and the demo records.
Importing `services` puts the servicing machines' own hooks in place."""

from __future__ import annotations

from django.utils.translation import gettext as _

from aftersales.core.errors import TransitionNotAllowed
from aftersales.devices.hooks import register_contract_panel
from aftersales.workorders.hooks import register_demo_seeder, register_detail_panel, register_transition_guard

from . import panels, services  # noqa: F401  (services registers the machines' hooks)
from .selectors import plan_blocks_start


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
