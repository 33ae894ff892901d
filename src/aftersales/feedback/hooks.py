"""What the return-visit app adds to the work-order lifecycle and page (R22, R23): a completed
work order gets its return visit; reopening or cancelling it cancels the visits not made yet; the
return-visit panel on the work-order page; the demo's answered visits."""

from __future__ import annotations

from aftersales.workorders.hooks import register_demo_seeder, register_detail_panel, register_transition_hook

# Transitions after which a pending visit has nothing left to ask about.
CANCELLING_TRANSITIONS = frozenset({"reopen", "cancel"})


@register_transition_hook
def return_visit_on_transition(*, work_order, transition, actor) -> None:
    """R22: schedule the visit on completion; R23: drop pending ones when the work reopens."""
    from .services import return_visit_schedule, return_visits_cancel_pending

    if transition.name == "complete":
        return_visit_schedule(work_order=work_order, actor=actor)
    elif transition.name in CANCELLING_TRANSITIONS:
        return_visits_cancel_pending(work_order=work_order, reason=transition.label)


def return_visits_panel(request, work_order) -> dict | None:
    """The return-visit panel on the work-order page (R22, R23; see `views.return_visits_panel`)."""
    from .views import return_visits_panel

    return return_visits_panel(request, work_order)


@register_demo_seeder
def return_visits_demo(*, rng, now) -> None:
    """Answer most of the demo's due return visits (mostly satisfied, some praise, a few not)."""
    from .demo import return_visits_answer

    return_visits_answer(rng=rng, now=now)


register_detail_panel("feedback/_return_visits_panel.html", return_visits_panel, order=40, tab="feedback")
