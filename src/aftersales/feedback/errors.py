"""The error codes of return visits (see core.errors.ERROR_CODES)."""

from aftersales.core.errors import register_error_codes

register_error_codes(
    {
        "range_incomplete": "A date range names only one of its two dates: give both, or neither.",
        "date_order": "The last day of a period is before its first day.",
    }
)
