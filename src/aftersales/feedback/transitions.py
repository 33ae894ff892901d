"""The return-visit lifecycle (R22-R24): pending → done | unreachable, or cancelled when the work
order it follows is reopened or cancelled before the call.

`services` is the only place that applies these; each declares its sources, target and roles.
`retry` keeps a visit pending after a call that did not reach the customer; `give_up` ends it as
unreachable once the policy's calls are used up (or the number is wrong). `cancel` is run by the
system only (no roles)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.choices import Role

from .choices import CALLBACK_ROLES, RETURN_VISIT_ROLES, VisitState


@dataclass(frozen=True)
class VisitTransition:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]

    def allows_state(self, state: str) -> bool:
        return state in self.sources

    def permits(self, user) -> bool:
        return user is not None and bool(self.roles) and user.has_role(*self.roles)


PENDING = frozenset({VisitState.PENDING})

VISIT_TRANSITIONS: dict[str, VisitTransition] = {
    t.name: t
    for t in (
        VisitTransition("record", _("Record the answer"), PENDING, VisitState.DONE, RETURN_VISIT_ROLES),
        VisitTransition(
            "retry", _("Not reached: call again"), PENDING, VisitState.PENDING, RETURN_VISIT_ROLES
        ),
        VisitTransition(
            "give_up", _("Not reached: unreachable"), PENDING, VisitState.UNREACHABLE, RETURN_VISIT_ROLES
        ),
        VisitTransition("cancel", _("Cancel"), PENDING, VisitState.CANCELLED, frozenset()),
    )
}


def makes_return_visits(user) -> bool:
    """The return-visit roles: the queue, the form and the report (R22, R25)."""
    return user.is_authenticated and user.has_role(*RETURN_VISIT_ROLES)


def visit_actions_available(visit, user) -> bool:
    """True when this user may call the customer for this visit now (the form's buttons)."""
    return VISIT_TRANSITIONS["record"].allows_state(visit.state) and VISIT_TRANSITIONS["record"].permits(user)


def callback_permitted(user, work_order) -> bool:
    """R23: who may ask for a call-back: front office and field roles; engineers on their own work."""
    if not user.has_role(*CALLBACK_ROLES):
        return False
    if user.role == Role.ENGINEER and not user.is_superuser:
        return work_order.engineer_id is not None and work_order.engineer.user_id == user.pk
    return True
