"""The error codes of the catalog (see core.errors.ERROR_CODES)."""

from aftersales.core.errors import register_error_codes

register_error_codes(
    {
        "blank": "The field holds only spaces.",
        "itself": "A part cannot be its own substitute.",
        "twice": "The same part is named as a one-way and as a two-way substitute.",
    }
)
