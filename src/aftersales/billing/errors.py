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
