"""Writes of remote sessions (R6) and service plans (R8); depot and external repairs are in
`repairs.py`. Every transition goes through `transition_begin`/`transition_finish`: the row is
locked, the state machine of `transitions.py` checked, and an event written on the work order's
timeline."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from aftersales.core.phones import phone_display
from aftersales.notifications.choices import Channel as MessageChannel
from aftersales.notifications.services import message_queue
from aftersales.workorders.choices import ProposedHandling, State
from aftersales.workorders.events import event_record
from aftersales.workorders.models import WorkOrder
from aftersales.workorders.services import workorder_transition, workorder_update

from .choices import PlanState
from .events import REMOTE_SERVICE, SERVICE_PLAN
from .models import RemoteSession, ServicePlan
from .transitions import PLAN, REMOTE, Machine, Transition

# --- shared ------------------------------------------------------------------------------------


def required_text(value: str | None, field: str, message: str) -> str:
    """The stripped text, or a field error when it is empty."""
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: [message]})
    return text


def locked(model: type[models.Model], pk: int) -> Any:
    """The row locked for the transition, with its work order and engineer (PostgreSQL locks only
    this row; SQLite serialises writers)."""
    return model.objects.select_for_update(of=("self",)).select_related("work_order__engineer").get(pk=pk)


def require_permission(transition: Transition, actor, work_order: WorkOrder) -> None:
    if not transition.permits(actor, work_order):
        raise NotPermitted(_("You may not “%(action)s” on this work order.") % {"action": transition.label})


def require_open(work_order: WorkOrder) -> None:
    if not work_order.is_open:
        raise TransitionNotAllowed(
            _("Work order %(number)s is %(state)s: nothing more can be recorded on it.")
            % {"number": work_order.number, "state": work_order.get_state_display()}
        )


def transition_begin(obj: Any, machine: Machine, action: str, actor) -> Transition:
    """The transition, refused from another state (409) or for a role that may not run it (403)."""
    transition = machine[action]
    if not transition.allows_state(obj.state):
        raise TransitionNotAllowed(
            _("“%(action)s” is not possible while the %(record)s is “%(state)s”.")
            % {"action": transition.label, "record": obj._meta.verbose_name, "state": obj.get_state_display()}
        )
    require_permission(transition, actor, obj.work_order)
    return transition


def transition_finish(
    obj: Any, transition: Transition, actor, *, kind: str, prefix: str, note: str = ""
) -> None:
    """Apply the target state, save, and write the timeline event (`<prefix>_<action>`)."""
    before = obj.get_state_display()
    obj.state = transition.target
    obj.full_clean()
    obj.save()
    after = obj.get_state_display()
    change = f"{obj}: {before} → {after}" if before != after else f"{obj}: {transition.label}"
    event_record(
        obj.work_order,
        kind=kind,
        actor=actor,
        action=f"{prefix}_{transition.name}",
        note=" · ".join(part for part in (change, note.strip()) if part),
    )


def company_language():
    """Messages to customers are written in the company's language, whatever the screen's."""
    return translation.override(settings.LANGUAGE_CODE)


# --- remote sessions (R6) ----------------------------------------------------------------------


@transaction.atomic
def remote_session_start(*, work_order: WorkOrder, actor, method: str, steps: str) -> RemoteSession:
    """R6: remote service comes first; the session records how the customer was reached and the
    steps taken so far."""
    require_open(work_order)
    require_permission(REMOTE["solve"], actor, work_order)
    session = RemoteSession(
        work_order=work_order,
        method=method,
        steps=required_text(steps, "steps", _("Describe the steps taken.")),
        performed_by=actor,
        started_at=timezone.now(),
    )
    session.full_clean()
    session.save()
    event_record(
        work_order,
        kind=REMOTE_SERVICE,
        actor=actor,
        action="remote_start",
        note=f"{session.get_method_display()}: {session.steps}",
    )
    return session


def _remote_close(session: RemoteSession, *, result: str, steps: str) -> None:
    session.result = required_text(result, "result", _("Describe the outcome."))
    if (steps or "").strip():
        session.steps = f"{session.steps}\n{steps.strip()}"
    session.ended_at = timezone.now()


@transaction.atomic
def remote_session_solve(
    *, session_id: int, actor, result: str, steps: str = "", complete_work_order: bool = False
) -> RemoteSession:
    """R6: solved remotely. With `complete_work_order` the work order is completed with the
    outcome as its resolution (started first when it was only assigned; the plan guard applies)."""
    session = locked(RemoteSession, session_id)
    transition = transition_begin(session, REMOTE, "solve", actor)
    _remote_close(session, result=result, steps=steps)
    transition_finish(session, transition, actor, kind=REMOTE_SERVICE, prefix="remote", note=session.result)
    if complete_work_order:
        work_order = session.work_order
        if work_order.state == State.ASSIGNED:
            work_order = workorder_transition(work_order_id=work_order.pk, action="start", actor=actor)
        workorder_transition(
            work_order_id=work_order.pk, action="complete", actor=actor, resolution=session.result
        )
    return session


@transaction.atomic
def remote_session_escalate(*, session_id: int, actor, result: str, steps: str = "") -> RemoteSession:
    """R6: not solved remotely; recorded, and the work order's proposed handling becomes on-site
    so that it goes on to dispatch and a visit."""
    session = locked(RemoteSession, session_id)
    transition = transition_begin(session, REMOTE, "escalate", actor)
    _remote_close(session, result=result, steps=steps)
    transition_finish(session, transition, actor, kind=REMOTE_SERVICE, prefix="remote", note=session.result)
    work_order = WorkOrder.objects.get(pk=session.work_order_id)
    if work_order.is_open and work_order.proposed_handling != ProposedHandling.ON_SITE:
        workorder_update(
            work_order_id=work_order.pk,
            actor=actor,
            expected_version=work_order.version,
            proposed_handling=ProposedHandling.ON_SITE,
        )
    return session


# --- service plans (R8) ------------------------------------------------------------------------

PLAN_FIELDS = ("measures", "parts", "tools", "estimated_hours", "fees_apply", "fee_basis", "fee_note")


def plan_free_revisions() -> int:
    """Revisions a plan may have without a supervisor's approval (R8 default: one)."""
    return settings.SERVICING_PLAN_FREE_REVISIONS


def _plan_fill(plan: ServicePlan, fields: dict[str, Any]) -> None:
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


@transaction.atomic
def plan_create(*, work_order: WorkOrder, actor, **fields: Any) -> ServicePlan:
    """R8: the first version of the work order's service plan, as a draft. A work order has one
    plan; changing it later is a revision."""
    require_open(work_order)
    require_permission(PLAN["send"], actor, work_order)
    if work_order.service_plans.exists():
        raise DomainError(
            _("This work order already has a service plan; revise it instead."), code="plan_exists"
        )
    plan = ServicePlan(work_order=work_order, created_by=actor)
    _plan_fill(plan, fields)
    plan.save()
    event_record(work_order, kind=SERVICE_PLAN, actor=actor, action="plan_create", note=str(plan))
    return plan


@transaction.atomic
def plan_update(*, plan_id: int, actor, **fields: Any) -> ServicePlan:
    """A draft can be edited until it is sent; afterwards only a revision changes it (R8)."""
    plan = locked(ServicePlan, plan_id)
    if plan.state != PlanState.DRAFT:
        raise TransitionNotAllowed(_("Only a draft plan can be edited; revise it instead."))
    require_permission(PLAN["send"], actor, plan.work_order)
    _plan_fill(plan, fields)
    plan.save()
    event_record(plan.work_order, kind=SERVICE_PLAN, actor=actor, action="plan_update", note=str(plan))
    return plan


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


def _plan_recipient(work_order: WorkOrder, channel: str) -> str:
    if channel == MessageChannel.EMAIL:
        if not work_order.customer.email:
            raise DomainError(
                _("The customer has no e-mail address; send the plan by SMS or WeChat."),
                code="no_email",
                field="sent_via",
            )
        return work_order.customer.email
    if channel not in MessageChannel.values:
        raise DomainError(_("Choose how to send the plan."), code="required", field="sent_via")
    return phone_display(work_order.contact_phone)


@transaction.atomic
def plan_send(*, plan_id: int, actor, sent_via: str = MessageChannel.SMS) -> ServicePlan:
    """R8: the draft goes to the customer through the outbox (after the commit, idempotent per
    plan and channel). A revision that needs approval is sent only once a supervisor approved it."""
    plan = locked(ServicePlan, plan_id)
    transition = transition_begin(plan, PLAN, "send", actor)
    if plan.awaits_approval:
        raise TransitionNotAllowed(
            _("This revision needs a supervisor's approval before it is sent."), code="needs_approval"
        )
    work_order = plan.work_order
    channel = sent_via
    recipient = _plan_recipient(work_order, channel)
    with company_language():
        subject, body = _plan_message(plan)
    message_queue(
        channel=channel, recipient=recipient, subject=subject, body=body, key=f"plan:{plan.pk}:{channel}"
    )
    plan.sent_at = timezone.now()
    plan.sent_via = channel
    transition_finish(
        plan, transition, actor, kind=SERVICE_PLAN, prefix="plan", note=f"{MessageChannel(channel).label}"
    )
    return plan


@transaction.atomic
def plan_confirm(*, plan_id: int, actor, confirmed_by_name: str, confirmation_method: str) -> ServicePlan:
    """R8: the customer's confirmation, who and how (phone, signature, WeChat, in person); work on
    the work order may start from now on."""
    plan = locked(ServicePlan, plan_id)
    transition = transition_begin(plan, PLAN, "confirm", actor)
    plan.confirmed_by_name = required_text(
        confirmed_by_name, "confirmed_by_name", _("Who at the customer confirmed the plan?")
    )
    plan.confirmation_method = confirmation_method
    if not confirmation_method:
        raise ValidationError({"confirmation_method": [_("How did the customer confirm?")]})
    plan.confirmed_at = timezone.now()
    plan.recorded_by = actor
    transition_finish(
        plan,
        transition,
        actor,
        kind=SERVICE_PLAN,
        prefix="plan",
        note=f"{plan.confirmed_by_name} · {plan.get_confirmation_method_display()}",
    )
    return plan


@transaction.atomic
def plan_reject(*, plan_id: int, actor, reason: str) -> ServicePlan:
    """R8: the customer does not agree; the reason is kept and the plan can be revised."""
    plan = locked(ServicePlan, plan_id)
    transition = transition_begin(plan, PLAN, "reject", actor)
    plan.rejection_reason = required_text(reason, "reason", _("Give the customer's reason."))
    plan.rejected_at = timezone.now()
    plan.recorded_by = actor
    transition_finish(plan, transition, actor, kind=SERVICE_PLAN, prefix="plan", note=plan.rejection_reason)
    return plan


@transaction.atomic
def plan_revise(*, plan_id: int, actor, reason: str, **fields: Any) -> ServicePlan:
    """R8: a new version replaces the plan (sent, rejected, or confirmed when new findings change
    it); it starts as a draft with the old content unless changed. Up to `plan_free_revisions()`
    revisions need no approval; later ones wait for a supervisor's (given at once when the
    reviser is one)."""
    old = locked(ServicePlan, plan_id)
    transition = transition_begin(old, PLAN, "revise", actor)
    reason = required_text(reason, "reason", _("Why is the plan revised?"))
    plan = ServicePlan(
        work_order=old.work_order,
        revision=old.revision + 1,
        previous=old,
        revision_reason=reason,
        created_by=actor,
        **{name: getattr(old, name) for name in PLAN_FIELDS},
    )
    plan.needs_approval = old.revision > plan_free_revisions()
    if plan.needs_approval and PLAN["approve"].permits(actor, old.work_order):
        plan.approved_by, plan.approved_at = actor, timezone.now()
    _plan_fill(plan, fields)
    transition_finish(old, transition, actor, kind=SERVICE_PLAN, prefix="plan", note=reason)
    plan.save()
    if plan.awaits_approval:
        note = _("%(plan)s needs a supervisor's approval before it is sent.") % {"plan": plan}
    else:
        note = str(plan)
    event_record(plan.work_order, kind=SERVICE_PLAN, actor=actor, action="plan_create", note=note)
    return plan


@transaction.atomic
def plan_approve(*, plan_id: int, actor) -> ServicePlan:
    """R8: a supervisor approves a revision beyond the free ones so that it can be sent."""
    plan = locked(ServicePlan, plan_id)
    transition = transition_begin(plan, PLAN, "approve", actor)
    if not plan.awaits_approval:
        raise TransitionNotAllowed(_("This plan does not need an approval."), code="no_approval_needed")
    plan.approved_by, plan.approved_at = actor, timezone.now()
    transition_finish(plan, transition, actor, kind=SERVICE_PLAN, prefix="plan")
    return plan


def money(value: Decimal | str | int | None, field: str) -> Decimal | None:
    """A CNY amount with 2 places, never negative (None: not given)."""
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation as error:
        raise ValidationError({field: [_("Enter an amount such as 350.00.")]}) from error
    if amount < 0:
        raise ValidationError({field: [_("The amount cannot be negative.")]})
    return amount
