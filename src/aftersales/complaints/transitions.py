"""The two lifecycles of this app, each one explicit state machine (ARCHITECTURE.md):

complaint (R26)::

    registered ──accept──▶ accepted ──analyse──▶ analysed ──handle──▶ handled ──feed_back──▶ fed_back
        │                                                                                     │
        └──reject (reason)──▶ closed ◀──────────────────────close (archive)────────────────────┘

difficult case (R27)::

    (proposed) ──open──▶ open ──start──▶ in_progress ──resolve──▶ resolved ──close──▶ closed
                           │                 │  ▲ record                 │
                           └───escalate──────┴─▶ escalated (level n+1) ──┘ resolve; reopen ◀─┘

Each transition declares its sources, target (empty: the state stays), the roles that may run it
and the inputs it needs. `services.complaint_transition` and `services.case_transition` are the
only places that apply them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.choices import Role

from .choices import CaseState, ComplaintState


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str  # "" keeps the state (a step recorded on the way)
    roles: frozenset[str]
    # Inputs that must not be empty, by name: note, cause, measures, feedback, result, handler.
    needs: frozenset[str] = frozenset()
    # A difficult case's handler may run it whatever their role.
    handler_may: bool = False
    style: str = "primary"

    def allows_state(self, state: str) -> bool:
        return state in self.sources

    def permits(self, user, obj=None) -> bool:
        if user.has_role(*self.roles):
            return True
        return self.handler_may and obj is not None and getattr(obj, "handler_id", None) == user.pk

    def target_from(self, state: str) -> str:
        return self.target or state


# Who does what on a complaint (R26, R37): agents register and call back, quality and
# supervisors assess, analyse and decide the measures, clerks archive.
REGISTER_ROLES = frozenset({Role.AGENT, Role.CLERK, Role.QUALITY, Role.SUPERVISOR, Role.HQ_ADMIN})
ASSESS_ROLES = frozenset({Role.QUALITY, Role.SUPERVISOR, Role.HQ_ADMIN})
HANDLE_ROLES = ASSESS_ROLES | {Role.CLERK}
FEEDBACK_ROLES = ASSESS_ROLES | {Role.AGENT}
ARCHIVE_ROLES = ASSESS_ROLES | {Role.CLERK}
# Who confirms, follows and closes difficult cases (R27).
CASE_ROLES = frozenset({Role.CLERK, Role.SUPERVISOR, Role.QUALITY, Role.HQ_ADMIN})

C = ComplaintState
COMPLAINT_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "accept", _("Accept"), frozenset({C.REGISTERED}), C.ACCEPTED, ASSESS_ROLES, style="success"
        ),
        Transition(
            "reject",
            _("Reject"),
            frozenset({C.REGISTERED}),
            C.CLOSED,
            ASSESS_ROLES,
            needs=frozenset({"note"}),
            style="danger",
        ),
        Transition(
            "analyse",
            _("Record the cause"),
            frozenset({C.ACCEPTED}),
            C.ANALYSED,
            ASSESS_ROLES,
            needs=frozenset({"cause"}),
        ),
        Transition(
            "handle",
            _("Record the measures"),
            frozenset({C.ANALYSED}),
            C.HANDLED,
            HANDLE_ROLES,
            needs=frozenset({"measures"}),
        ),
        Transition(
            "feed_back",
            _("Feed back"),
            frozenset({C.HANDLED}),
            C.FED_BACK,
            FEEDBACK_ROLES,
            needs=frozenset({"feedback"}),
        ),
        Transition(
            "close", _("Close and archive"), frozenset({C.FED_BACK}), C.CLOSED, ARCHIVE_ROLES, style="success"
        ),
    )
}

S = CaseState
WORKING = frozenset({S.IN_PROGRESS, S.ESCALATED})
CASE_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "start", _("Start handling"), frozenset({S.OPEN}), S.IN_PROGRESS, CASE_ROLES, handler_may=True
        ),
        Transition(
            "record",
            _("Record a step"),
            WORKING,
            "",
            CASE_ROLES,
            needs=frozenset({"note"}),
            handler_may=True,
            style="outline-primary",
        ),
        Transition(
            "escalate",
            _("Escalate to the next level"),
            frozenset({S.OPEN}) | WORKING,
            S.ESCALATED,
            CASE_ROLES,
            needs=frozenset({"note", "handler"}),
            handler_may=True,
            style="warning",
        ),
        Transition(
            "resolve",
            _("Resolve"),
            WORKING,
            S.RESOLVED,
            CASE_ROLES,
            needs=frozenset({"result"}),
            handler_may=True,
            style="success",
        ),
        Transition(
            "reopen",
            _("Reopen"),
            frozenset({S.RESOLVED}),
            S.IN_PROGRESS,
            CASE_ROLES,
            needs=frozenset({"note"}),
            style="warning",
        ),
        Transition("close", _("Close"), frozenset({S.RESOLVED}), S.CLOSED, CASE_ROLES, style="success"),
    )
}


def available(transitions: dict[str, Transition], obj, user) -> list[Transition]:
    """The transitions this user may run on this complaint or case now (the buttons on its page)."""
    return [t for t in transitions.values() if t.allows_state(obj.state) and t.permits(user, obj)]
