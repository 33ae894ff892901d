"""The error codes of dispatch, appointments, visits and sign-off (see core.errors.ERROR_CODES)."""

from aftersales.core.errors import register_error_codes

register_error_codes(
    {
        "not_on_checklist": "A position given is beyond the visit's self-check list.",
        "not_assigned": "The work order has no engineer (or is not open) for a visit or appointment.",
        "on_leave": "R5: the engineer is on leave on that day.",
        "leave_overlap": "The engineer already has leave on one of these days: change that leave instead.",
        "invalid_window": "The visit window is not a valid time range.",
        "past_window": "The visit window is already over.",
        "not_booked": "Only a booked appointment can do this (409).",
        "duplicate": "The appointment already has its visit (409).",
        "invalid_location": "The position given is not a valid latitude/longitude.",
        "signoff_missing": "R15: check-out needs the customer's sign-off or recorded refusal.",
        "visit_active": "R15: a visit of the work order is still under way.",
        "not_your_warehouse": "R32: engineers take parts from their own van or their point's store.",
        "no_van_or_store": "R32: parts are asked of the point's store into a van; one of them is missing.",
        "low_rating_unconfirmed": (
            'R16, R17: a rating of 1 or 2 with "satisfied" needs the confirmation flag '
            "(confirm_low_rating) that the customer meant both."
        ),
        "customer_not_satisfied": (
            "R17: the customer's latest confirmation (a visit's sign-off, superseded by a later "
            "satisfied one or a depot hand-back they confirmed) is a refusal or unsatisfied."
        ),
    }
)
