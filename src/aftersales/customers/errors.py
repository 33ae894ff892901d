"""The error codes of customer data and imports (see core.errors.ERROR_CODES)."""

from aftersales.core.errors import register_error_codes

register_error_codes(
    {
        "invalid_type": "The uploaded file is not an Excel (.xlsx) workbook.",
        "too_large": "The uploaded file is too large.",
    }
)
