"""What the field app adds to the work-order lifecycle and page: automatic dispatch of new work
orders to a service point (R5); the dispatch, appointments and visits panels of the work-order page
(`panels`); the booked appointments and visits following the work order to a newly assigned
engineer (R12); and the completion guard (R15, R17). The engineer's qualification (R38) is checked
by the "assign" transition itself."""

from __future__ import annotations

from aftersales.workorders.hooks import (
    PlannedEvent,
    register_customer_confirmation,
    register_demo_seeder,
    register_detail_panel,
    register_intake_planner,
    register_search_texts,
    register_transition_guard,
    register_transition_hook,
    register_visit_records,
)

from . import panels, policies, selectors


@register_intake_planner
def dispatch_on_intake(*, work_order, actor) -> PlannedEvent | None:
    """R5: a new work order without a service point is dispatched to the best covering one."""
    from .services import workorder_autodispatch

    return workorder_autodispatch(work_order=work_order, actor=actor)


register_detail_panel("field/_dispatch_panel.html", panels.dispatch_panel, order=20)
register_detail_panel("field/_appointments_panel.html", panels.appointments_panel, order=25)
register_detail_panel("field/_visits_panel.html", panels.visits_panel, order=27)


@register_transition_hook
def appointments_follow_reassignment(*, work_order, transition, actor) -> None:
    """R12, R5: assigned to another engineer, the work order's visits still to come move to them
    when they are free then, else are cancelled; the customer is told either way."""
    from .services import appointments_follow_engineer

    if transition.name == "assign":
        appointments_follow_engineer(work_order=work_order, actor=actor)


@register_transition_hook
def visits_follow_reassignment(*, work_order, transition, actor) -> None:
    """R12: visits not started yet follow the work order to its new engineer (after the
    appointments above, so a visit whose appointment was cancelled is cancelled too)."""
    from .services import visits_follow_engineer

    if transition.name == "assign":
        visits_follow_engineer(work_order=work_order, actor=actor)


register_customer_confirmation(policies.latest_signoff_confirmation)
register_visit_records(selectors.visits_made)  # R27: repeated visits on a device


@register_transition_guard
def completion_needs_satisfied_customer(*, work_order, transition, actor) -> None:
    """R15, R17: completing a work order with visits needs them checked out and the customer's
    latest confirmation (a sign-off, or a later depot hand-back) satisfied (TransitionNotAllowed
    otherwise)."""
    from aftersales.workorders.choices import State

    from .services import workorder_completion_check

    if transition.target == State.COMPLETED:
        workorder_completion_check(work_order)


@register_demo_seeder
def visits_demo(*, rng, now) -> None:
    """Done, signed visits with supervision cards, a refused sign-off, and today's visits of the
    demo engineer."""
    from .demo import seed

    seed(rng=rng, now=now)


@register_search_texts
def visit_findings(work_order_ids: list[int]) -> dict[int, list[str]]:
    """What the engineers found and did on the work orders' visits is searched with them."""
    return selectors.visit_findings_by_work_order(work_order_ids)
