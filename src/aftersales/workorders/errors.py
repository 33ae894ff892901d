"""The error codes the work-order lifecycle raises (see core.errors.ERROR_CODES)."""

from aftersales.core.errors import register_error_codes

register_error_codes(
    {
        "not_qualified": "R38: the engineer has no valid qualification for the product line today.",
    }
)
