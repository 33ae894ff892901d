"""The lifecycles of the parts app, each one `core.transitions.Machine` (ARCHITECTURE.md §4):
stock transfers and counts (R32), old parts and their shipments to HQ (R29), warranty
reimbursement claims (R31).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.accounts.choices import Role
from aftersales.catalog.pricing import part_prices
from aftersales.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from aftersales.core.money import ZERO, total, yuan
from aftersales.core.transitions import (
    Machine,
    Permission,
    Transition,
    TransitionRun,
    by_actor,
    clear,
    keep_input,
    stamp,
)

from .choices import (
    ClaimState,
    CountState,
    EntryKind,
    InspectionResult,
    LineDecision,
    OldPartState,
    PartRequestState,
    ShipmentState,
    TransferState,
    WarehouseKind,
)
from .models import (
    ClaimEvent,
    CountEvent,
    OldPart,
    OldPartEvent,
    OldPartShipment,
    OldPartShipmentEvent,
    PartRequest,
    PartRequestEvent,
    ReimbursementClaim,
    StockBalance,
    StockCount,
    StockTransfer,
    TransferEvent,
    Warehouse,
)
from .selectors_stock import warehouse_dealer_id
from .services import stock

# --- stock desk: transfers and counts (R32) ---------------------------------------------------------
#
#   transfer (调拨单):  draft ──ship (posts out of the source, in transit)──▶ shipped
#                         │                                                   │
#                         └──cancel (reason)──▶ cancelled       receive (posts in)──▶ received
#
#   count (盘点):       draft ──submit (every line counted)──▶ submitted ──approve (posts the
#                         ▲                                     │          differences)──▶ approved
#                         └──────────recount (reason)───────────┘
#                       draft, submitted ──cancel (reason)──▶ cancelled
#
# Who: HQ's stock keepers (parts clerks, supervisors, HQ admins) everywhere; a dealer's staff on
# their own dealer's warehouses only (ship and cancel from them, receive into them, count them),
# checked by a guard (403; the pages and the API answer 404 first for what they cannot see); an
# engineer receives into their own van only (the parts they asked their service point for). A
# count is approved by HQ (a keeper), never by the dealer that counted. Every step is a
# `TransferEvent` or `CountEvent` (who, when, from, to, note).

# HQ's parts desk and the department heads keep every warehouse.
STOCK_KEEPERS = frozenset({Role.PARTS_CLERK, Role.SUPERVISOR, Role.HQ_ADMIN})
# Who writes stock documents: the keepers, and a dealer's staff on their dealer's warehouses.
STOCK_WRITERS = STOCK_KEEPERS | {Role.DEALER_STAFF}
# Who approves a count's differences into the ledger (HQ only).
COUNT_APPROVERS = STOCK_KEEPERS


def _signed_in(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated)


def may_keep_stock(user: Any) -> bool:
    """HQ's stock keeping: receipts of purchased parts, any warehouse."""
    return _signed_in(user) and user.has_role(*STOCK_KEEPERS)


def may_write_stock(user: Any, warehouse: Warehouse) -> bool:
    """R32, R37: scrap, count, send from or keep reorder rules of this warehouse: HQ's stock
    keepers anywhere, a dealer's staff in their own dealer's active warehouses."""
    if not _signed_in(user) or not warehouse.is_active:
        return False
    if user.has_role(*STOCK_KEEPERS):
        return True
    return (
        user.role == Role.DEALER_STAFF
        and bool(user.dealer_id)
        and warehouse_dealer_id(warehouse) == user.dealer_id
    )


def may_draw_up_stock_documents(user: Any) -> bool:
    """Transfers, counts and reorder rules are drawn up by the stock keepers and a dealer's
    staff (the "new" buttons; the services check the warehouses)."""
    if not _signed_in(user):
        return False
    return user.has_role(*STOCK_KEEPERS) or (user.role == Role.DEALER_STAFF and bool(user.dealer_id))


def van_engineer_user_id(warehouse: Warehouse) -> int | None:
    """The user whose van this is (None for any other warehouse)."""
    engineer = warehouse.engineer if warehouse.kind == WarehouseKind.VAN and warehouse.engineer_id else None
    return engineer.user_id if engineer is not None else None


def _dealer_check(user: Any, warehouse: Warehouse) -> None:
    """A dealer's staff act only on their own dealer's warehouses (403 otherwise)."""
    if not _signed_in(user) or user.role != Role.DEALER_STAFF or user.is_superuser:
        return
    if not user.dealer_id or warehouse_dealer_id(warehouse) != user.dealer_id:
        raise NotPermitted(
            _("%(warehouse)s is not one of your dealer's warehouses.") % {"warehouse": warehouse.name}
        )


NoteOf = Callable[[TransitionRun], str]


def _note_input(run: TransitionRun) -> str:
    return run.text("note") or run.text("reason")


def step_recorder(event_model: type[models.Model], document: str, note: NoteOf = _note_input):
    """The `record` of a parts machine: one step row (`event_model`, whose foreign key to the
    record is `document`) per transition: who, when, the two states and the user's note."""

    def record(run: TransitionRun) -> None:
        event_model._default_manager.create(
            **{document: run.obj},
            action=run.transition.name,
            from_state=run.from_state,
            to_state=run.machine.state_of(run.obj),
            note=note(run),
            # A step the system runs for someone (an old part shipped with its shipment) names them.
            actor=run.actor or run.inputs.get("by"),
            created_at=run.now,
        )

    return record


def _transfer_scope_guard(run: TransitionRun) -> None:
    """Ship and cancel from your own warehouse, receive into your own (dealer staff)."""
    transfer = run.obj
    _dealer_check(run.actor, transfer.destination if run.transition.name == "receive" else transfer.source)


def _has_lines(run: TransitionRun) -> None:
    if not run.obj.lines.exists():
        raise DomainError(_("Add at least one part before shipping."), code="transfer_empty", field="lines")


def _post_shipment(run: TransitionRun) -> None:
    """R32: out of the source at average cost, in transit towards the destination; refused with
    409 `insufficient_stock` (nothing posted) when the source has fewer available."""
    stock.transfer_ship(transfer=run.obj, actor=run.actor)


def _post_receipt(run: TransitionRun) -> None:
    """R32: on hand at the destination at the value the parts left with."""
    stock.transfer_receive(transfer=run.obj, actor=run.actor)


T = TransferState
TRANSFER = Machine(
    name="stock_transfer",
    model=StockTransfer,
    required_messages={"reason": gettext_lazy("Say why the transfer is cancelled.")},
    transitions={
        t.name: t
        for t in (
            Transition(
                "ship",
                gettext_lazy("Ship"),
                frozenset({T.DRAFT}),
                T.SHIPPED,
                STOCK_WRITERS,
                accepts=frozenset({"carrier", "tracking_number", "note"}),
                effects=(
                    _has_lines,
                    keep_input("carrier"),
                    keep_input("tracking_number"),
                    stamp("shipped_at"),
                    by_actor("shipped_by"),
                    _post_shipment,
                ),
                own_work_only=False,
                icon="bi-truck",
            ),
            Transition(
                "receive",
                gettext_lazy("Receive"),
                frozenset({T.SHIPPED}),
                T.RECEIVED,
                STOCK_WRITERS | {Role.ENGINEER},  # an engineer: into their own van only
                accepts=frozenset({"note"}),
                effects=(stamp("received_at"), by_actor("received_by"), _post_receipt),
                style="success",
                icon="bi-box-arrow-in-down",
            ),
            Transition(
                "cancel",
                gettext_lazy("Cancel the transfer"),
                frozenset({T.DRAFT}),
                T.CANCELLED,
                STOCK_WRITERS,
                needs=frozenset({"reason"}),
                own_work_only=False,
                style="danger",
                icon="bi-x-circle",
            ),
        )
    },
    record=step_recorder(TransferEvent, "transfer"),
    owner=lambda transfer: van_engineer_user_id(transfer.destination),
    owner_bound_roles=frozenset({Role.ENGINEER}),
    lock_related=(
        "source__service_point",
        "source__engineer__service_point",
        "destination__service_point",
        "destination__engineer__service_point",
    ),
    audited=("carrier", "tracking_number"),
)
TRANSFER.register_guard(_transfer_scope_guard)


def may_edit_transfer(user: Any, transfer: StockTransfer) -> bool:
    """A draft's lines change for whoever may send from its source."""
    return transfer.state == TransferState.DRAFT and may_write_stock(user, transfer.source)


def _count_scope_guard(run: TransitionRun) -> None:
    _dealer_check(run.actor, run.obj.warehouse)


def _all_counted(run: TransitionRun) -> None:
    """Every line of the sheet says what was found before it goes for approval."""
    missing = run.obj.lines.filter(counted__isnull=True).count()
    if missing:
        raise DomainError(
            _("%(count)s lines are not counted yet: enter what you found (0 if none).") % {"count": missing},
            code="count_incomplete",
            field="lines",
        )


def count_unit_costs(warehouse_id: int, part_ids: list[int]) -> dict[int, Decimal]:
    """What a surplus found in a count is worth per unit: today's cost price list (R30), else the
    balance's average cost, else nothing."""
    costs = {
        part_id: price.cost for part_id, price in part_prices(part_ids, day=timezone.localdate()).items()
    }
    for balance in StockBalance.objects.filter(warehouse_id=warehouse_id, part_id__in=part_ids):
        if balance.part_id not in costs and balance.on_hand:
            costs[balance.part_id] = stock.average_cost(balance)
    return costs


def _post_adjustments(run: TransitionRun) -> None:
    """R32: the differences (counted − expected) post as adjustment moves: a shortage leaves at
    average cost, a surplus comes in at `count_unit_costs`; what moved while counting stays."""
    count = run.obj
    differences = {
        line.part_id: line.counted - line.expected
        for line in count.lines.all()
        if line.counted is not None and line.counted != line.expected
    }
    if differences:
        stock.adjust(
            warehouse=count.warehouse,
            differences=differences,
            unit_costs=count_unit_costs(count.warehouse_id, list(differences)),
            actor=run.actor,
            reference=count.number,
        )


K = CountState
COUNT = Machine(
    name="stock_count",
    model=StockCount,
    required_messages={"reason": gettext_lazy("Give the reason.")},
    transitions={
        t.name: t
        for t in (
            Transition(
                "submit",
                gettext_lazy("Submit for approval"),
                frozenset({K.DRAFT}),
                K.SUBMITTED,
                STOCK_WRITERS,
                accepts=frozenset({"note"}),
                effects=(_all_counted, stamp("submitted_at")),
                own_work_only=False,
                icon="bi-send",
            ),
            Transition(
                "approve",
                gettext_lazy("Approve and adjust stock"),
                frozenset({K.SUBMITTED}),
                K.APPROVED,
                COUNT_APPROVERS,
                accepts=frozenset({"note"}),
                effects=(stamp("approved_at"), by_actor("approved_by"), _post_adjustments),
                own_work_only=False,
                style="success",
            ),
            Transition(
                "recount",
                gettext_lazy("Send back for a recount"),
                frozenset({K.SUBMITTED}),
                K.DRAFT,
                COUNT_APPROVERS,
                needs=frozenset({"reason"}),
                effects=(clear("submitted_at"),),
                own_work_only=False,
                style="warning",
                icon="bi-arrow-counterclockwise",
            ),
            Transition(
                "cancel",
                gettext_lazy("Cancel the count"),
                frozenset({K.DRAFT, K.SUBMITTED}),
                K.CANCELLED,
                STOCK_WRITERS,
                needs=frozenset({"reason"}),
                own_work_only=False,
                style="danger",
                icon="bi-x-circle",
            ),
        )
    },
    record=step_recorder(CountEvent, "count"),
    lock_related=("warehouse__service_point", "warehouse__engineer__service_point"),
)
COUNT.register_guard(_count_scope_guard)


def may_count(user: Any, count: StockCount) -> bool:
    """Enter counted quantities: on a sheet still being counted, in a warehouse the user keeps."""
    return count.state == CountState.DRAFT and may_write_stock(user, count.warehouse)


# --- old parts, their shipments to HQ and the reimbursement claims (R29, R31) -----------------------
#
#   old part:  registered ──report──▶ reported ──ship*──▶ shipped ──receive*──▶ received
#                                                        received ──inspect (result)──▶ inspected
#   shipment:  draft ──ship (carrier, tracking number)──▶ shipped ──receive──▶ received
#   claim:     in review ──approve (every line decided)──▶ approved ──credit──▶ credited
#                  ▲────────────────reopen (reason)───────────┘
#
# * an old part travels with its shipment: its "ship" and "receive" are the system's, run by the
#   shipment's transitions, so a batch's stock moves post together and every part records its step.

# Who keeps old parts at a service point and sends them to HQ: the dealer's staff, and for HQ's own
# points its clerks and dispatchers; HQ's parts desk and department heads may act for them.
POINT_STAFF = frozenset(
    {Role.DEALER_STAFF, Role.CLERK, Role.DISPATCHER, Role.PARTS_CLERK, Role.SUPERVISOR, Role.HQ_ADMIN}
)
# Who records old parts replaced: engineers (on their point's work orders), and the point's staff.
REGISTERING = POINT_STAFF | {Role.ENGINEER}
# HQ's parts desk receives shipments; quality joins it to inspect what came back.
HQ_RECEIVING = frozenset({Role.PARTS_CLERK, Role.SUPERVISOR, Role.HQ_ADMIN})
HQ_INSPECTING = HQ_RECEIVING | {Role.QUALITY}
# HQ reviews claims line by line; finance credits them and reverses penalties (the appeal).
CLAIM_REVIEWERS = frozenset({Role.PARTS_CLERK, Role.FINANCE, Role.SUPERVISOR, Role.HQ_ADMIN})
CLAIM_CREDITORS = frozenset({Role.FINANCE, Role.SUPERVISOR, Role.HQ_ADMIN})

PACK_SHIPMENT = Permission(POINT_STAFF, own_work_only=False)
REVIEW_CLAIM = Permission(CLAIM_REVIEWERS, own_work_only=False)
BUILD_CLAIMS = Permission(CLAIM_REVIEWERS, own_work_only=False)
REVERSE_PENALTY = Permission(CLAIM_CREDITORS, own_work_only=False)


def _step_add(
    event_model: type[models.Model], document: str, record: Any, *, action: str, actor, note: str
) -> models.Model:
    """A step of a record that is not a transition, in its history (R41)."""
    return event_model._default_manager.create(
        **{document: record},
        action=action,
        from_state=record.state,
        to_state=record.state,
        note=note,
        actor=actor,
        created_at=timezone.now(),
    )


def old_part_step(old_part: OldPart, *, action: str, actor, note: str = "") -> models.Model:
    """Registered, photo, penalty charged or reversed."""
    return _step_add(OldPartEvent, "old_part", old_part, action=action, actor=actor, note=note)


def shipment_step(shipment: OldPartShipment, *, action: str, actor, note: str = "") -> models.Model:
    """Packed, a part added or taken off."""
    return _step_add(OldPartShipmentEvent, "shipment", shipment, action=action, actor=actor, note=note)


def claim_step(claim: ReimbursementClaim, *, action: str, actor, note: str = "") -> models.Model:
    """Built, lines added, a line decided."""
    return _step_add(ClaimEvent, "claim", claim, action=action, actor=actor, note=note)


# --- old part ---------------------------------------------------------------------------------------


def _inspection(run: TransitionRun) -> None:
    """R29: HQ's finding: confirmed faulty, not faulty, or not the part on the record."""
    result = run.text("inspection_result")
    if result not in InspectionResult.values:
        raise DomainError(_("Choose the inspection result."), code="invalid", field="inspection_result")
    run.set(inspection_result=result, inspection_note=run.text("note"), inspected_at=run.now)


def _inspection_note(run: TransitionRun) -> str:
    if run.transition.name != "inspect":
        return _note_input(run)
    finding = str(InspectionResult(run.obj.inspection_result).label)
    return f"{finding}: {run.text('note')}" if run.text("note") else finding


def _engineer_of(old_part: OldPart) -> int | None:
    engineer = old_part.work_order.engineer
    return engineer.user_id if engineer is not None else None


P = OldPartState
OLD_PART = Machine(
    name="old_part",
    model=OldPart,
    transitions={
        t.name: t
        for t in (
            Transition(
                "report",
                gettext_lazy("Report to HQ"),
                frozenset({P.REGISTERED}),
                P.REPORTED,
                POINT_STAFF,
                accepts=frozenset({"note"}),
                effects=(stamp("reported_at"),),
                own_work_only=False,
                icon="bi-megaphone",
            ),
            # The system's: the old part leaves and reaches HQ with its shipment (`by`: who shipped
            # or received it, `note`: the shipment, both recorded in its history).
            Transition(
                "ship",
                gettext_lazy("Sent to HQ"),
                frozenset({P.REPORTED}),
                P.SHIPPED,
                frozenset(),
                accepts=frozenset({"by", "note"}),
                icon="bi-truck",
            ),
            Transition(
                "receive",
                gettext_lazy("Received at HQ"),
                frozenset({P.SHIPPED}),
                P.RECEIVED,
                frozenset(),
                accepts=frozenset({"by", "note"}),
            ),
            Transition(
                "inspect",
                gettext_lazy("Record the inspection"),
                frozenset({P.RECEIVED}),
                P.INSPECTED,
                HQ_INSPECTING,
                needs=frozenset({"inspection_result"}),
                accepts=frozenset({"note"}),
                effects=(_inspection,),
                own_work_only=False,
                icon="bi-search",
            ),
        )
    },
    record=step_recorder(OldPartEvent, "old_part", _inspection_note),
    owner=_engineer_of,
    owner_bound_roles=frozenset({Role.ENGINEER}),
    lock_related=("work_order__engineer", "part", "service_point"),
    required_messages={"inspection_result": gettext_lazy("Choose the inspection result.")},
)


def may_register_old_part(user, work_order) -> bool:
    """R29: record an old part replaced on this work order: an engineer on a work order of theirs
    or of their service point (a colleague's visit), the point's staff, HQ."""
    if user is None:
        return True
    if not user.has_role(*REGISTERING):
        return False
    if user.role == Role.ENGINEER and not user.is_superuser:
        engineer = getattr(user, "engineer", None)
        if engineer is None:
            return False
        same_point = work_order.service_point_id == engineer.service_point_id
        return work_order.engineer_id == engineer.pk or same_point
    return True


def may_edit_old_part(user, old_part: OldPart) -> bool:
    """R29: add its photo or condition while it is still at the service point."""
    return old_part.state in (P.REGISTERED, P.REPORTED) and may_register_old_part(user, old_part.work_order)


# --- shipment of old parts to HQ ----------------------------------------------------------------------


def _carrier(run: TransitionRun) -> None:
    run.set(carrier=run.text("carrier"), tracking_number=run.text("tracking_number"))


def _ship_old_parts(run: TransitionRun) -> None:
    """R29: out of the point's defective location, on their way to HQ's; each part "shipped"."""
    from .services.old_parts import shipment_old_parts_ship

    shipment_old_parts_ship(run.obj, actor=run.actor)


def _receive_old_parts(run: TransitionRun) -> None:
    """R29: into HQ's defective location; each part "received"."""
    from .services.old_parts import shipment_old_parts_receive

    shipment_old_parts_receive(run.obj, actor=run.actor)


S = ShipmentState
OLD_PART_SHIPMENT = Machine(
    name="old_part_shipment",
    model=OldPartShipment,
    transitions={
        t.name: t
        for t in (
            Transition(
                "ship",
                gettext_lazy("Ship to HQ"),
                frozenset({S.DRAFT}),
                S.SHIPPED,
                POINT_STAFF,
                needs=frozenset({"carrier", "tracking_number"}),
                accepts=frozenset({"note"}),
                effects=(_carrier, _ship_old_parts, stamp("shipped_at")),
                own_work_only=False,
                icon="bi-truck",
            ),
            Transition(
                "receive",
                gettext_lazy("Receive at HQ"),
                frozenset({S.SHIPPED}),
                S.RECEIVED,
                HQ_RECEIVING,
                accepts=frozenset({"note"}),
                effects=(_receive_old_parts, stamp("received_at")),
                own_work_only=False,
                style="success",
                icon="bi-box-seam",
            ),
        )
    },
    record=step_recorder(OldPartShipmentEvent, "shipment"),
    lock_related=("service_point",),
    required_messages={
        "carrier": gettext_lazy("Name the carrier."),
        "tracking_number": gettext_lazy("Enter the tracking number."),
    },
)


# --- reimbursement claim -----------------------------------------------------------------------------


def _every_line_decided(run: TransitionRun) -> None:
    """R31: a claim is approved once HQ approved or rejected each of its lines."""
    pending = run.obj.lines.filter(decision=LineDecision.PENDING).count()
    if pending:
        raise TransitionNotAllowed(
            _("Approve or reject every line first: %(count)d still to review.") % {"count": pending},
            code="claim_lines_pending",
        )


def _approved_total(run: TransitionRun) -> None:
    """R31: what is reimbursed is the sum of the approved lines (each rounded, core.money)."""
    amounts = run.obj.lines.filter(decision=LineDecision.APPROVED).values_list("amount", flat=True)
    run.set(approved_total=total(amounts), reviewed_by=run.actor)


def _reset_approval(run: TransitionRun) -> None:
    run.set(approved_total=ZERO)


def _credit(run: TransitionRun) -> None:
    """R31: the approved total is credited to the dealer's account, once per claim (the entry's
    unique constraint; nothing is posted for a claim whose lines were all rejected)."""
    from .services.accounts import entry_post

    claim = run.obj
    if claim.approved_total <= 0:
        return
    entry_post(
        dealer=claim.dealer,
        kind=EntryKind.REIMBURSEMENT,
        amount=-claim.approved_total,
        actor=run.actor,
        reason=_("Warranty reimbursement %(number)s for %(month)s: %(amount)s")
        % {"number": claim.number, "month": f"{claim.month:%Y-%m}", "amount": yuan(claim.approved_total)},
        reference=claim.number,
        claim=claim,
    )


C = ClaimState
CLAIM = Machine(
    name="reimbursement_claim",
    model=ReimbursementClaim,
    transitions={
        t.name: t
        for t in (
            Transition(
                "approve",
                gettext_lazy("Approve the claim"),
                frozenset({C.IN_REVIEW}),
                C.APPROVED,
                CLAIM_REVIEWERS,
                accepts=frozenset({"note"}),
                effects=(_every_line_decided, _approved_total, stamp("approved_at")),
                own_work_only=False,
                style="success",
            ),
            Transition(
                "credit",
                gettext_lazy("Credit the dealer's account"),
                frozenset({C.APPROVED}),
                C.CREDITED,
                CLAIM_CREDITORS,
                accepts=frozenset({"note"}),
                effects=(_credit, stamp("credited_at")),
                own_work_only=False,
                icon="bi-cash-coin",
            ),
            Transition(
                "reopen",
                gettext_lazy("Reopen the review"),
                frozenset({C.APPROVED}),
                C.IN_REVIEW,
                CLAIM_REVIEWERS,
                needs=frozenset({"note"}),
                effects=(_reset_approval, clear("approved_at")),
                own_work_only=False,
                style="warning",
                icon="bi-arrow-counterclockwise",
            ),
        )
    },
    record=step_recorder(ClaimEvent, "claim"),
    lock_related=("dealer",),
    required_messages={"note": gettext_lazy("Say why the review is reopened.")},
)


def may_review_claims(user: Any) -> bool:
    return bool(user.is_authenticated) and CLAIM.permits(REVIEW_CLAIM, user, None)


def may_reverse_penalties(user: Any) -> bool:
    return bool(user.is_authenticated) and OLD_PART.permits(REVERSE_PENALTY, user, None)


# --- part requests (售后服务配件申请单, R28, R30) -------------------------------------------------------
#
#   draft ──submit (≥1 line)──▶ submitted ──confirm (quantities, unit costs, ship date)──▶ confirmed
#     │                            └──reject (reason)──▶ rejected
#     └──cancel──▶ cancelled ◀──cancel── submitted, confirmed
#   confirmed ──accept──▶ accepted ──debit (finance; over the credit limit only when approved)──▶ debited
#   debited ──ship (carrier, tracking number: a transfer in transit)──▶ shipped ──receive──▶ received
#
# The dealer's staff draw up, submit, accept, receive and cancel their own dealer's requests; HQ's
# parts desk confirms, rejects and ships; finance debits the dealer's account, once.

REQUESTING = frozenset({Role.DEALER_STAFF})
HQ_PARTS_DESK = frozenset({Role.PARTS_CLERK, Role.HQ_ADMIN})
DEBITING = frozenset({Role.FINANCE})
# Who reads part requests besides the dealers' own staff: HQ's desks (R37).
REQUEST_READERS = HQ_PARTS_DESK | DEBITING | frozenset({Role.SUPERVISOR})
DRAW_UP_REQUEST = Permission(REQUESTING, own_work_only=False)


def _request_effect(name: str):
    """An effect carried out by services.requests (the postings and documents it makes)."""

    def effect(run: TransitionRun) -> None:
        from .services import requests

        getattr(requests, name)(run)

    effect.__name__ = name
    return effect


def _has_request_lines(run: TransitionRun) -> None:
    """R28: a request names at least one part."""
    if not run.obj.lines.exists():
        raise DomainError(_("Add at least one part before submitting."), code="part_request_empty")


def _keep_reason(run: TransitionRun) -> None:
    run.set(reject_reason=run.text("reason")[:255])


def _own_dealer(run: TransitionRun) -> None:
    """R37: a dealer's staff act only on their own dealer's requests."""
    actor = run.actor
    if actor is None or actor.is_superuser or actor.role != Role.DEALER_STAFF:
        return
    if actor.dealer_id != run.obj.dealer_id:
        raise NotPermitted(_("This part request belongs to another dealer."))


R = PartRequestState
PART_REQUEST = Machine(
    name="part_request",
    model=PartRequest,
    transitions={
        t.name: t
        for t in (
            Transition(
                "submit",
                gettext_lazy("Submit to HQ"),
                frozenset({R.DRAFT}),
                R.SUBMITTED,
                REQUESTING,
                accepts=frozenset({"note"}),
                effects=(_has_request_lines, stamp("submitted_at")),
                own_work_only=False,
                icon="bi-send",
            ),
            Transition(
                "confirm",
                gettext_lazy("Confirm items and costs"),
                frozenset({R.SUBMITTED}),
                R.CONFIRMED,
                HQ_PARTS_DESK,
                needs=frozenset({"expected_ship_date"}),
                accepts=frozenset({"lines", "note"}),
                effects=(_request_effect("confirm_lines"), stamp("confirmed_at"), by_actor("confirmed_by")),
                own_work_only=False,
                style="success",
            ),
            Transition(
                "reject",
                gettext_lazy("Reject"),
                frozenset({R.SUBMITTED}),
                R.REJECTED,
                HQ_PARTS_DESK,
                needs=frozenset({"reason"}),
                effects=(_keep_reason,),
                own_work_only=False,
                style="danger",
                icon="bi-x-lg",
            ),
            Transition(
                "accept",
                gettext_lazy("Accept the confirmed request"),
                frozenset({R.CONFIRMED}),
                R.ACCEPTED,
                REQUESTING,
                accepts=frozenset({"note"}),
                effects=(stamp("accepted_at"), _request_effect("credit_check")),
                own_work_only=False,
                style="success",
            ),
            Transition(
                "debit",
                gettext_lazy("Debit the dealer's account"),
                frozenset({R.ACCEPTED}),
                R.DEBITED,
                DEBITING,
                accepts=frozenset({"approve_over_limit", "note"}),
                effects=(_request_effect("debit_account"), stamp("debited_at")),
                own_work_only=False,
                icon="bi-cash-coin",
            ),
            Transition(
                "ship",
                gettext_lazy("Ship"),
                frozenset({R.DEBITED}),
                R.SHIPPED,
                HQ_PARTS_DESK,
                needs=frozenset({"carrier", "tracking_number"}),
                accepts=frozenset({"note"}),
                effects=(_request_effect("ship_parts"),),
                own_work_only=False,
                icon="bi-truck",
            ),
            Transition(
                "receive",
                gettext_lazy("Parts received"),
                frozenset({R.SHIPPED}),
                R.RECEIVED,
                REQUESTING,
                accepts=frozenset({"note"}),
                effects=(_request_effect("receive_parts"),),
                own_work_only=False,
                style="success",
                icon="bi-box-seam",
            ),
            Transition(
                "cancel",
                gettext_lazy("Cancel the request"),
                frozenset({R.DRAFT, R.SUBMITTED, R.CONFIRMED}),
                R.CANCELLED,
                REQUESTING,
                accepts=frozenset({"note"}),
                own_work_only=False,
                style="outline-danger",
                icon="bi-x-circle",
            ),
        )
    },
    record=step_recorder(PartRequestEvent, "request"),
    lock_related=("dealer", "service_point"),
    required_messages={
        "expected_ship_date": gettext_lazy("Give the estimated ship date."),
        "reason": gettext_lazy("Say why the request is rejected."),
        "carrier": gettext_lazy("Name the carrier."),
        "tracking_number": gettext_lazy("Enter the tracking number."),
    },
)
PART_REQUEST.register_guard(_own_dealer)
PART_REQUEST.register_hook(_request_effect("notify_step"))


def may_draw_up_part_request(user: Any) -> bool:
    """R28: a dealer's staff draw up their dealer's part requests."""
    return bool(user.is_authenticated and user.dealer_id) and PART_REQUEST.permits(
        DRAW_UP_REQUEST, user, None
    )


def may_read_part_requests(user: Any) -> bool:
    """R28: HQ's desks read every request, a dealer's staff their own dealer's."""
    return bool(user.is_authenticated) and (
        user.has_role(*REQUEST_READERS) or (user.role == Role.DEALER_STAFF and bool(user.dealer_id))
    )
