"""What this app adds to the work-order page and the demo: the complaints and difficult-case
panel (R26, R27) and the demo complaints and cases."""

from __future__ import annotations

from aftersales.workorders.hooks import register_demo_seeder, register_detail_panel

register_detail_panel("complaints/_workorder_panel.html", order=60, tab="feedback")


@register_demo_seeder
def complaints_demo(*, rng, now) -> None:
    """Complaints in every state and a few difficult cases (R26, R27)."""
    from .demo import demo_seed

    demo_seed(rng=rng, now=now)
