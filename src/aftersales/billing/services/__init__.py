"""The billing services: quotes (R8, R9) and settlement (R9, R10, R11, R15)."""

from .discounts import quote_discounts_apply, rules_for
from .invoices import (
    invoice_cancel,
    invoice_due_days,
    invoice_issue,
    invoice_reminders_send,
    invoice_request,
    invoice_send,
)
from .quotes import (
    quote_approve,
    quote_authorise,
    quote_create,
    quote_line_add,
    quote_line_remove,
    quote_line_update,
    quote_reject,
    quote_revise,
    quote_send,
    quote_valid_days,
    quote_visit_parts_add,
)
from .settlement import (
    money_open,
    payment_record,
    refund_record,
    settlement_create,
    waiver_decide,
    waiver_request,
)

__all__ = [
    "quote_discounts_apply",
    "quote_visit_parts_add",
    "rules_for",
    "invoice_cancel",
    "invoice_due_days",
    "invoice_issue",
    "invoice_reminders_send",
    "invoice_request",
    "invoice_send",
    "money_open",
    "payment_record",
    "quote_approve",
    "quote_authorise",
    "quote_create",
    "quote_line_add",
    "quote_line_remove",
    "quote_line_update",
    "quote_reject",
    "quote_revise",
    "quote_send",
    "quote_valid_days",
    "refund_record",
    "settlement_create",
    "waiver_decide",
    "waiver_request",
]
