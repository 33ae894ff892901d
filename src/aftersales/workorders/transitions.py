"""The work-order lifecycle: one explicit state machine (ARCHITECTURE.md).

Each transition declares its source states, target, the roles that may run it and the inputs
it needs. `services.workorder_transition` is the only place that applies them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.choices import DISPATCH_ROLES, Role

from .choices import OPEN_STATES, State, WorkOrderType


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    needs_note: bool = False
    needs_engineer: bool = False
    needs_waiting_reason: bool = False
    needs_resolution: bool = False
    only_types: frozenset[str] = field(default_factory=frozenset)
    # Engineers may run it only on work orders assigned to them.
    own_work_only_for_engineers: bool = True
    style: str = "primary"

    def allows_state(self, state: str) -> bool:
        return state in self.sources

    def allows_type(self, work_order_type: str) -> bool:
        return not self.only_types or work_order_type in self.only_types

    def permits(self, user, work_order) -> bool:
        if not user.has_role(*self.roles):
            return False
        if user.role == Role.ENGINEER and not user.is_superuser and self.own_work_only_for_engineers:
            return work_order.engineer_id is not None and work_order.engineer.user_id == user.pk
        return True


FRONT_OFFICE = frozenset({Role.AGENT, Role.SUPERVISOR, Role.HQ_ADMIN})
FIELD = frozenset({Role.ENGINEER, Role.SUPERVISOR, Role.DEALER_STAFF})

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "accept",
            _("Accept"),
            frozenset({State.NEW}),
            State.ACCEPTED,
            FRONT_OFFICE | {Role.DISPATCHER, Role.CLERK, Role.DEALER_STAFF},
        ),
        Transition(
            "resolve",
            _("Resolve at first contact"),
            frozenset({State.NEW, State.ACCEPTED}),
            State.CLOSED,
            FRONT_OFFICE,
            needs_resolution=True,
            only_types=frozenset({WorkOrderType.CONSULTATION}),
            style="success",
        ),
        Transition(
            "assign",
            _("Assign"),
            frozenset({State.ACCEPTED, State.ASSIGNED}),
            State.ASSIGNED,
            DISPATCH_ROLES,
            needs_engineer=True,
        ),
        Transition("start", _("Start service"), frozenset({State.ASSIGNED}), State.IN_SERVICE, FIELD),
        Transition(
            "wait",
            _("Put on hold"),
            frozenset({State.IN_SERVICE}),
            State.WAITING,
            FIELD | {Role.AGENT, Role.DISPATCHER},
            needs_waiting_reason=True,
            style="warning",
        ),
        Transition(
            "resume",
            _("Resume"),
            frozenset({State.WAITING}),
            State.IN_SERVICE,
            FIELD | {Role.AGENT, Role.DISPATCHER},
        ),
        Transition(
            "complete",
            _("Complete"),
            frozenset({State.IN_SERVICE}),
            State.COMPLETED,
            FIELD,
            needs_resolution=True,
            style="success",
        ),
        Transition(
            "close",
            _("Close"),
            frozenset({State.COMPLETED}),
            State.CLOSED,
            FRONT_OFFICE | {Role.CLERK, Role.DEALER_STAFF},
            style="success",
        ),
        Transition(
            "reopen",
            _("Reopen"),
            frozenset({State.COMPLETED, State.CLOSED}),
            State.IN_SERVICE,
            # quality staff make the return visits that reopen unsatisfied work (R23)
            FRONT_OFFICE | {Role.CLERK, Role.QUALITY},
            needs_note=True,
            style="warning",
        ),
        Transition(
            "cancel",
            _("Cancel"),
            frozenset(OPEN_STATES),
            State.CANCELLED,
            FRONT_OFFICE | {Role.DISPATCHER},
            needs_note=True,
            style="danger",
        ),
    )
}


def transitions_available(work_order, user) -> list[Transition]:
    """The transitions this user may run on this work order now (the buttons on its page)."""
    return [
        t
        for t in TRANSITIONS.values()
        if t.allows_state(work_order.state) and t.allows_type(work_order.type) and t.permits(user, work_order)
    ]
