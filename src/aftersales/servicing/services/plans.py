"""Service plans (R8): drawn up as a draft, sent to the customer, confirmed or rejected, revised;
work on the work order starts only once its current plan is confirmed (hooks.py guards "start").
One revision is free, later ones wait for a supervisor's approval."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from aftersales.core.errors import DomainError, TransitionNotAllowed
from aftersales.core.transitions import TransitionRun, transition_run
from aftersales.notifications.choices import Channel as MessageChannel
from aftersales.notifications.services import customer_message_queue
from aftersales.workorders.events import event_record
from aftersales.workorders.models import WorkOrder

from ..choices import PlanState
from ..events import SERVICE_PLAN
from ..models import ServicePlan
from ..transitions import (
    DRAW_UP_PLAN,
    PLAN,
    PLAN_FIELDS,
    permission_check,
    work_order_open_check,
)


def company_language():
    """Messages to customers are written in the company's language, whatever the screen's."""
    return translation.override(settings.LANGUAGE_CODE)


def plan_free_revisions() -> int:
    """Revisions a plan may have without a supervisor's approval (R8 default: one)."""
    return settings.SERVICING_PLAN_FREE_REVISIONS


def _plan_fill(plan: ServicePlan, fields: dict[str, Any]) -> None:
    """R8: the content, checked as a whole: fees need their basis, no fees clear it."""
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(plan, name, value.strip() if isinstance(value, str) else value)
    if not plan.fees_apply:
        plan.fee_basis = ""
    elif not plan.fee_basis:
        raise ValidationError({"fee_basis": [_("Say on what basis fees apply.")]})
    plan.full_clean()


def _plan_event(plan: ServicePlan, actor, action: str) -> None:
    event_record(
        plan.work_order,
        kind=SERVICE_PLAN,
        actor=actor,
        action=action,
        params={"record": str(plan), "revision": plan.revision},
    )


@transaction.atomic
def plan_create(*, work_order: WorkOrder, actor, **fields: Any) -> ServicePlan:
    """R8: the first version of the work order's service plan, as a draft. A work order has one
    plan; changing it later is a revision."""
    work_order_open_check(work_order)
    permission_check(
        PLAN, DRAW_UP_PLAN, actor, work_order, _("You may not plan the service of this work order.")
    )
    if work_order.service_plans.exists():
        raise DomainError(
            _("This work order already has a service plan; revise it instead."), code="plan_exists"
        )
    plan = ServicePlan(work_order=work_order, created_by=actor)
    _plan_fill(plan, fields)
    plan.save()
    _plan_event(plan, actor, "plan_create")
    return plan


@transaction.atomic
def plan_update(*, plan_id: int, actor, **fields: Any) -> ServicePlan:
    """R8: a draft can be edited until it is sent; afterwards only a revision changes it."""
    plan = PLAN.lock(plan_id)
    if plan.state != PlanState.DRAFT:
        raise TransitionNotAllowed(_("Only a draft plan can be edited; revise it instead."))
    permission_check(PLAN, DRAW_UP_PLAN, actor, plan, _("You may not plan the service of this work order."))
    _plan_fill(plan, fields)
    plan.save()
    _plan_event(plan, actor, "plan_update")
    return plan


def plan_send(*, plan_id: int, actor, sent_via: str = MessageChannel.SMS) -> ServicePlan:
    """R8: the draft goes to the customer through the outbox (after the commit, idempotent per
    plan and channel). A revision that needs approval is sent only once a supervisor approved it."""
    return transition_run(PLAN, pk=plan_id, action="send", actor=actor, inputs={"sent_via": sent_via})


def plan_confirm(*, plan_id: int, actor, confirmed_by_name: str, confirmation_method: str) -> ServicePlan:
    """R8: the customer's confirmation, who and how (phone, signature, WeChat, in person); work on
    the work order may start from now on."""
    return transition_run(
        PLAN,
        pk=plan_id,
        action="confirm",
        actor=actor,
        inputs={"confirmed_by_name": confirmed_by_name, "confirmation_method": confirmation_method},
    )


def plan_reject(*, plan_id: int, actor, reason: str) -> ServicePlan:
    """R8: the customer does not agree; the reason is kept and the plan can be revised."""
    return transition_run(PLAN, pk=plan_id, action="reject", actor=actor, inputs={"reason": reason})


@transaction.atomic
def plan_revise(*, plan_id: int, actor, reason: str, **fields: Any) -> ServicePlan:
    """R8: a new version replaces the plan (sent, rejected, or confirmed when new findings change
    it); it starts as a draft with the old content unless changed. Up to `plan_free_revisions()`
    revisions need no approval; later ones wait for a supervisor's (given at once when the
    reviser is one). Returns the new version."""
    transition_run(PLAN, pk=plan_id, action="revise", actor=actor, inputs={"reason": reason, **fields})
    return ServicePlan.objects.select_related("work_order").get(previous_id=plan_id)


def plan_approve(*, plan_id: int, actor) -> ServicePlan:
    """R8: a supervisor approves a revision beyond the free ones so that it can be sent."""
    return transition_run(PLAN, pk=plan_id, action="approve", actor=actor)


def _plan_message(plan: ServicePlan) -> tuple[str, str]:
    """Subject and body of the plan for the customer: what will be done, no prices (R8)."""
    work_order = plan.work_order
    if plan.fees_apply:
        fees = _("fees apply (%(basis)s)") % {"basis": plan.get_fee_basis_display()}
        if plan.fee_note:
            fees = f"{fees}: {plan.fee_note}"
    else:
        fees = _("no fees")
    values = {
        "name": work_order.contact_name,
        "number": work_order.number,
        "revision": plan.revision,
        "measures": plan.measures,
        "parts": plan.parts or "—",
        "tools": plan.tools or "—",
        "hours": plan.estimated_hours,
        "fees": fees,
    }
    subject = _("Service plan for your request %(number)s") % values
    body = (
        _(
            "Dear %(name)s, our service plan (version %(revision)s) for request %(number)s: "
            "measures: %(measures)s; parts: %(parts)s; tools: %(tools)s; estimated duration: "
            "%(hours)s hours; %(fees)s. Please confirm it by phone, WeChat, signature or in person."
        )
        % values
    )
    return subject, body


@PLAN.register_hook
def _sent_to_the_customer(run: TransitionRun) -> None:
    """R8: "send" queues the plan for the customer by the chosen channel (idempotent per plan and
    channel; it leaves after the commit)."""
    if run.transition.name != "send":
        return
    plan = run.obj
    with company_language():
        subject, body = _plan_message(plan)
    work_order = plan.work_order
    by_email = plan.sent_via == MessageChannel.EMAIL  # the address was checked when it was chosen
    customer_message_queue(
        phone="" if by_email else work_order.contact_phone,
        phone_channel=MessageChannel.SMS if by_email else plan.sent_via,
        email=work_order.customer.email if by_email else "",
        subject=subject,
        body=body,
        key_prefix=f"plan:{plan.pk}",
    )


@PLAN.register_hook
def _next_version(run: TransitionRun) -> None:
    """R8: "revise" draws up the next version, with the old content unless changed; beyond the free
    revisions it waits for a supervisor's approval (given at once when the reviser may approve)."""
    if run.transition.name != "revise":
        return
    old = run.obj
    plan = ServicePlan(
        work_order=old.work_order,
        revision=old.revision + 1,
        previous=old,
        revision_reason=run.text("reason"),
        created_by=run.actor,
        **{name: getattr(old, name) for name in PLAN_FIELDS},
    )
    plan.needs_approval = old.revision > plan_free_revisions()
    if plan.needs_approval and PLAN.permits(PLAN["approve"], run.actor, old):
        plan.approved_by, plan.approved_at = run.actor, run.now
    _plan_fill(plan, {name: value for name, value in run.inputs.items() if name in PLAN_FIELDS})
    plan.save()
    _plan_event(plan, run.actor, "plan_awaits_approval" if plan.awaits_approval else "plan_create")
