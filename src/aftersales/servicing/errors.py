"""The error codes of remote service, plans and repairs (see core.errors.ERROR_CODES)."""

from aftersales.core.errors import register_error_codes

register_error_codes(
    {
        "no_store": "R32: the service point has no store to take parts from.",
        "plan_not_confirmed": "R8: the work order may not start before the customer confirmed the plan.",
        "plan_exists": "R8: the work order already has a plan; revise it.",
        "needs_approval": "R8: this revision needs a supervisor's approval before it is sent.",
        "no_approval_needed": "R8: the plan needs no approval.",
        "no_email": "The customer has no e-mail address for this message.",
        "work_order_not_in_service": "R13/R14: the work order is not in service.",
        "open_repair": "R13: the work order already has a depot repair under way.",
        "not_repairing": "R13: the process record is kept only while the device is being repaired.",
        "not_at_vendor": "R14: the device is not at a vendor.",
    }
)
