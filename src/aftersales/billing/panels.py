"""The billing panel of the work-order page (money tab): the current quote with its lines and
totals per payer, its earlier versions, and what the user may do. What the user may do comes from
the machine and the named permissions of `transitions.py`, so the template holds no rule."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from aftersales.devices.choices import Payer
from aftersales.workorders.models import WorkOrder

from .selectors import payer_totals, quotes_of
from .transitions import may_draw_up_quote, may_read_quotes


def payer_rows(lines) -> list[tuple[str, Any]]:
    """(payer's label, amount) for the payers that owe something on these lines."""
    return [(Payer(payer).label, amount) for payer, amount in payer_totals(lines).items() if amount]


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
    }
