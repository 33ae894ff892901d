"""What the service-level app adds to the work-order lifecycle, page and list (R34, R18, R3):
clocks start at intake and move on every transition; the clocks panel on the work-order page;
the next due time on the work-order list; the promised feedback time of the acknowledgement."""

from __future__ import annotations

from datetime import datetime

from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from aftersales.core.views import register_home_panel
from aftersales.workorders.hooks import (
    ListColumn,
    register_detail_panel,
    register_feedback_promise,
    register_intake_hook,
    register_intake_planner,
    register_list_column,
    register_overdue_condition,
    register_transition_hook,
)

# The clocks a new work order starts, planned before its INSERT and saved after it.
PLANNED_CLOCKS = "_sla_planned_clocks"


@register_intake_planner
def clocks_planned_on_intake(*, work_order, actor) -> None:
    """R34: plan the clocks that start on creation, and so the work order's next due time, before
    it is inserted (one INSERT with its due time instead of an UPDATE after). They count from the
    time the request was received, which intake may date back (R1). Registered after field's
    dispatch planner (INSTALLED_APPS order), so the point and its calendar are known."""
    from .services import sla_clocks_plan

    clocks = sla_clocks_plan(work_order=work_order, at=work_order.received_at)
    setattr(work_order, PLANNED_CLOCKS, clocks)


@register_intake_hook
def clocks_on_intake(*, work_order, actor) -> None:
    """R34: start the clocks planned for the work order just inserted."""
    from .services import sla_clocks_save

    sla_clocks_save(work_order.__dict__.pop(PLANNED_CLOCKS))


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


@register_overdue_condition
def clock_breached_or_at_risk(at: datetime) -> Q:
    """R34: a work order is overdue while one of its clocks is at risk or breached: running past its
    warning time (75 % of the budget used) or its due time, or paused after its due time. One
    semi-join on the clocks not stopped (few of them are at risk at any time)."""
    from .models import SlaClock

    running_late = Q(paused_at__isnull=True) & (Q(warn_at__lte=at) | Q(due_at__lt=at))
    clocks = SlaClock.objects.filter(stopped_at__isnull=True).filter(
        running_late | Q(paused_at__gt=F("due_at"))
    )
    return Q(pk__in=clocks.values("work_order_id"))


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


def due_cell(work_order, user) -> str:
    """R34: the list's SLA cell, the next due time of the running clock coloured by risk, from
    the list query's annotations (no query)."""
    from .choices import RiskLevel
    from .selectors import risk_of_running
    from .templatetags.sla_clocks import RISK_STYLE

    due_at = getattr(work_order, "sla_due_at", None)
    if due_at is None:
        return mark_safe('<span class="text-body-secondary">—</span>')
    risk = risk_of_running(due_at=due_at, warn_at=work_order.sla_warn_at, at=timezone.now())
    icon = {
        RiskLevel.BREACHED: '<i class="bi bi-exclamation-octagon" aria-hidden="true"></i>',
        RiskLevel.WARNING: '<i class="bi bi-hourglass-split" aria-hidden="true"></i>',
    }.get(risk, "")
    return format_html(
        '<span class="badge text-bg-{}" data-testid="sla-due" data-risk="{}" title="{}">{} {}</span>',
        RISK_STYLE[risk],
        risk,
        RiskLevel(risk).label,
        mark_safe(icon),  # constant markup
        timezone.localtime(due_at).strftime("%m-%d %H:%M"),  # date_format's "m-d H:i", 10x faster
    )


register_detail_panel("sla/_clocks_panel.html", clocks_panel, order=30)
register_list_column(
    ListColumn(
        key="sla_due",
        label=_("SLA due"),
        annotations=next_due_annotations,
        html=due_cell,
        sort_field="sla_due_at",
        css="text-nowrap small",
        export=lambda wo: wo.sla_due_at,
    )
)


def escalations_home_panel(request) -> dict:
    """R34: on a supervisor's home page, the clocks escalated to them and still open (empty for
    the roles breaches do not escalate to: the template shows nothing)."""
    from .selectors import escalations_open, sees_escalations

    user = request.user
    if not sees_escalations(user):
        return {}
    count, clocks = escalations_open(user)
    return {"count": count, "clocks": clocks}


register_home_panel("sla/_escalations_home_panel.html", escalations_home_panel, order=12)
