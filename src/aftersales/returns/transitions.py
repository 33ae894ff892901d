"""The lifecycle of a return or exchange request, one `core.transitions.Machine` (R33)::

    draft ──submit (rules checked)──▶ submitted ──approve (rules checked again)──▶ approved
      │   (a supervisor's exception to the rules broken, with the reason, on a draft or submitted)
      │                               └──refuse (reason)──▶ refused
      └──cancel (reason; also from submitted)──▶ cancelled
    approved ──pickup (carrier, tracking number)──▶ picked_up ──receive (inspection; a part named
    goes into a defective location)──▶ received
    received ──refund (amount, method; returns)──▶ refunded
    received ──ship_replacement (carrier, tracking number; exchanges)──▶ replacement_shipped
             ──deliver──▶ delivered
    refunded, delivered ──follow_up (note)──▶ followed_up ──close──▶ closed

Who: customer service (agents, clerks, supervisors, HQ admins, quality), a dealer's staff for
their dealer's customers and the engineer of the work order draw requests up, submit and cancel
them; clerks, supervisors and HQ admins review them, and only supervisors (and HQ admins) waive a
rule; the logistics desk (parts clerks, clerks, supervisors, HQ admins, the dealer's staff) records
the pickup, the receipt with its inspection, the replacement's shipment and delivery; finance (and
the department heads) records the refund; customer service follows up and closes. A dealer's staff
act only on their own dealer's requests (403), engineers only on their own work orders' requests.

Every step is a `ReturnEvent` (who, when, from, to, note, what it recorded) and, for a request that
hangs off a work order, an event on the work order's timeline. The customer hears of the decision
and of the replacement's shipment (services).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.accounts.choices import Role
from aftersales.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from aftersales.core.i18n import stored_params
from aftersales.core.money import cny, yuan
from aftersales.core.transitions import (
    Effect,
    Machine,
    Permission,
    Transition,
    TransitionRun,
    by_actor,
    keep_input,
    stamp,
)
from aftersales.workorders.events import event_record

from .choices import InspectionResult, RefundMethod, ReturnKind, ReturnState, Rule
from .events import RETURN_REQUEST as RETURN_EVENT
from .models import ReturnEvent, ReturnRequest
from .rules import breaches_open, policy_current, rules_enforce

# --- who ------------------------------------------------------------------------------------------

CUSTOMER_SERVICE = frozenset({Role.AGENT, Role.CLERK, Role.SUPERVISOR, Role.HQ_ADMIN, Role.QUALITY})
REQUESTERS = CUSTOMER_SERVICE | {Role.DEALER_STAFF, Role.ENGINEER}
REVIEWERS = frozenset({Role.CLERK, Role.SUPERVISOR, Role.HQ_ADMIN})
EXCEPTION_GRANTERS = frozenset({Role.SUPERVISOR, Role.HQ_ADMIN})
LOGISTICS = frozenset({Role.PARTS_CLERK, Role.CLERK, Role.SUPERVISOR, Role.HQ_ADMIN, Role.DEALER_STAFF})
REFUNDERS = frozenset({Role.FINANCE, Role.SUPERVISOR, Role.HQ_ADMIN})
FOLLOWERS = CUSTOMER_SERVICE | {Role.DEALER_STAFF}
POLICY_KEEPERS = frozenset({Role.SUPERVISOR, Role.HQ_ADMIN})

DRAW_UP = Permission(REQUESTERS)  # draw up and edit a draft, add its photos
KEEP_POLICY = Permission(POLICY_KEEPERS, own_work_only=False)  # change the rules (HQ)


def engineer_user_of(request: ReturnRequest) -> int | None:
    """Engineers act on the requests of the work orders assigned to them."""
    work_order = request.work_order if request.work_order_id else None
    engineer = work_order.engineer if work_order is not None and work_order.engineer_id else None
    return engineer.user_id if engineer is not None else None


def _signed_in(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated)


def dealer_refusal(user: Any, request: ReturnRequest) -> NotPermitted | None:
    """A dealer's staff act only on their own dealer's requests."""
    if not _signed_in(user) or user.is_superuser or user.role != Role.DEALER_STAFF:
        return None
    if user.dealer_id and request.dealer_id == user.dealer_id:
        return None
    return NotPermitted(_("This request is not one of your dealer's."))


def may_read_returns(user: Any) -> bool:
    """Who sees returns at all: the company's staff, a dealer's staff, engineers (scoped)."""
    return _signed_in(user) and (user.sees_whole_company or user.has_role(Role.DEALER_STAFF, Role.ENGINEER))


def may_draw_up(user: Any, work_order=None) -> bool:
    """R33: draw up a request (on `work_order`: for its engineer only, among engineers)."""
    if not _signed_in(user) or not user.has_role(*REQUESTERS):
        return False
    if user.role == Role.ENGINEER and not user.is_superuser:
        return (
            work_order is not None
            and work_order.engineer_id is not None
            and (work_order.engineer.user_id == user.pk)
        )
    return True


def may_edit(user: Any, request: ReturnRequest) -> bool:
    """R33: a draft's facts and photos change while it is a draft, by who may draw it up."""
    return (
        request.state == ReturnState.DRAFT
        and _signed_in(user)
        and RETURN_REQUEST.permits(DRAW_UP, user, request)
        and dealer_refusal(user, request) is None
    )


def may_keep_policy(user: Any) -> bool:
    """R33: HQ keeps the rules (supervisors and HQ admins)."""
    return _signed_in(user) and RETURN_REQUEST.permits(KEEP_POLICY, user, None)


# --- effects ----------------------------------------------------------------------------------------


def _rules_kept(run: TransitionRun) -> None:
    """R33: the request keeps the rules on the day it was submitted, or the rules it breaks were
    waived by a supervisor (409 naming each rule broken otherwise)."""
    rules_enforce(run.obj)


def _exception(run: TransitionRun) -> None:
    """R33: a supervisor waives the rules the request breaks now, with the reason (recorded)."""
    request: ReturnRequest = run.obj
    breaches = breaches_open(request)
    if not breaches:
        raise TransitionNotAllowed(
            _("The request keeps the rules: there is nothing to waive."), code="return_no_exception_needed"
        )
    waived = sorted({*request.exception_rules, *(breach.rule for breach in breaches)})
    run.set(
        exception_rules=waived,
        exception_reason=run.text("reason"),
        exception_by=run.actor,
        exception_at=run.now,
    )
    run.inputs["_breaches"] = [breach.message for breach in breaches]


def _choice(name: str, choices: type[models.TextChoices], field_name: str, message) -> Effect:
    def effect(run: TransitionRun) -> None:
        value = run.text(name)
        if value not in choices.values:
            raise DomainError(str(message), code="invalid", field=name)
        run.set(**{field_name: value})

    effect.__name__ = f"choice_{name}"
    return effect


def _inspection(run: TransitionRun) -> None:
    run.set(inspection_note=run.text("inspection_note"))


def _into_defective_stock(run: TransitionRun) -> None:
    """R33, R32: a part named at the inspection goes into the defective location of the work
    order's service point (HQ's without one), at no value, with the request as its document."""
    part = run.inputs.get("part")
    if part in (None, ""):
        return
    from .services import defective_stock_post  # the parts app's writer of stock, through services

    request: ReturnRequest = run.obj
    quantity = run.inputs.get("quantity") or 1
    warehouse, part_obj, count = defective_stock_post(
        request=request, part=part, quantity=quantity, actor=run.actor
    )
    run.set(returned_part=part_obj, returned_quantity=count, returned_to=warehouse)


def _refund(run: TransitionRun) -> None:
    try:
        amount = cny(str(run.inputs.get("refund_amount")))
    except (TypeError, ValueError):
        amount = None
    if amount is None or amount <= 0:
        raise DomainError(
            _("Enter the amount refunded, such as 1280.00."), code="invalid", field="refund_amount"
        )
    run.set(refund_amount=amount, refund_reference=run.text("refund_reference"))


def _follow_up_due(run: TransitionRun) -> None:
    """Customer service calls the customer within the rules' follow-up days."""
    days = policy_current().follow_up_days
    run.set(follow_up_due_on=timezone.localtime(run.now).date() + timedelta(days=days))


def _kind_only(kind: str):
    def applies(request: ReturnRequest) -> DomainError | None:
        if request.kind == kind:
            return None
        return TransitionNotAllowed(
            _("A refund is for a return; a replacement is for an exchange."),
            code="return_kind_mismatch",
            field="kind",
        )

    return applies


# --- the record of each step -------------------------------------------------------------------------


def _params(run: TransitionRun) -> dict[str, Any]:
    """What a step recorded, for its history row and the work order's timeline."""
    request: ReturnRequest = run.obj
    name = run.transition.name
    params: dict[str, Any] = {"kind": ReturnKind(request.kind).label}
    if name == "pickup":
        params.update(carrier=request.pickup_carrier, tracking=request.pickup_tracking_number)
    elif name == "ship_replacement":
        params.update(carrier=request.replacement_carrier, tracking=request.replacement_tracking_number)
    elif name == "receive":
        params["inspection"] = InspectionResult(request.inspection_result).label
        if request.returned_part_id:
            params.update(part=str(request.returned_part), quantity=request.returned_quantity)
    elif name == "refund":
        params.update(
            amount=yuan(request.refund_amount or 0), method=RefundMethod(request.refund_method).label
        )
    elif name == "grant_exception":
        labels = dict(Rule.choices)
        params.update(
            rules=[labels.get(rule, rule) for rule in request.exception_rules],
            breaches=run.inputs.get("_breaches", []),
        )
    return params


def _note(run: TransitionRun) -> str:
    return run.text("reason") or run.text("note") or run.text("inspection_note")


def _record(run: TransitionRun) -> None:
    """One history row per step, and the same step on the work order's timeline."""
    request: ReturnRequest = run.obj
    params = _params(run)
    to_state = RETURN_REQUEST.state_of(request)
    ReturnEvent.objects.create(
        request=request,
        action=run.transition.name,
        from_state=run.from_state,
        to_state=to_state,
        note=_note(run),
        params=stored_params(params),
        actor=run.actor,
        created_at=run.now,
    )
    if request.work_order is not None:
        event_record(
            request.work_order,
            kind=RETURN_EVENT,
            actor=run.actor,
            action=f"return_request_{run.transition.name}",
            params={
                "machine": RETURN_REQUEST.name,
                "transition": run.transition.name,
                "record": request.number,
                "from": run.from_state,
                "to": to_state,
                **{key: value for key, value in params.items() if key != "breaches"},
            },
            note=_note(run),
        )


def _dealer_guard(run: TransitionRun) -> None:
    refusal = dealer_refusal(run.actor, run.obj)
    if refusal is not None:
        raise refusal


# --- the machine ----------------------------------------------------------------------------------

R = ReturnState
RETURN_REQUEST = Machine(
    name="return_request",
    model=ReturnRequest,
    required_messages={
        "reason": gettext_lazy("Give the reason."),
        "carrier": gettext_lazy("Name the carrier (e.g. 顺丰速运)."),
        "tracking_number": gettext_lazy("Enter the tracking number."),
        "inspection_result": gettext_lazy("Record what the inspection found."),
        "refund_amount": gettext_lazy("Enter the amount refunded."),
        "refund_method": gettext_lazy("Say how the money went back."),
        "note": gettext_lazy("Write what the customer said."),
    },
    transitions={
        t.name: t
        for t in (
            Transition(
                "submit",
                gettext_lazy("Submit for review"),
                frozenset({R.DRAFT}),
                R.SUBMITTED,
                REQUESTERS,
                accepts=frozenset({"note"}),
                effects=(stamp("submitted_at"), _rules_kept),
                icon="bi-send",
            ),
            Transition(
                "grant_exception",
                gettext_lazy("Waive the rules (exception)"),
                frozenset({R.DRAFT, R.SUBMITTED}),
                "",
                EXCEPTION_GRANTERS,
                needs=frozenset({"reason"}),
                effects=(_exception,),
                own_work_only=False,
                style="warning",
                icon="bi-shield-exclamation",
            ),
            Transition(
                "approve",
                gettext_lazy("Approve"),
                frozenset({R.SUBMITTED}),
                R.APPROVED,
                REVIEWERS,
                accepts=frozenset({"note"}),
                effects=(_rules_kept, stamp("approved_at"), by_actor("approved_by")),
                own_work_only=False,
                style="success",
            ),
            Transition(
                "refuse",
                gettext_lazy("Refuse"),
                frozenset({R.SUBMITTED}),
                R.REFUSED,
                REVIEWERS,
                needs=frozenset({"reason"}),
                effects=(keep_input("reason", "refusal_reason"), stamp("refused_at"), by_actor("refused_by")),
                own_work_only=False,
                style="danger",
                icon="bi-x-lg",
            ),
            Transition(
                "pickup",
                gettext_lazy("Picked up"),
                frozenset({R.APPROVED}),
                R.PICKED_UP,
                LOGISTICS,
                needs=frozenset({"carrier", "tracking_number"}),
                effects=(
                    keep_input("carrier", "pickup_carrier"),
                    keep_input("tracking_number", "pickup_tracking_number"),
                    stamp("picked_up_at"),
                ),
                own_work_only=False,
                icon="bi-truck",
            ),
            Transition(
                "receive",
                gettext_lazy("Received and inspected"),
                frozenset({R.PICKED_UP}),
                R.RECEIVED,
                LOGISTICS,
                needs=frozenset({"inspection_result"}),
                accepts=frozenset({"inspection_note", "part", "quantity"}),
                effects=(
                    _choice(
                        "inspection_result",
                        InspectionResult,
                        "inspection_result",
                        gettext_lazy("Record what the inspection found."),
                    ),
                    _inspection,
                    stamp("received_at", "inspected_at"),
                    by_actor("inspected_by"),
                    _into_defective_stock,
                ),
                own_work_only=False,
                icon="bi-box-seam",
            ),
            Transition(
                "refund",
                gettext_lazy("Record the refund"),
                frozenset({R.RECEIVED}),
                R.REFUNDED,
                REFUNDERS,
                needs=frozenset({"refund_amount", "refund_method"}),
                accepts=frozenset({"refund_reference"}),
                effects=(
                    _refund,
                    _choice(
                        "refund_method",
                        RefundMethod,
                        "refund_method",
                        gettext_lazy("Say how the money went back."),
                    ),
                    stamp("refunded_at"),
                    by_actor("refunded_by"),
                    _follow_up_due,
                ),
                own_work_only=False,
                applies=_kind_only(ReturnKind.RETURN),
                style="success",
                icon="bi-cash-coin",
            ),
            Transition(
                "ship_replacement",
                gettext_lazy("Replacement shipped"),
                frozenset({R.RECEIVED}),
                R.REPLACEMENT_SHIPPED,
                LOGISTICS,
                needs=frozenset({"carrier", "tracking_number"}),
                accepts=frozenset({"replacement_serial_number"}),
                effects=(
                    keep_input("carrier", "replacement_carrier"),
                    keep_input("tracking_number", "replacement_tracking_number"),
                    keep_input("replacement_serial_number"),
                    stamp("replacement_shipped_at"),
                ),
                own_work_only=False,
                applies=_kind_only(ReturnKind.EXCHANGE),
                icon="bi-truck",
            ),
            Transition(
                "deliver",
                gettext_lazy("Replacement delivered"),
                frozenset({R.REPLACEMENT_SHIPPED}),
                R.DELIVERED,
                LOGISTICS | CUSTOMER_SERVICE,
                accepts=frozenset({"note"}),
                effects=(stamp("replacement_delivered_at"), _follow_up_due),
                own_work_only=False,
                style="success",
                icon="bi-box2-heart",
            ),
            Transition(
                "follow_up",
                gettext_lazy("Followed up with the customer"),
                frozenset({R.REFUNDED, R.DELIVERED}),
                R.FOLLOWED_UP,
                FOLLOWERS,
                needs=frozenset({"note"}),
                effects=(
                    keep_input("note", "follow_up_note"),
                    stamp("followed_up_at"),
                    by_actor("followed_up_by"),
                ),
                own_work_only=False,
                icon="bi-telephone",
            ),
            Transition(
                "close",
                gettext_lazy("Close"),
                frozenset({R.FOLLOWED_UP}),
                R.CLOSED,
                FOLLOWERS,
                accepts=frozenset({"note"}),
                effects=(stamp("closed_at"),),
                own_work_only=False,
                style="secondary",
                icon="bi-archive",
            ),
            Transition(
                "cancel",
                gettext_lazy("Cancel the request"),
                frozenset({R.DRAFT, R.SUBMITTED}),
                R.CANCELLED,
                REQUESTERS,
                needs=frozenset({"reason"}),
                effects=(keep_input("reason", "cancel_reason"), stamp("cancelled_at")),
                style="danger",
                icon="bi-x-circle",
            ),
        )
    },
    record=_record,
    owner=engineer_user_of,
    owner_bound_roles=frozenset({Role.ENGINEER}),
    lock_related=("work_order__engineer", "customer"),
    audited=("purchase_date", "condition", "refund_amount", "refund_method"),
)
RETURN_REQUEST.register_guard(_dealer_guard)
