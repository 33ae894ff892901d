"""The error codes of quotes and settlement (see core.errors.ERROR_CODES)."""

from aftersales.core.errors import register_error_codes

register_error_codes(
    {
        "quote_exists": "R8: the work order already has a quote; revise it.",
        "quote_not_draft": "R9: only a draft quote's lines can change; revise it instead.",
        "quote_empty": "R9: a quote without lines cannot be sent.",
        "quote_needs_authorisation": "R8: this revision needs a supervisor's authorisation to be sent.",
        "quote_no_authorisation_needed": "R8: the quote needs no authorisation.",
        "unit_price_needed": "R9: no price or fee standard applies to this line; enter the unit price.",
        "discount_too_large": "R35: a discount cannot exceed what the customer pays.",
    }
)

register_error_codes(
    {
        "no_approved_quote": "R9: fees are settled from a quote the customer approved; there is none.",
        "quote_changed": "R9: the approved quote's lines changed after approval; revise it.",
        "settlement_exists": "R15: the work order's fees are already settled.",
        "above_quote": "R9: a charge above the approved quote needs a revision the customer approved.",
        "not_on_quote": "R9: a charge not on the approved quote needs a revision approved by the customer.",
        "awaiting_decision": "R11: a supervisor is deciding on the fees; payments wait.",
        "overpayment": "R15: the payment is more than the customer owes.",
        "refund_too_large": "R15: a refund is at most what was paid and not refunded.",
        "nothing_owed": "R11: nothing is owed on this work order.",
        "waiver_too_large": "R11: a waiver is at most what the customer owes.",
        "money_open": "R10, R15: the work order cannot close while the customer owes money.",
        "nothing_paid": "R10: an invoice is for money received; nothing was paid yet.",
        "invalid_invoice_number": "R10: an invoice number has 20 digits (digital invoice) or 8.",
    }
)
