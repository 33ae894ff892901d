"""What the service-level app adds to the work-order lifecycle and page (R34, R18): clocks start
at intake and move on every transition; the clocks panel on the work-order page."""

from __future__ import annotations

from aftersales.workorders.hooks import register_detail_panel, register_intake_hook, register_transition_hook


@register_intake_hook
def clocks_on_intake(*, work_order, actor) -> None:
    """R34: start the clocks that start on creation (runs after dispatch has set the point)."""
    from .services import sla_clocks_on_intake

    sla_clocks_on_intake(work_order=work_order, actor=actor)


@register_transition_hook
def clocks_on_transition(*, work_order, transition, actor) -> None:
    """R34, R18: start, pause, resume and stop the work order's clocks."""
    from .services import sla_clocks_on_transition

    sla_clocks_on_transition(
        work_order=work_order, action=transition.name, target_state=transition.target, actor=actor
    )


register_detail_panel("sla/_clocks_panel.html", order=30)
