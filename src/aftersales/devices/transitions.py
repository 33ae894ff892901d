"""The lifecycle of a service contract (R35), one `core.transitions.Machine`::

    draft ──activate──▶ active ──expire (the daily job, after its last day)──▶ expired
      │                   │
      └──cancel (reason)──┴──▶ cancelled

Contracts are sold and managed by the service clerks, supervisors and HQ admins (`SELL_ROLES`);
the front line reads them; engineers never sell. Every step is written to the contract's own
history (`ContractEvent`) by the machine's `record`.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.accounts.choices import Role
from aftersales.core.errors import DomainError, TransitionNotAllowed
from aftersales.core.i18n import stored_params
from aftersales.core.transitions import Machine, Permission, Transition, TransitionRun, keep_input, stamp

from .choices import ContractState
from .models import ContractEvent, ServiceContract

# R35, R37: who sells service contracts and manages them (there is no sales role: the service
# clerks sell at the counter, supervisors and HQ admins too).
SELL_ROLES = frozenset({Role.CLERK, Role.SUPERVISOR, Role.HQ_ADMIN})
SELL = Permission(SELL_ROLES, own_work_only=False)


def may_sell(user) -> bool:
    """R35: sells service contracts and manages their plans."""
    return CONTRACT.permits(SELL, user, None)


def contract_event_record(
    contract: ServiceContract,
    *,
    actor,
    action: str,
    from_state: str = "",
    note: str = "",
    params: dict[str, Any] | None = None,
) -> ContractEvent:
    """A step in the contract's history (R35, R41): `params` for the step's text (stored as JSON,
    shown in the reader's language), `note` the user's own words."""
    return ContractEvent.objects.create(
        contract=contract,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=contract.state,
        note=note,
        params=stored_params({"record": contract.number, **(params or {})}),
    )


def _record(run: TransitionRun) -> None:
    contract_event_record(
        run.obj,
        actor=run.actor,
        action=run.transition.name,
        from_state=run.from_state,
        note=run.text("reason"),
    )


def _not_over(contract: ServiceContract) -> DomainError | None:
    """A contract whose last day has passed cannot be activated any more."""
    if contract.ends_on < timezone.localdate():
        return TransitionNotAllowed(
            _("The contract ended on %(date)s; it cannot be activated.")
            % {"date": f"{contract.ends_on:%Y-%m-%d}"},
            code="contract_ended",
        )
    return None


def _has_devices(run: TransitionRun) -> None:
    if run.transition.name == "activate" and not run.obj.devices.exists():
        raise DomainError(_("Add at least one device to the contract."), code="no_devices", field="devices")


S = ContractState
CONTRACT = Machine(
    name="service_contract",
    model=ServiceContract,
    required_messages={"reason": gettext_lazy("Give the reason for cancelling.")},
    transitions={
        t.name: t
        for t in (
            Transition(
                "activate",
                gettext_lazy("Activate"),
                frozenset({S.DRAFT}),
                S.ACTIVE,
                SELL_ROLES,
                effects=(stamp("activated_at"),),
                own_work_only=False,
                style="success",
                applies=_not_over,
            ),
            Transition(
                "cancel",
                gettext_lazy("Cancel the contract"),
                frozenset({S.DRAFT, S.ACTIVE}),
                S.CANCELLED,
                SELL_ROLES,
                needs=frozenset({"reason"}),
                effects=(stamp("cancelled_at"), keep_input("reason", "cancel_reason")),
                own_work_only=False,
                style="danger",
                icon="bi-x-circle",
            ),
            Transition(
                "expire",
                gettext_lazy("Expire"),
                frozenset({S.ACTIVE}),
                S.EXPIRED,
                frozenset(),  # the daily job only
                effects=(stamp("expired_at"),),
            ),
        )
    },
    guards=[_has_devices],
    record=_record,
    lock_related=("customer",),
)
