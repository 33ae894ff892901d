"""The lifecycles of the servicing records, one explicit state machine each (ARCHITECTURE.md):

    remote session   open ──solve──▶ solved | open ──escalate──▶ escalated            (R6)
    service plan     draft ──send──▶ sent ──confirm──▶ confirmed | sent ──reject──▶ rejected;
                     sent, rejected, confirmed ──revise──▶ revised (a new draft version);
                     draft ──approve──▶ draft (revisions beyond the free ones)          (R8)
    depot repair     received ──inspect──▶ inspected ──start_repair──▶ repairing ──recheck──▶
                     rechecked ──hand_back──▶ handed_back; inspected, repairing ──send_out──▶
                     external ──vendor_return──▶ repairing                              (R13)
    external repair  sent ──receive──▶ returned ──recheck──▶ rechecked ──complete──▶ done;
                     sent, returned ──unrepairable──▶ unrepairable ──resend──▶ resent;
                     unrepairable ──complete──▶ done (back unrepaired)                  (R14)

Each transition declares its sources, target and roles; `services` is the only place that
applies them (row locked, timeline event on the work order).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.choices import Role
from aftersales.workorders.transitions import WORKORDER

from .choices import DepotState, ExternalState, PlanState, RemoteState


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    style: str = "primary"

    def allows_state(self, state: str) -> bool:
        return state in self.sources

    def permits(self, user, work_order) -> bool:
        """The role may run it; engineers only on work orders assigned to them (as the work-order
        lifecycle itself)."""
        if not user.has_role(*self.roles):
            return False
        if user.role == Role.ENGINEER and not user.is_superuser:
            return work_order.engineer_id is not None and work_order.engineer.user_id == user.pk
        return True


Machine = dict[str, Transition]

# Technical work: engineers, their dealer's staff and the supervisors.
TECHNICAL = frozenset({Role.ENGINEER, Role.SUPERVISOR, Role.HQ_ADMIN, Role.DEALER_STAFF})
# Talking to the customer about plans and hand-over: the technical roles and the service office.
CUSTOMER_FACING = TECHNICAL | {Role.AGENT, Role.CLERK}
APPROVERS = frozenset({Role.SUPERVISOR, Role.HQ_ADMIN})
# A device at a vendor puts the work order on hold and its return resumes it, so sending and
# receiving are for the roles that may run both work-order transitions.
VENDOR_HANDLING = WORKORDER["wait"].roles & WORKORDER["resume"].roles
FOLLOW_UP = VENDOR_HANDLING | {Role.CLERK}


def _machine(*transitions: Transition) -> Machine:
    return {t.name: t for t in transitions}


REMOTE: Machine = _machine(
    Transition("solve", _("Solved"), frozenset({RemoteState.OPEN}), RemoteState.SOLVED, TECHNICAL, "success"),
    Transition(
        "escalate",
        _("Escalate to on-site"),
        frozenset({RemoteState.OPEN}),
        RemoteState.ESCALATED,
        TECHNICAL,
        "warning",
    ),
)

PLAN: Machine = _machine(
    Transition(
        "send", _("Send to the customer"), frozenset({PlanState.DRAFT}), PlanState.SENT, CUSTOMER_FACING
    ),
    Transition(
        "confirm",
        _("Customer confirmed"),
        frozenset({PlanState.SENT}),
        PlanState.CONFIRMED,
        CUSTOMER_FACING,
        "success",
    ),
    Transition(
        "reject",
        _("Customer rejected"),
        frozenset({PlanState.SENT}),
        PlanState.REJECTED,
        CUSTOMER_FACING,
        "danger",
    ),
    Transition(
        "revise",
        _("Revise"),
        frozenset({PlanState.SENT, PlanState.REJECTED, PlanState.CONFIRMED}),
        PlanState.REVISED,
        CUSTOMER_FACING,
        "warning",
    ),
    Transition(
        "approve", _("Approve the revision"), frozenset({PlanState.DRAFT}), PlanState.DRAFT, APPROVERS
    ),
)

DEPOT: Machine = _machine(
    Transition(
        "inspect",
        _("Record the intake inspection"),
        frozenset({DepotState.RECEIVED}),
        DepotState.INSPECTED,
        TECHNICAL,
    ),
    Transition(
        "start_repair",
        _("Start the repair"),
        frozenset({DepotState.INSPECTED}),
        DepotState.REPAIRING,
        TECHNICAL,
    ),
    Transition(
        "send_out",
        _("Send to external repair"),
        frozenset({DepotState.INSPECTED, DepotState.REPAIRING}),
        DepotState.EXTERNAL,
        VENDOR_HANDLING,
        "warning",
    ),
    Transition(
        "vendor_return",
        _("Back from the vendor"),
        frozenset({DepotState.EXTERNAL}),
        DepotState.REPAIRING,
        FOLLOW_UP,
    ),
    Transition(
        "recheck",
        _("Self re-check passed"),
        frozenset({DepotState.REPAIRING}),
        DepotState.RECHECKED,
        TECHNICAL,
        "success",
    ),
    Transition(
        "hand_back",
        _("Hand back to the customer"),
        frozenset({DepotState.RECHECKED}),
        DepotState.HANDED_BACK,
        CUSTOMER_FACING,
        "success",
    ),
)

EXTERNAL: Machine = _machine(
    Transition(
        "receive",
        _("Received back from the vendor"),
        frozenset({ExternalState.SENT}),
        ExternalState.RETURNED,
        VENDOR_HANDLING,
    ),
    Transition(
        "recheck",
        _("Re-check passed"),
        frozenset({ExternalState.RETURNED}),
        ExternalState.RECHECKED,
        TECHNICAL,
        "success",
    ),
    Transition(
        "complete",
        _("Done"),
        frozenset({ExternalState.RECHECKED, ExternalState.UNREPAIRABLE}),
        ExternalState.DONE,
        FOLLOW_UP,
        "success",
    ),
    Transition(
        "unrepairable",
        _("Unrepairable"),
        frozenset({ExternalState.SENT, ExternalState.RETURNED}),
        ExternalState.UNREPAIRABLE,
        VENDOR_HANDLING,
        "danger",
    ),
    Transition(
        "resend",
        _("Re-send to another vendor"),
        frozenset({ExternalState.UNREPAIRABLE}),
        ExternalState.RESENT,
        VENDOR_HANDLING,
        "warning",
    ),
)


def available(machine: Machine, obj, user) -> list[Transition]:
    """The transitions of `machine` this user may run on `obj` now (the buttons on the page)."""
    return [t for t in machine.values() if t.allows_state(obj.state) and t.permits(user, obj.work_order)]
