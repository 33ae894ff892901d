"""The work-order lifecycle: one explicit state machine (ARCHITECTURE.md), run by
`core.transitions.transition_run`.

```
new ──accept──▶ accepted ──assign──▶ assigned ──start──▶ in_service ──complete──▶ completed ──close──▶ closed
 │   └──resolve (consultation, R4)──────────────────────────────────────────────────────────────────▶ closed
 │                 │                    │                 │  ▲  │                    │
 └──cancel─────────┴────────────────────┴─────────────────┘  │  └─▶ waiting           │
                                                              └──────reopen───────────┘ (R17, R23)
```

Each transition declares its sources, target, roles, inputs and effects; engineers run them only on
work orders assigned to them. Other apps react through `hooks` (guards before, hooks after).
"""

from __future__ import annotations

from dataclasses import replace

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.accounts.choices import DISPATCH_ROLES, Role
from aftersales.accounts.models import Engineer
from aftersales.accounts.selectors import engineer_qualified_on
from aftersales.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from aftersales.core.transitions import Machine, Transition, TransitionRun, clear, stamp

from . import hooks
from .choices import OPEN_STATES, State, WaitingReason, WorkOrderType
from .events import TRANSITION, event_record
from .models import AUDITED_FIELDS, WorkOrder
from .notices import acknowledgement_queue
from .search import workorder_search_refresh

FRONT_OFFICE = frozenset({Role.AGENT, Role.SUPERVISOR, Role.HQ_ADMIN})
FIELD = frozenset({Role.ENGINEER, Role.SUPERVISOR, Role.DEALER_STAFF})


# --- effects ---------------------------------------------------------------------------------------


def assign_engineer(run: TransitionRun) -> None:
    """R38: only an active engineer qualified for the product line today; dealer staff only their
    own dealer's engineers. The work order follows the engineer to their service point."""
    engineer: Engineer = run.inputs["engineer"]
    actor, work_order = run.actor, run.obj
    if not engineer.is_active:
        raise DomainError(_("This engineer is not active."), code="inactive", field="engineer")
    if (
        actor is not None
        and actor.role == Role.DEALER_STAFF
        and engineer.service_point.dealer_id != actor.dealer_id
    ):
        raise NotPermitted(_("You can only assign engineers of your own dealer."), field="engineer")
    line, day = work_order.product_line, timezone.localdate()
    if line is not None and not engineer_qualified_on(engineer, line, day):
        raise DomainError(
            _("%(engineer)s is not qualified for %(line)s (no valid qualification on %(date)s).")
            % {"engineer": engineer, "line": line, "date": f"{day:%Y-%m-%d}"},
            code="not_qualified",
            field="engineer",
        )
    run.set(engineer=engineer, service_point=engineer.service_point)


def keep_resolution(run: TransitionRun) -> None:
    """R18: how the request was resolved, given now or already on file."""
    resolution = run.text("resolution") or run.obj.resolution.strip()
    if not resolution:
        raise DomainError(_("Describe how the request was resolved."), code="required", field="resolution")
    run.set(resolution=resolution)


def keep_waiting_reason(run: TransitionRun) -> None:
    if run.inputs.get("waiting_reason") not in WaitingReason.values:
        raise DomainError(
            _("Choose what the work order is waiting for."), code="required", field="waiting_reason"
        )
    run.set(waiting_reason=run.inputs["waiting_reason"])


def stamp_closed(run: TransitionRun) -> None:
    run.set(closed_at=run.now, completed_at=run.obj.completed_at or run.now)


def consultations_only(work_order: WorkOrder) -> TransitionNotAllowed | None:
    """R4: only a consultation is resolved at first contact."""
    if work_order.type != WorkOrderType.CONSULTATION:
        return TransitionNotAllowed(
            _("“%(action)s” is only possible for consultations.") % {"action": TRANSITIONS["resolve"].label},
            field="type",
        )
    return None


# --- the machine -----------------------------------------------------------------------------------

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "accept",
            gettext_lazy("Accept"),
            frozenset({State.NEW}),
            State.ACCEPTED,
            FRONT_OFFICE | {Role.DISPATCHER, Role.CLERK, Role.DEALER_STAFF},
            accepts=frozenset({"note"}),
            effects=(stamp("accepted_at"),),
        ),
        Transition(
            "resolve",
            gettext_lazy("Resolve at first contact"),
            frozenset({State.NEW, State.ACCEPTED}),
            State.CLOSED,
            FRONT_OFFICE,
            accepts=frozenset({"note", "resolution"}),
            effects=(keep_resolution, stamp_closed),
            applies=consultations_only,
            style="success",
        ),
        Transition(
            "assign",
            gettext_lazy("Assign"),
            frozenset({State.ACCEPTED, State.ASSIGNED}),
            State.ASSIGNED,
            DISPATCH_ROLES,
            needs=frozenset({"engineer"}),
            accepts=frozenset({"note"}),
            effects=(assign_engineer,),
        ),
        Transition(
            "start",
            gettext_lazy("Start service"),
            frozenset({State.ASSIGNED}),
            State.IN_SERVICE,
            FIELD,
            accepts=frozenset({"note"}),
        ),
        Transition(
            "wait",
            gettext_lazy("Put on hold"),
            frozenset({State.IN_SERVICE}),
            State.WAITING,
            FIELD | {Role.AGENT, Role.DISPATCHER},
            accepts=frozenset({"note", "waiting_reason"}),
            effects=(keep_waiting_reason,),
            style="warning",
        ),
        Transition(
            "resume",
            gettext_lazy("Resume"),
            frozenset({State.WAITING}),
            State.IN_SERVICE,
            FIELD | {Role.AGENT, Role.DISPATCHER},
            accepts=frozenset({"note"}),
        ),
        Transition(
            "complete",
            gettext_lazy("Complete"),
            frozenset({State.IN_SERVICE}),
            State.COMPLETED,
            FIELD,
            accepts=frozenset({"note", "resolution"}),
            effects=(keep_resolution, stamp("completed_at")),
            style="success",
        ),
        Transition(
            "close",
            gettext_lazy("Close"),
            frozenset({State.COMPLETED}),
            State.CLOSED,
            FRONT_OFFICE | {Role.CLERK, Role.DEALER_STAFF},
            accepts=frozenset({"note"}),
            effects=(stamp_closed,),
            style="success",
        ),
        Transition(
            "reopen",
            gettext_lazy("Reopen"),
            frozenset({State.COMPLETED, State.CLOSED}),
            State.IN_SERVICE,
            # quality staff make the return visits that reopen unsatisfied work (R23)
            FRONT_OFFICE | {Role.CLERK, Role.QUALITY},
            needs=frozenset({"note"}),
            effects=(clear("completed_at", "closed_at"),),
            style="warning",
        ),
        Transition(
            "cancel",
            gettext_lazy("Cancel"),
            frozenset(OPEN_STATES),
            State.CANCELLED,
            FRONT_OFFICE | {Role.DISPATCHER},
            needs=frozenset({"note"}),
            style="danger",
        ),
    )
}


def _leave_waiting(run: TransitionRun) -> None:
    """Only "wait" sets a waiting reason; every other transition leaves the waiting state's."""
    if run.transition.target != State.WAITING:
        run.set(waiting_reason="")


def _record(run: TransitionRun) -> None:
    work_order = run.obj
    params = {"machine": WORKORDER.name, "transition": run.transition.name}
    if run.transition.name == "assign":
        params["engineer"] = str(work_order.engineer)
    event_record(
        work_order,
        kind=TRANSITION,
        actor=run.actor,
        action=run.transition.name,
        from_state=run.from_state,
        to_state=work_order.state,
        params=params,
        note=run.text("note"),
    )


def _acknowledge(run: TransitionRun) -> None:
    if run.transition.name == "accept":
        acknowledgement_queue(work_order=run.obj)


def _search_words(run: TransitionRun) -> None:
    """A transition that writes the resolution changes what the work order is found by."""
    if "resolution" in run.transition.inputs:
        workorder_search_refresh([run.obj.pk])


def _guards_of_other_apps(run: TransitionRun) -> None:
    for guard in hooks.transition_guards:
        guard(work_order=run.obj, transition=run.transition, actor=run.actor)


def _hooks_of_other_apps(run: TransitionRun) -> None:
    for hook in hooks.transition_hooks:
        hook(work_order=run.obj, transition=run.transition, actor=run.actor)


WORKORDER = Machine(
    name="workorder",
    model=WorkOrder,
    transitions=TRANSITIONS,
    record=_record,
    owner=lambda work_order: work_order.engineer.user_id if work_order.engineer_id else None,
    owner_bound_roles=frozenset({Role.ENGINEER}),
    lock_related=("engineer__user", "customer"),
    audited=tuple(AUDITED_FIELDS),
    versioned=True,
    effects=(_leave_waiting,),
    guards=[_guards_of_other_apps],
    hooks=[_acknowledge, _search_words, _hooks_of_other_apps],
)


def transitions_available(work_order: WorkOrder, user) -> list[Transition]:
    """The transitions this user may run on this work order now (the buttons on its page)."""
    return WORKORDER.available(work_order, user)


def shown_transition(transition: Transition, work_order: WorkOrder) -> Transition:
    """The transition as the work order's page shows its button: "assign" reads "Reassign" (改派)
    once the work order is assigned (it then replaces the engineer)."""
    if transition.name == "assign" and work_order.state == State.ASSIGNED:
        return replace(transition, label=gettext_lazy("Reassign"))
    return transition
