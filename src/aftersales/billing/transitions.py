"""The quote's lifecycle, one `core.transitions.Machine` (ARCHITECTURE.md §4; R8, R9)::

    draft ──send──▶ sent ──approve (who, how, signature)──▶ approved
      ▲               └──reject (reason)──▶ rejected
      │   sent, rejected, approved ──revise (reason)──▶ revised, and a new draft version
      └── authorise (a supervisor, for revisions beyond the free ones)

Who may draw up and answer quotes are the customer-facing roles of servicing (engineers on their
own work orders only); supervisors authorise revisions beyond the free ones (R8). Approval
freezes the version's lines (`content_hash`); settlement checks charges against them (R9).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.accounts.choices import Role
from aftersales.core.errors import DomainError, TransitionNotAllowed
from aftersales.core.money import yuan
from aftersales.core.transitions import Machine, Permission, Transition, TransitionRun, by_actor, clear, stamp
from aftersales.notifications.choices import Channel as MessageChannel
from aftersales.servicing.transitions import (
    APPROVERS,
    CUSTOMER_FACING,
    label_of,
    required,
    timeline_recorder,
    work_order_of,
    work_order_open_check,
)
from aftersales.workorders.models import WorkOrder

from .choices import (
    ApprovalMethod,
    InvoiceDelivery,
    InvoiceState,
    QuoteState,
    SettlementState,
    WaiverKind,
    WaiverState,
)
from .events import INVOICE as INVOICE_EVENT
from .events import QUOTE as QUOTE_EVENT
from .events import SETTLEMENT as SETTLEMENT_EVENT
from .models import InvoiceRequest, Quote, Settlement
from .selectors import quote_content_hash

DRAW_UP_QUOTE = Permission(CUSTOMER_FACING)  # draw up, edit and revise quotes (R8, R9)
READ_QUOTES = Permission(CUSTOMER_FACING | {Role.FINANCE, Role.QUALITY}, own_work_only=False)
# Settle the fees and take payments: the engineer on site, the front office, finance (R15).
SETTLE = Permission(CUSTOMER_FACING | {Role.FINANCE})
# Give money back: finance and the department heads only.
REFUND = Permission(frozenset({Role.FINANCE, Role.SUPERVISOR, Role.HQ_ADMIN}), own_work_only=False)


def _engineer_of(record) -> int | None:
    engineer = work_order_of(record).engineer
    return engineer.user_id if engineer is not None else None


def _has_lines(run: TransitionRun) -> None:
    """R9: a quote is itemised; an empty one is not sent."""
    if not run.obj.lines.exists():
        raise DomainError(_("Add at least one line before sending the quote."), code="quote_empty")


def _not_awaiting_authorisation(run: TransitionRun) -> None:
    """R8: a revision beyond the free ones is sent once a supervisor authorised it."""
    if run.obj.awaits_authorisation:
        raise TransitionNotAllowed(
            _("This revision needs a supervisor's authorisation before it is sent."),
            code="quote_needs_authorisation",
        )


def _awaiting_authorisation(run: TransitionRun) -> None:
    if not run.obj.awaits_authorisation:
        raise TransitionNotAllowed(
            _("This quote needs no authorisation."), code="quote_no_authorisation_needed"
        )


def _sent_via(run: TransitionRun) -> None:
    channel = run.inputs.get("sent_via") or MessageChannel.SMS
    if channel not in MessageChannel.values:
        raise DomainError(_("Choose how the quote is sent."), code="invalid", field="sent_via")
    run.set(sent_via=channel)


def _approval(run: TransitionRun) -> None:
    """R8: how the customer approved; a signature on screen comes with its image (the service
    checked and converted it)."""
    method = run.inputs.get("approval_method")
    if method not in ApprovalMethod.values:
        raise DomainError(_("Say how the customer approved."), code="required", field="approval_method")
    signature = run.inputs.get("signature")
    if method == ApprovalMethod.SIGNATURE and signature is None:
        raise DomainError(_("Have the customer sign on the screen."), code="required", field="signature")
    if signature is not None:
        run.set(signature=signature)
    run.set(approval_method=method)


def _frozen(run: TransitionRun) -> None:
    """R9: the approved lines are frozen: their hash is kept and checked at settlement."""
    run.set(content_hash=quote_content_hash(run.obj))


def _work_order_open(run: TransitionRun) -> None:
    """Nothing changes on the quote of a closed or cancelled work order."""
    work_order_open_check(run.obj.work_order)


Q = QuoteState
QUOTE = Machine(
    name="quote",
    model=Quote,
    transitions={
        t.name: t
        for t in (
            Transition(
                "send",
                gettext_lazy("Send to the customer"),
                frozenset({Q.DRAFT}),
                Q.SENT,
                CUSTOMER_FACING,
                accepts=frozenset({"sent_via"}),
                effects=(_has_lines, _not_awaiting_authorisation, _sent_via, stamp("sent_at")),
                icon="bi-send",
            ),
            Transition(
                "approve",
                gettext_lazy("Customer approved"),
                frozenset({Q.SENT}),
                Q.APPROVED,
                CUSTOMER_FACING,
                accepts=frozenset({"approved_by_name", "approval_method", "signature"}),
                effects=(
                    required(
                        (
                            "approved_by_name",
                            "approved_by_name",
                            gettext_lazy("Who at the customer approved the quote?"),
                        ),
                    ),
                    _approval,
                    stamp("approved_at"),
                    by_actor("recorded_by"),
                    _frozen,
                ),
                style="success",
            ),
            Transition(
                "reject",
                gettext_lazy("Customer rejected"),
                frozenset({Q.SENT}),
                Q.REJECTED,
                CUSTOMER_FACING,
                accepts=frozenset({"reason"}),
                effects=(
                    required(("reason", "rejection_reason", gettext_lazy("Give the customer's reason."))),
                    stamp("rejected_at"),
                    by_actor("recorded_by"),
                ),
                style="danger",
                icon="bi-x-lg",
            ),
            Transition(
                "revise",
                gettext_lazy("Revise"),
                frozenset({Q.SENT, Q.REJECTED, Q.APPROVED}),
                Q.REVISED,
                CUSTOMER_FACING,
                accepts=frozenset({"reason"}),
                effects=(required(("reason", "", gettext_lazy("Why is the quote revised?"))),),
                style="warning",
                icon="bi-pencil",
            ),
            Transition(
                "authorise",
                gettext_lazy("Authorise the revision"),
                frozenset({Q.DRAFT}),
                Q.DRAFT,
                APPROVERS,
                effects=(_awaiting_authorisation, stamp("authorised_at"), by_actor("authorised_by")),
            ),
        )
    },
    record=timeline_recorder(
        QUOTE_EVENT,
        "quote",
        notes={"reject": "reason", "revise": "reason"},
        params=lambda quote: {
            "channel": label_of(MessageChannel, quote.sent_via),
            "approved_by": quote.approved_by_name,
            "method": label_of(ApprovalMethod, quote.approval_method),
            "customer_total": yuan(quote.customer_total),
        },
    ),
    owner=_engineer_of,
    owner_bound_roles=frozenset({Role.ENGINEER}),
    lock_related=("work_order__engineer", "work_order__customer"),
    validate=True,
)
QUOTE.register_guard(_work_order_open)


def may_draw_up_quote(user, work_order: WorkOrder) -> bool:
    """R8, R9: draw up (or revise) the quote of this open work order."""
    return work_order.is_open and QUOTE.permits(DRAW_UP_QUOTE, user, work_order)


def may_edit_quote(user, quote: Quote) -> bool:
    """R9: a quote's lines change while it is a draft; afterwards only a revision changes them."""
    return quote.state == QuoteState.DRAFT and may_draw_up_quote(user, quote.work_order)


def may_read_quotes(user) -> bool:
    return bool(user.is_authenticated) and QUOTE.permits(READ_QUOTES, user, None)


def may_settle(user, work_order: WorkOrder) -> bool:
    """R15: settle this work order's fees and take its payments."""
    return QUOTE.permits(SETTLE, user, work_order)


def may_refund(user) -> bool:
    return bool(user.is_authenticated) and QUOTE.permits(REFUND, user, None)


# --- the settlement (R10, R11, R15) -----------------------------------------------------------------


def _settlement_params(settlement: Settlement) -> dict[str, Any]:
    """What a fee decision's events say: the request (the latest), the amount asked for or
    waived, the decision, and what is still owed."""
    waiver = settlement.waivers.order_by("-pk").first()
    if waiver is None:
        return {"balance": yuan(settlement.balance)}
    amount = waiver.amount_approved if waiver.amount_approved is not None else waiver.amount_requested
    return {
        "balance": yuan(settlement.balance),
        "request": label_of(WaiverKind, waiver.kind),
        "decision": label_of(WaiverState, waiver.state),
        "amount": yuan(amount),
    }


S = SettlementState
SETTLEMENT = Machine(
    name="settlement",
    model=Settlement,
    transitions={
        t.name: t
        for t in (
            Transition(
                "request_decision",
                gettext_lazy("Customer refuses or asks for a waiver"),
                frozenset({S.OPEN}),
                S.AWAITING_DECISION,
                CUSTOMER_FACING,
                needs=frozenset({"note"}),
                style="warning",
            ),
            Transition(
                "decide",
                gettext_lazy("Decide on the fees"),
                frozenset({S.AWAITING_DECISION}),
                S.OPEN,
                APPROVERS,
                needs=frozenset({"note"}),
                own_work_only=False,
            ),
            # The system's own: the balance reached zero, or a refund made it positive again.
            Transition(
                "settle",
                gettext_lazy("Settled"),
                frozenset({S.OPEN}),
                S.SETTLED,
                frozenset(),
                effects=(stamp("settled_at"),),
            ),
            Transition(
                "reopen",
                gettext_lazy("Owed again"),
                frozenset({S.SETTLED}),
                S.OPEN,
                frozenset(),
                effects=(clear("settled_at"),),
            ),
        )
    },
    record=timeline_recorder(
        SETTLEMENT_EVENT,
        "settlement",
        notes={"request_decision": "note", "decide": "note"},
        params=_settlement_params,
    ),
    owner=_engineer_of,
    owner_bound_roles=frozenset({Role.ENGINEER}),
    lock_related=("work_order__engineer", "work_order__customer"),
)


def may_decide_fees(user) -> bool:
    """R11: decide on refusals, waivers and discounts (supervisors)."""
    return bool(user.is_authenticated) and SETTLEMENT.permits(SETTLEMENT["decide"], user, None)


# --- invoice requests (R10) -------------------------------------------------------------------------

# Who records invoices issued and sent: finance and the department heads.
INVOICING = frozenset({Role.FINANCE, Role.SUPERVISOR, Role.HQ_ADMIN})


def _invoice_number(run: TransitionRun) -> None:
    """R10: the number printed on the invoice: 20 digits (数电票) or 8 (the older paper ones)."""
    number = run.text("invoice_number").replace(" ", "")
    if not number.isdigit() or len(number) not in (8, 20):
        raise DomainError(
            _("Enter the invoice number: 20 digits (digital invoice) or 8 digits."),
            code="invalid_invoice_number",
            field="invoice_number",
        )
    issued_on = run.inputs.get("issued_on") or timezone.localdate()
    run.set(invoice_number=number, issued_on=issued_on, issued_by=run.actor)
    if run.obj.delivery == InvoiceDelivery.ON_SITE:
        run.set(state=InvoiceState.SENT, sent_at=run.now)


INVOICE = Machine(
    name="invoice_request",
    model=InvoiceRequest,
    transitions={
        t.name: t
        for t in (
            Transition(
                "issue",
                gettext_lazy("Record the invoice issued"),
                frozenset({InvoiceState.REQUESTED}),
                InvoiceState.ISSUED,
                INVOICING,
                needs=frozenset({"invoice_number"}),
                accepts=frozenset({"issued_on"}),
                effects=(_invoice_number,),
                style="success",
                own_work_only=False,
            ),
            Transition(
                "send",
                gettext_lazy("Record it sent"),
                frozenset({InvoiceState.ISSUED}),
                InvoiceState.SENT,
                INVOICING,
                accepts=frozenset({"note"}),
                effects=(stamp("sent_at"),),
                own_work_only=False,
            ),
            Transition(
                "cancel",
                gettext_lazy("Cancel the request"),
                frozenset({InvoiceState.REQUESTED}),
                InvoiceState.CANCELLED,
                INVOICING | CUSTOMER_FACING,
                needs=frozenset({"note"}),
                style="danger",
            ),
        )
    },
    record=timeline_recorder(
        INVOICE_EVENT,
        "invoice",
        notes={"send": "note", "cancel": "note"},
        params=lambda invoice: {"number": invoice.invoice_number, "amount": yuan(invoice.amount)},
        work_order=lambda invoice: invoice.settlement.work_order,
    ),
    owner=lambda invoice: _engineer_of(invoice.settlement),
    owner_bound_roles=frozenset({Role.ENGINEER}),
    lock_related=("settlement__work_order",),
)
