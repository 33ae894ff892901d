"""The approval of a dealer's local fee standard, one `core.transitions.Machine` (R30)::

    submitted ──approve (HQ)──▶ approved      (pricing uses it for the dealer's service points)
        └──────reject (HQ, reason)──▶ rejected (never used; the dealer submits a new edition)

HQ's own editions are approved as issued and never pass through here. HQ decides: its admins and
supervisors, never a user who belongs to a dealer (a dealer does not approve its own fees). Each
decision is kept in the edition's history (who, when, from, to, the reason).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.accounts.choices import REFERENCE_ADMIN_ROLES, Role
from aftersales.core.errors import NotPermitted
from aftersales.core.transitions import Machine, Permission, Transition, TransitionRun, stamp

from .choices import FeeApproval
from .models import FeeSchedule

# HQ's keepers of the fee standards decide on the dealers' ones (R30).
FEE_APPROVERS = frozenset(REFERENCE_ADMIN_ROLES)
# Dealers' staff submit their own dealer's local standard (R30).
SUBMIT_FEES = Permission(frozenset({Role.DEALER_STAFF}), own_work_only=False)


def _decided(run: TransitionRun) -> None:
    run.set(decided_by=run.actor)


def _reason(run: TransitionRun) -> None:
    run.set(approval_note=run.text("reason")[:255])


def _hq_decides(run: TransitionRun) -> None:
    """Whoever belongs to a dealer (a dealer's supervisor) does not decide on a dealer's fees."""
    actor = run.actor
    if actor is not None and not actor.is_superuser and actor.dealer_id:
        raise NotPermitted(_("Only HQ approves or rejects a dealer's fee standard."))


A = FeeApproval
FEE_SCHEDULE = Machine(
    name="fee_schedule",
    model=FeeSchedule,
    state_field="approval_state",
    transitions={
        t.name: t
        for t in (
            Transition(
                "approve",
                gettext_lazy("Approve the fee standard"),
                frozenset({A.SUBMITTED}),
                A.APPROVED,
                FEE_APPROVERS,
                accepts=frozenset({"reason"}),
                effects=(_reason, stamp("decided_at"), _decided),
                own_work_only=False,
                style="success",
            ),
            Transition(
                "reject",
                gettext_lazy("Reject the fee standard"),
                frozenset({A.SUBMITTED}),
                A.REJECTED,
                FEE_APPROVERS,
                needs=frozenset({"reason"}),
                effects=(_reason, stamp("decided_at"), _decided),
                own_work_only=False,
                style="danger",
                icon="bi-x-lg",
            ),
        )
    },
    audited=("approval_state", "approval_note"),
    required_messages={"reason": gettext_lazy("Say why the fee standard is rejected.")},
)
FEE_SCHEDULE.register_guard(_hq_decides)


def may_submit_fee_schedule(user) -> bool:
    """R30: a dealer's staff submit their dealer's local fee standard."""
    return bool(user.is_authenticated and user.dealer_id and FEE_SCHEDULE.permits(SUBMIT_FEES, user, None))


def may_decide_fee_schedule(user) -> bool:
    """R30: HQ approves or rejects dealers' fee standards."""
    return bool(
        user.is_authenticated
        and (user.is_superuser or not user.dealer_id)
        and FEE_SCHEDULE.permits(FEE_SCHEDULE["approve"], user, None)
    )
