"""What returns add to the rest of the system through the work-order hooks: the panel of the work
order's requests (service tab) and the demo records (`manage.py demo_seed`). Importing `services`
puts the machine's hook in place (the customer hears of the decision and of the replacement)."""

from __future__ import annotations

from aftersales.workorders.hooks import register_demo_seeder, register_detail_panel

from . import panels, services  # noqa: F401  (services: the customer notices on the machine)

register_detail_panel("returns/_panel.html", panels.returns_panel, order=60, tab="service")


@register_demo_seeder
def returns_demo(*, rng, now) -> None:
    from .demo import seed

    seed(rng=rng, now=now)
