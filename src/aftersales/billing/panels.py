"""The billing panel of the work-order page (money tab): the current quote with its lines and
totals per payer, its earlier versions, and what the user may do. What the user may do comes from
the machine and the named permissions of `transitions.py`, so the template holds no rule."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from aftersales.devices.choices import Payer
from aftersales.workorders.models import WorkOrder

from .choices import QuoteState, SettlementState, WaiverState
from .forms import (
    PaymentForm,
    RefundForm,
    WaiverDecisionForm,
    WaiverRequestForm,
)
from .selectors import payer_totals, quotes_of, settlement_of
from .services.settlement import SETTLING_STATES
from .transitions import may_decide_fees, may_draw_up_quote, may_read_quotes, may_refund, may_settle


def payer_rows(lines) -> list[tuple[str, Any]]:
    """(payer's label, amount) for the payers that owe something on these lines."""
    return [(str(Payer(payer).label), amount) for payer, amount in payer_totals(lines).items() if amount]


def quote_panel(request: HttpRequest, work_order: WorkOrder) -> dict[str, Any] | None:
    """R8, R9: the latest quote version (lines, totals per payer) and the earlier ones; a user who
    may draw up quotes sees the button to start one."""
    user = request.user
    if not may_read_quotes(user):
        return None
    quotes = quotes_of(work_order)
    quote = quotes[-1] if quotes else None
    may_create = quote is None and may_draw_up_quote(user, work_order)
    if quote is None and not may_create:
        return None
    lines = list(quote.lines.all()) if quote else []
    return {
        "quote": quote,
        "lines": lines,
        "payers": payer_rows(lines),
        "earlier": quotes[:-1],
        "may_create": may_create,
        **settlement_context(request, work_order, quote),
    }


def settlement_context(request: HttpRequest, work_order: WorkOrder, quote) -> dict[str, Any]:
    """R9, R11, R15: the work order's settlement (lines, amounts, payments with their receipts,
    waiver requests) and the forms the user may use now; before there is one, whether the fees
    can be settled from the approved quote."""
    user = request.user
    settlement = settlement_of(work_order)
    if settlement is None:
        can_settle = (
            quote is not None
            and quote.state == QuoteState.APPROVED
            and work_order.state in SETTLING_STATES
            and may_settle(user, work_order)
        )
        return {"settlement": None, "may_settle_now": can_settle}
    pending = next((w for w in settlement.waivers.all() if w.state == WaiverState.REQUESTED), None)
    taking = (
        settlement.state == SettlementState.OPEN and settlement.balance > 0 and may_settle(user, work_order)
    )
    return {
        "settlement": settlement,
        "payment_form": PaymentForm(initial={"amount": settlement.balance}) if taking else None,
        "waiver_form": WaiverRequestForm() if taking else None,
        "pending_waiver": pending,
        "decision_form": WaiverDecisionForm(initial={"amount_approved": pending.amount_requested})
        if pending is not None and may_decide_fees(user)
        else None,
        "refund_form": RefundForm()
        if may_refund(user) and settlement.amount_paid > settlement.amount_refunded
        else None,
    }
