"""The error codes of complaints and difficult cases (see core.errors.ERROR_CODES)."""

from aftersales.core.errors import register_error_codes

register_error_codes(
    {
        "customer_required": "Name the customer, or a record of theirs (work order, device) to find them by.",
        "customer_mismatch": "The customer named is not the customer of the work order named.",
        "case_exists": "R27: the work order already has an open difficult case.",
        "top_level": "R27: the case is already at the highest level.",
        "wrong_role": "R27: the handler of that level must have its role.",
    }
)
