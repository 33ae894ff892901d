"""The lifecycles of the servicing records, one `core.transitions.Machine` each (ARCHITECTURE.md §4):

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

Each transition declares its sources, target, roles, inputs and what it changes on its own record
(its effects: the inputs checked and kept, the times stamped). What else happens is a hook that
`services/` registers on the machine: the plan message to the customer and its next version
(services/plans.py), the work order completed or sent on site after remote service
(services/remote.py), the external repair a send-out creates, the work order held while the
device is away and resumed when it is back, the depot repair taking the device back
(services/external.py). Every transition is one event on the work order's timeline.

Engineers act only on the work orders assigned to them (`owner`: the work order's engineer). What
is not a transition has a named permission (`START_REMOTE`, `DRAW_UP_PLAN`, `TAKE_IN_DEVICE`,
`KEEP_PROCESS_RECORD`, `FOLLOW_UP_VENDOR`) with the same own-work rule, and a `may_*` function that
the services, pages and panels all ask.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.accounts.choices import Role
from aftersales.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from aftersales.core.money import cny
from aftersales.core.phones import phone_display
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
from aftersales.notifications.choices import Channel as MessageChannel
from aftersales.parts.services.job_parts import job_old_parts_keep
from aftersales.workorders.choices import State
from aftersales.workorders.events import EventType, event_record
from aftersales.workorders.models import WorkOrder
from aftersales.workorders.services import attachment_add
from aftersales.workorders.transitions import WORKORDER

from .choices import (
    ConfirmationMethod,
    DepotState,
    ExternalState,
    PlanState,
    RemoteMethod,
    RemoteState,
    WarrantyState,
)
from .events import REMOTE_SERVICE, REPAIR, SERVICE_PLAN
from .models import DepotRepair, ExternalRepair, RemoteSession, ServicePlan
from .warranty import warranty_check

# --- who --------------------------------------------------------------------------------------------

# Technical work: engineers, their dealer's staff and the supervisors.
TECHNICAL = frozenset({Role.ENGINEER, Role.SUPERVISOR, Role.HQ_ADMIN, Role.DEALER_STAFF})
# Talking to the customer about plans and hand-over: the technical roles and the service office.
CUSTOMER_FACING = TECHNICAL | {Role.AGENT, Role.CLERK}
APPROVERS = frozenset({Role.SUPERVISOR, Role.HQ_ADMIN})
# A device sent to a vendor puts its work order on hold and its return resumes it (R14): the roles
# that handle vendors must also hold and resume work orders (tests/servicing/test_transitions.py
# sends a device out and takes it back as each of them).
VENDOR_HANDLING = frozenset({Role.ENGINEER, Role.SUPERVISOR, Role.DEALER_STAFF, Role.AGENT, Role.DISPATCHER})
# Following a device at a vendor: the vendor handlers and the service office.
FOLLOW_UP = VENDOR_HANDLING | {Role.CLERK}

# Named permissions of what is not a transition (engineers only on their own work orders).
START_REMOTE = Permission(TECHNICAL)  # record a remote session (R6)
DRAW_UP_PLAN = Permission(CUSTOMER_FACING)  # draw up, edit and revise the service plan (R8)
TAKE_IN_DEVICE = Permission(CUSTOMER_FACING)  # take a device in for depot repair (R13)
KEEP_PROCESS_RECORD = Permission(TECHNICAL)  # write the repair process record (R13)
FOLLOW_UP_VENDOR = Permission(FOLLOW_UP)  # log a contact with the vendor (R14)
EXCLUDE_FROM_WARRANTY = Permission(TECHNICAL)  # record why a covered line is charged (R36)
OVERRIDE_WARRANTY = Permission(APPROVERS)  # set the warranty start or a line's payer (R36)
ATTACH_PURCHASE_PROOF = Permission(CUSTOMER_FACING)  # attach the invoice the customer shows (R36)

# States of a depot repair in which its process record takes entries (R13).
RECORD_STATES = frozenset({DepotState.INSPECTED, DepotState.REPAIRING, DepotState.EXTERNAL})
# The content of a service plan (R8), kept by a revision unless changed.
PLAN_FIELDS = ("measures", "parts", "tools", "estimated_hours", "fees_apply", "fee_basis", "fee_note")


def work_order_of(record) -> WorkOrder:
    return record if isinstance(record, WorkOrder) else record.work_order


def _engineer_of(record) -> int | None:
    """The owner of a servicing record: the engineer of the work order it hangs off."""
    engineer = work_order_of(record).engineer
    return engineer.user_id if engineer is not None else None


def permission_check(machine: Machine, permission: Permission, actor, record, refusal: str) -> None:
    """403 with `refusal` unless `actor` has `permission` on `record` (or its work order)."""
    if not machine.permits(permission, actor, record):
        raise NotPermitted(refusal)


def work_order_open_check(work_order: WorkOrder) -> None:
    """Nothing more is recorded on a closed or cancelled work order (409)."""
    if not work_order.is_open:
        raise TransitionNotAllowed(
            _("Work order %(number)s is %(state)s: nothing more can be recorded on it.")
            % {"number": work_order.number, "state": work_order.get_state_display()}
        )


def may_start_remote(user, work_order: WorkOrder) -> bool:
    """R6: record a remote session on this open work order."""
    return work_order.is_open and REMOTE.permits(START_REMOTE, user, work_order)


def may_plan(user, work_order: WorkOrder) -> bool:
    """R8: draw up (or revise) the service plan of this open work order."""
    return work_order.is_open and PLAN.permits(DRAW_UP_PLAN, user, work_order)


def may_edit_plan(user, plan: ServicePlan) -> bool:
    """R8: a plan is edited while it is a draft; afterwards only a revision changes it."""
    return plan.state == PlanState.DRAFT and may_plan(user, plan.work_order)


def may_take_in(user, work_order: WorkOrder) -> bool:
    """R13: take the device of this open work order in for depot repair."""
    return work_order.is_open and DEPOT.permits(TAKE_IN_DEVICE, user, work_order)


def may_keep_record(user, repair: DepotRepair) -> bool:
    """R13: add a line to the process record (between the inspection and the re-check)."""
    return repair.state in RECORD_STATES and DEPOT.permits(KEEP_PROCESS_RECORD, user, repair)


def may_follow_up(user, external: ExternalRepair) -> bool:
    """R14: log a contact with the vendor about a device still there."""
    return external.state == ExternalState.SENT and EXTERNAL.permits(FOLLOW_UP_VENDOR, user, external)


# --- inputs -----------------------------------------------------------------------------------------


def required_text(value: str | None, field: str, message: str | Promise) -> str:
    """The stripped text, or a field error when it is empty."""
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: [str(message)]})
    return text


def money(value: Decimal | str | int | None, field: str) -> Decimal | None:
    """A CNY amount with 2 places, never negative (None: not given)."""
    if value is None or value == "":
        return None
    try:
        amount = cny(str(value))
    except ValueError as error:
        raise ValidationError({field: [_("Enter an amount such as 350.00.")]}) from error
    if amount < 0:
        raise ValidationError({field: [_("The amount cannot be negative.")]})
    return amount


@dataclass(frozen=True)
class Required:
    """Effect: each input (name, field, message) is given, stripped, and kept in its field ("": only
    checked); every missing one is a field error, all at once. Its `needs` are the transition's
    required inputs in the API's schema (`Transition.required_inputs`)."""

    specs: tuple[tuple[str, str, Promise], ...]

    @property
    def needs(self) -> frozenset[str]:
        return frozenset(name for name, _field, _message in self.specs)

    def __call__(self, run: TransitionRun) -> None:
        errors: dict[str, list[str]] = {}
        values: dict[str, Any] = {}
        for name, field, message in self.specs:
            value = run.inputs.get(name)
            value = value.strip() if isinstance(value, str) else value
            if not value:
                errors[name] = [str(message)]
            elif field:
                values[field] = value
        if errors:
            raise ValidationError(errors)
        run.set(**values)


def required(*specs: tuple[str, str, Promise]) -> Effect:
    return Required(specs)


def keep_cost(run: TransitionRun) -> None:
    """R14: the vendor's cost in CNY when given (its change is in the record's history)."""
    amount = money(run.inputs.get("cost"), "cost")
    if amount is not None:
        run.set(cost=amount)


# --- remote sessions (R6) ---------------------------------------------------------------------------


def _steps_added(run: TransitionRun) -> None:
    steps = run.text("steps")
    if steps:
        run.set(steps=f"{run.obj.steps}\n{steps}")


REMOTE_OUTCOME: tuple[Effect, ...] = (
    required(("result", "result", gettext_lazy("Describe the outcome."))),
    _steps_added,
    stamp("ended_at"),
)

# --- service plans (R8) -----------------------------------------------------------------------------


def plan_recipient(work_order: WorkOrder, channel: str) -> str:
    """Where the plan goes by `channel`: the customer's e-mail, else the contact's phone."""
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


def _sent_via(run: TransitionRun) -> None:
    """The channel (SMS unless told), refused when the customer cannot be reached by it."""
    channel = run.inputs.get("sent_via") or MessageChannel.SMS
    plan_recipient(run.obj.work_order, channel)
    run.set(sent_via=channel)


def _not_awaiting_approval(run: TransitionRun) -> None:
    if run.obj.awaits_approval:
        raise TransitionNotAllowed(
            _("This revision needs a supervisor's approval before it is sent."), code="needs_approval"
        )


def _awaiting_approval(run: TransitionRun) -> None:
    if not run.obj.awaits_approval:
        raise TransitionNotAllowed(_("This plan does not need an approval."), code="no_approval_needed")


# --- depot repair (R13) -----------------------------------------------------------------------------


def _photos_kept(run: TransitionRun) -> None:
    """R13: the inspection photos are kept as the work order's attachments (each file checked)."""
    repair = run.obj
    for upload in run.inputs.get("photos") or ():
        try:
            attachment = attachment_add(
                work_order=repair.work_order,
                actor=run.actor,
                upload=upload,
                description=_("Intake inspection photo, %(number)s") % {"number": repair.number},
            )
        except ValidationError as error:
            raise ValidationError({"photos": error.messages}) from error
        repair.photos.add(attachment)


def _warranty_checked(run: TransitionRun) -> None:
    """R13: the warranty as it stands on the day of the inspection."""
    status = warranty_check(run.obj.work_order)
    run.set(warranty=status.state, warranty_until=status.until)


def _work_order_in_service(run: TransitionRun) -> None:
    """R13, R8: the repair is work, so it starts only on a work order in service (which in turn
    starts only once the customer confirmed the service plan)."""
    if run.obj.work_order.state != State.IN_SERVICE:
        raise TransitionNotAllowed(
            _(
                "Start the service on the work order first (work begins once the customer has "
                "confirmed the service plan)."
            ),
            code="work_order_not_in_service",
        )


# A send-out still in the hands of the vendor or not yet finished.
AWAY_STATES = frozenset(
    {ExternalState.SENT, ExternalState.RETURNED, ExternalState.RECHECKED, ExternalState.UNREPAIRABLE}
)


def _device_back(repair: DepotRepair) -> TransitionNotAllowed | None:
    """The device comes back into the depot repair once its send-out is done (R14). Reads the
    prefetched send-outs when a list loaded them."""
    if any(external.state in AWAY_STATES for external in repair.external_repairs.all()):
        return TransitionNotAllowed(
            _("The device is still with the vendor: finish its external repair first.")
        )
    return None


# --- external repair (R14) --------------------------------------------------------------------------


def old_parts_keep(run: TransitionRun) -> None:
    """R29: at hand-back, each catalog part replaced under warranty becomes an old part (job_parts)."""
    job_old_parts_keep(run.obj.parts.all(), work_order=run.obj.work_order, when=run.now)


def _returned_now(run: TransitionRun) -> None:
    run.set(returned_at=run.obj.returned_at or run.now)


# --- the timeline -----------------------------------------------------------------------------------


def label_of(choices: type[models.TextChoices], value: str) -> Promise | str:
    """A stored choice as its label, translated when the event is shown."""
    return choices(value).label if value else ""


def timeline_recorder(
    event_type: EventType,
    prefix: str,
    *,
    notes: Mapping[str, str],
    params: Callable[[Any], dict[str, Any]],
    work_order: Callable[[Any], WorkOrder] = work_order_of,
) -> Callable[[TransitionRun], None]:
    """The `record` of a machine of a record hanging off a work order (servicing's, billing's):
    one event `<prefix>_<transition>` on the work order's timeline with the record, its two states
    and `params(obj)`; `notes` names, per transition, the input that holds the user's own words
    (the event's note); `work_order(obj)` finds the work order (`obj.work_order` by default)."""

    def record(run: TransitionRun) -> None:
        obj = run.obj
        note = notes.get(run.transition.name, "")
        event_record(
            work_order(obj),
            kind=event_type,
            actor=run.actor,
            action=f"{prefix}_{run.transition.name}",
            params={
                "machine": run.machine.name,
                "transition": run.transition.name,
                "record": str(obj),
                "from": run.from_state,
                "to": run.machine.state_of(obj),
                **params(obj),
            },
            note=run.text(note) if note else "",
        )

    return record


# --- the machines -----------------------------------------------------------------------------------


def _machine(name: str, model: type[models.Model], *transitions: Transition, **options: Any) -> Machine:
    return Machine(
        name=name,
        model=model,
        transitions={t.name: t for t in transitions},
        owner=_engineer_of,
        owner_bound_roles=frozenset({Role.ENGINEER}),
        validate=True,
        **options,
    )


REMOTE = _machine(
    "remote_session",
    RemoteSession,
    Transition(
        "solve",
        gettext_lazy("Solved"),
        frozenset({RemoteState.OPEN}),
        RemoteState.SOLVED,
        TECHNICAL,
        accepts=frozenset({"result", "steps", "complete_work_order"}),
        effects=REMOTE_OUTCOME,
        style="success",
    ),
    Transition(
        "escalate",
        gettext_lazy("Escalate to on-site"),
        frozenset({RemoteState.OPEN}),
        RemoteState.ESCALATED,
        TECHNICAL,
        accepts=frozenset({"result", "steps"}),
        effects=REMOTE_OUTCOME,
        style="warning",
    ),
    lock_related=("work_order__engineer",),
    record=timeline_recorder(
        REMOTE_SERVICE,
        "remote",
        notes={"solve": "result", "escalate": "result"},
        params=lambda session: {"method": label_of(RemoteMethod, session.method)},
    ),
)

PLAN = _machine(
    "service_plan",
    ServicePlan,
    Transition(
        "send",
        gettext_lazy("Send to the customer"),
        frozenset({PlanState.DRAFT}),
        PlanState.SENT,
        CUSTOMER_FACING,
        accepts=frozenset({"sent_via"}),
        effects=(_not_awaiting_approval, _sent_via, stamp("sent_at")),
    ),
    Transition(
        "confirm",
        gettext_lazy("Customer confirmed"),
        frozenset({PlanState.SENT}),
        PlanState.CONFIRMED,
        CUSTOMER_FACING,
        accepts=frozenset({"confirmed_by_name", "confirmation_method"}),
        effects=(
            required(
                (
                    "confirmed_by_name",
                    "confirmed_by_name",
                    gettext_lazy("Who at the customer confirmed the plan?"),
                ),
                ("confirmation_method", "confirmation_method", gettext_lazy("How did the customer confirm?")),
            ),
            stamp("confirmed_at"),
            by_actor("recorded_by"),
        ),
        style="success",
    ),
    Transition(
        "reject",
        gettext_lazy("Customer rejected"),
        frozenset({PlanState.SENT}),
        PlanState.REJECTED,
        CUSTOMER_FACING,
        accepts=frozenset({"reason"}),
        effects=(
            required(("reason", "rejection_reason", gettext_lazy("Give the customer's reason."))),
            stamp("rejected_at"),
            by_actor("recorded_by"),
        ),
        style="danger",
    ),
    Transition(
        "revise",
        gettext_lazy("Revise"),
        frozenset({PlanState.SENT, PlanState.REJECTED, PlanState.CONFIRMED}),
        PlanState.REVISED,
        CUSTOMER_FACING,
        accepts=frozenset({"reason", *PLAN_FIELDS}),
        effects=(required(("reason", "", gettext_lazy("Why is the plan revised?"))),),
        style="warning",
    ),
    Transition(
        "approve",
        gettext_lazy("Approve the revision"),
        frozenset({PlanState.DRAFT}),
        PlanState.DRAFT,
        APPROVERS,
        effects=(_awaiting_approval, stamp("approved_at"), by_actor("approved_by")),
    ),
    lock_related=("work_order__engineer", "work_order__customer"),
    record=timeline_recorder(
        SERVICE_PLAN,
        "plan",
        notes={"reject": "reason", "revise": "reason"},
        params=lambda plan: {
            "revision": plan.revision,
            "channel": label_of(MessageChannel, plan.sent_via),
            "confirmed_by": plan.confirmed_by_name,
            "method": label_of(ConfirmationMethod, plan.confirmation_method),
        },
    ),
)

SEND_OUT_INPUTS = frozenset({"vendor", "reason", "vendor_contact", "voucher_number", "voucher_photo"})

DEPOT = _machine(
    "depot_repair",
    DepotRepair,
    Transition(
        "inspect",
        gettext_lazy("Record the intake inspection"),
        frozenset({DepotState.RECEIVED}),
        DepotState.INSPECTED,
        TECHNICAL,
        accepts=frozenset({"appearance", "configuration", "fault_found", "photos"}),
        effects=(
            required(
                ("appearance", "appearance", gettext_lazy("Describe the appearance.")),
                ("configuration", "configuration", gettext_lazy("Describe the configuration.")),
            ),
            keep_input("fault_found"),
            _photos_kept,
            _warranty_checked,
            stamp("inspected_at"),
            by_actor("inspected_by"),
        ),
    ),
    Transition(
        "start_repair",
        gettext_lazy("Start the repair"),
        frozenset({DepotState.INSPECTED}),
        DepotState.REPAIRING,
        TECHNICAL,
        effects=(_work_order_in_service, stamp("repair_started_at"), by_actor("repaired_by")),
    ),
    Transition(
        "send_out",
        gettext_lazy("Send to external repair"),
        frozenset({DepotState.INSPECTED, DepotState.REPAIRING}),
        DepotState.EXTERNAL,
        VENDOR_HANDLING,
        accepts=SEND_OUT_INPUTS,
        style="warning",
    ),
    Transition(
        "vendor_return",
        gettext_lazy("Back from the vendor"),
        frozenset({DepotState.EXTERNAL}),
        DepotState.REPAIRING,
        FOLLOW_UP,
        applies=_device_back,
    ),
    Transition(
        "recheck",
        gettext_lazy("Self re-check passed"),
        frozenset({DepotState.REPAIRING}),
        DepotState.RECHECKED,
        TECHNICAL,
        accepts=frozenset({"result"}),
        effects=(
            required(("result", "recheck_result", gettext_lazy("Describe the re-check."))),
            stamp("rechecked_at"),
            by_actor("rechecked_by"),
        ),
        style="success",
    ),
    Transition(
        "hand_back",
        gettext_lazy("Hand back to the customer"),
        frozenset({DepotState.RECHECKED}),
        DepotState.HANDED_BACK,
        CUSTOMER_FACING,
        accepts=frozenset({"handed_back_to", "confirmation_method"}),
        effects=(
            required(
                ("handed_back_to", "handed_back_to", gettext_lazy("Who took the device back?")),
                ("confirmation_method", "handover_method", gettext_lazy("How did the customer confirm?")),
            ),
            stamp("handed_back_at"),
            old_parts_keep,
        ),
        style="success",
    ),
    lock_related=("work_order__engineer",),
    record=timeline_recorder(
        REPAIR,
        "depot",
        notes={"inspect": "fault_found", "recheck": "result"},
        params=lambda repair: {
            "warranty": label_of(WarrantyState, repair.warranty),
            "handed_back_to": repair.handed_back_to,
            "method": label_of(ConfirmationMethod, repair.handover_method),
        },
    ),
)

EXTERNAL = _machine(
    "external_repair",
    ExternalRepair,
    Transition(
        "receive",
        gettext_lazy("Received back from the vendor"),
        frozenset({ExternalState.SENT}),
        ExternalState.RETURNED,
        VENDOR_HANDLING,
        accepts=frozenset({"vendor_report", "cost"}),
        effects=(keep_cost, keep_input("vendor_report"), stamp("returned_at")),
    ),
    Transition(
        "recheck",
        gettext_lazy("Re-check passed"),
        frozenset({ExternalState.RETURNED}),
        ExternalState.RECHECKED,
        TECHNICAL,
        accepts=frozenset({"result"}),
        effects=(
            required(("result", "recheck_result", gettext_lazy("Describe the re-check."))),
            stamp("rechecked_at"),
        ),
        style="success",
    ),
    Transition(
        "complete",
        gettext_lazy("Done"),
        frozenset({ExternalState.RECHECKED, ExternalState.UNREPAIRABLE}),
        ExternalState.DONE,
        FOLLOW_UP,
        accepts=frozenset({"cost"}),
        effects=(keep_cost, stamp("done_at")),
        style="success",
    ),
    Transition(
        "unrepairable",
        gettext_lazy("Unrepairable"),
        frozenset({ExternalState.SENT, ExternalState.RETURNED}),
        ExternalState.UNREPAIRABLE,
        VENDOR_HANDLING,
        accepts=frozenset({"reason", "cost"}),
        effects=(
            keep_cost,
            required(("reason", "unrepairable_reason", gettext_lazy("Why can it not be repaired?"))),
            _returned_now,
        ),
        style="danger",
    ),
    Transition(
        "resend",
        gettext_lazy("Re-send to another vendor"),
        frozenset({ExternalState.UNREPAIRABLE}),
        ExternalState.RESENT,
        VENDOR_HANDLING,
        accepts=SEND_OUT_INPUTS,
        style="warning",
    ),
    lock_related=("work_order__engineer", "vendor", "sent_by"),
    audited=("cost",),
    record=timeline_recorder(
        REPAIR,
        "external",
        notes={"receive": "vendor_report", "recheck": "result", "unrepairable": "reason"},
        params=lambda external: {"vendor": str(external.vendor)},
    ),
)


def may_exclude_from_warranty(user, work_order: WorkOrder) -> bool:
    """R36: record that a line the warranty covers is charged after all (open work orders)."""
    return work_order.is_open and WORKORDER.permits(EXCLUDE_FROM_WARRANTY, user, work_order)


def may_override_warranty(user, work_order: WorkOrder) -> bool:
    """R36: set the date cover counts from or who pays a line, with a reason (open work orders)."""
    return work_order.is_open and WORKORDER.permits(OVERRIDE_WARRANTY, user, work_order)


def may_attach_purchase_proof(user, work_order: WorkOrder) -> bool:
    """R36: attach the proof of purchase the customer shows (open work orders)."""
    return work_order.is_open and WORKORDER.permits(ATTACH_PURCHASE_PROOF, user, work_order)
