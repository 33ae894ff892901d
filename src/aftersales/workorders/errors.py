"""The error codes the work-order lifecycle raises (see core.errors.ERROR_CODES)."""

from aftersales.core.errors import register_error_codes

register_error_codes(
    {
        "not_qualified": "R38: the engineer has no valid qualification for the product line today.",
        "received_in_future": "R1, R34: the time a request was received cannot be later than now.",
        "received_too_early": (
            "R1, R34: the time a request was received goes back at most WORKORDER_RECEIVED_BACKDATE_DAYS "
            "days (the service-level clocks start from it)."
        ),
    }
)
