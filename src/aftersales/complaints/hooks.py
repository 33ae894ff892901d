"""What this app adds to the other pages and the demo: the complaints and difficult-case panel of
the work order (feedback tab) and the home page's queue (R26, R27), the demo complaints and cases.
Importing `services` puts the machines' own hooks in place."""

from __future__ import annotations

from aftersales.core.views import register_home_panel
from aftersales.workorders.hooks import register_demo_seeder, register_detail_panel

from . import panels, services  # noqa: F401  (services registers the machines' hooks)

register_detail_panel("complaints/_workorder_panel.html", panels.workorder_panel, order=60, tab="feedback")
register_home_panel("complaints/_home_panel.html", panels.home_panel, order=40)


@register_demo_seeder
def complaints_demo(*, rng, now) -> None:
    """Complaints in every state and a few difficult cases (R26, R27)."""
    from .demo import demo_seed

    demo_seed(rng=rng, now=now)
