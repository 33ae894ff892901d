"""What the field app adds to the work-order lifecycle and page: automatic dispatch of new work
orders to a service point (R5) and the dispatch suggestion panel on the work-order page.
(R38 is enforced by `services.dispatch_assign`; a guard on every "assign" transition waits for
the demo seed to assign qualified engineers only.)"""

from __future__ import annotations

from aftersales.workorders.hooks import register_detail_panel, register_intake_hook


@register_intake_hook
def dispatch_on_intake(*, work_order, actor) -> None:
    """R5: a new work order without a service point is dispatched to the best covering one."""
    from .services import workorder_autodispatch

    workorder_autodispatch(work_order=work_order, actor=actor)


register_detail_panel("field/_dispatch_panel.html", order=20)
register_detail_panel("field/_appointments_panel.html", order=25)
