"""What the parts app adds to the rest of the system through the work-order hooks: its demo
records (`manage.py demo_seed`)."""

from __future__ import annotations

from aftersales.workorders.hooks import register_demo_seeder, register_detail_panel

from .panels_old_parts import old_parts_panel
from .services import claims  # noqa: F401  (an inspection proposes its claim line rejected, R31)


@register_demo_seeder
def parts_demo(*, rng, now) -> None:
    from .demo import seed

    seed(rng=rng, now=now)


# R29: the old parts recovered on the work order (service tab, after the visits).
register_detail_panel("parts/old_parts/_work_order_panel.html", old_parts_panel, order=30, tab="service")
