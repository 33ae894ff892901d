"""What the service-level app adds to the work-order lifecycle, page and list (R34, R18, R3):
clocks start at intake and move on every transition; the clocks panel on the work-order page;
the next due time on the work-order list; the promised feedback time of the acknowledgement."""

from __future__ import annotations

from datetime import datetime

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.workorders.hooks import (
    ListColumn,
    register_detail_panel,
    register_feedback_promise,
    register_intake_hook,
    register_list_column,
    register_transition_hook,
)


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


@register_feedback_promise
def first_response_due(work_order) -> datetime | None:
    """R3: the acknowledgement promises the first-response clock's due time (None when the work
    order has no such clock, or its due time has already passed)."""
    from .choices import MilestoneKind
    from .models import SlaClock

    due_at = (
        SlaClock.objects.filter(work_order_id=work_order.pk, kind=MilestoneKind.FIRST_RESPONSE)
        .values_list("due_at", flat=True)
        .first()
    )
    return due_at if due_at is not None and due_at > timezone.now() else None


def next_due_annotations() -> dict:
    """R34: the warning time of the work order's running clock due next, a correlated subquery
    on the clocks' (work order, kind) index evaluated for the rows of the page only; the due time
    itself is the work order's `sla_due_at`, which the list sorts on."""
    from .selectors import running_clocks_of

    return {"sla_warn_at": Subquery(running_clocks_of(OuterRef("pk")).values("warn_at")[:1])}


def clocks_panel(request, work_order) -> dict | None:
    """R34, R18: the clocks panel on the work-order page (the page already scoped the work order
    to what the user may see): the clocks with time used and left, coloured by risk."""
    from .selectors import clocks_for
    from .templatetags.sla_clocks import RISK_STYLE

    views = clocks_for(work_order)
    if not views:
        return None
    return {"rows": [(view, RISK_STYLE[view.risk]) for view in views]}


register_detail_panel("sla/_clocks_panel.html", clocks_panel, order=30)
register_list_column(
    ListColumn(
        key="sla_due",
        label=_("SLA due"),
        annotations=next_due_annotations,
        template="sla/_list_due_cell.html",
        sort_field="sla_due_at",
        css="text-nowrap small",
        export=lambda wo: wo.sla_due_at,
    )
)
