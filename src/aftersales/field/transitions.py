"""The lifecycles of the on-site visit (R12) and of its supervision card (R19): one explicit state
machine each (ARCHITECTURE.md). Each transition declares its source states, target and the roles
that may run it; engineers may run the field steps only on their own visits. `services` is the only
place that applies them (row locked, event written, refusals as TransitionNotAllowed/NotPermitted).

```
visit:  booked ──depart──▶ en_route ──arrive──▶ on_site ──leave──▶ done
          │  └──────────────arrive───────────────▲
          └──cancel──┴──cancel──▶ cancelled
card:   pending ──submit──▶ submitted ──verify──▶ verified
           ▲                    │
           └─────send_back──────┘
```
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.choices import DISPATCH_ROLES, Role

from .choices import SupervisionState, VisitState

FIELD_LEADS = frozenset({Role.SUPERVISOR, Role.HQ_ADMIN})
# The service centre that verifies supervision cards: clerks, supervisors and the dealers' centres.
SERVICE_CENTRE = frozenset({Role.CLERK, Role.SUPERVISOR, Role.HQ_ADMIN, Role.DEALER_STAFF})


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    needs_reason: bool = False
    style: str = "primary"
    icon: str = "bi-check2"

    def allows_state(self, state: str) -> bool:
        return state in self.sources

    def permits(self, user, engineer) -> bool:
        """The role may run it; an engineer only on the visits that are theirs (`engineer`)."""
        if not user.has_role(*self.roles):
            return False
        if user.role == Role.ENGINEER and not user.is_superuser:
            return engineer is not None and engineer.user_id == user.pk
        return True


VISIT_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "depart",
            _("Start trip"),
            frozenset({VisitState.BOOKED}),
            VisitState.EN_ROUTE,
            FIELD_LEADS | {Role.ENGINEER},
            icon="bi-car-front",
        ),
        Transition(
            "arrive",
            _("Check in"),
            frozenset({VisitState.BOOKED, VisitState.EN_ROUTE}),
            VisitState.ON_SITE,
            FIELD_LEADS | {Role.ENGINEER},
            style="success",
            icon="bi-geo-alt",
        ),
        Transition(
            "leave",
            _("Check out"),
            frozenset({VisitState.ON_SITE}),
            VisitState.DONE,
            FIELD_LEADS | {Role.ENGINEER},
            style="success",
            icon="bi-box-arrow-right",
        ),
        Transition(
            "cancel",
            _("Cancel visit"),
            frozenset({VisitState.BOOKED, VisitState.EN_ROUTE}),
            VisitState.CANCELLED,
            FIELD_LEADS | DISPATCH_ROLES | {Role.ENGINEER},
            needs_reason=True,
            style="outline-danger",
            icon="bi-x-circle",
        ),
    )
}

SUPERVISION_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "submit",
            _("Submit card"),
            frozenset({SupervisionState.PENDING}),
            SupervisionState.SUBMITTED,
            FIELD_LEADS | {Role.ENGINEER},
            icon="bi-send",
        ),
        Transition(
            "verify",
            _("Verify"),
            frozenset({SupervisionState.SUBMITTED}),
            SupervisionState.VERIFIED,
            SERVICE_CENTRE,
            style="success",
        ),
        Transition(
            "send_back",
            _("Send back"),
            frozenset({SupervisionState.SUBMITTED}),
            SupervisionState.PENDING,
            SERVICE_CENTRE,
            needs_reason=True,
            style="outline-warning",
            icon="bi-arrow-return-left",
        ),
    )
}


def transitions_available(transitions: dict[str, Transition], obj, engineer, user) -> list[Transition]:
    """The transitions this user may run on the visit or card now (the buttons on its page)."""
    return [t for t in transitions.values() if t.allows_state(obj.state) and t.permits(user, engineer)]
