"""The error codes of returns and exchanges (see core.errors.ERROR_CODES)."""

from aftersales.core.errors import register_error_codes

register_error_codes(
    {
        "customer_required": "Name the customer, or a record of theirs (work order, device) to find them by.",
        "return_window_passed": "R33: the time limit since purchase has passed (409).",
        "return_condition_not_accepted": "R33: the rules do not accept the product's condition (409).",
        "return_proof_missing": "R33: the rules ask for proof of purchase (invoice or receipt number) (409).",
        "return_purchase_date_missing": "R33: the purchase date is needed to check the time limit (409).",
        "return_no_exception_needed": "R33: the request breaks no rule, so there is nothing to waive (409).",
        "return_kind_mismatch": "R33: a refund is for a return, a replacement for an exchange (409).",
        "return_not_draft": "R33: a request changes only while it is a draft (409).",
        "return_photo_invalid": "R33: a photo is an image (JPEG, PNG, GIF or WebP) within the size limit.",
        "return_customer_mismatch": "R33: the work order or device belongs to another customer.",
    }
)
