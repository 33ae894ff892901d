"""The error codes of devices and service contracts (see core.errors.ERROR_CODES)."""

from aftersales.core.errors import register_error_codes

register_error_codes(
    {
        "no_devices": "R35: a service contract covers at least one device.",
        "device_of_other_customer": "R35: a device of the contract belongs to another customer.",
        "ends_before_start": "R35: the contract must end after it starts.",
        "contract_ended": "R35: the contract's term is over; it cannot be activated.",
        "plan_not_allowed": "R35: maintenance plans belong to maintenance or bundle contracts only.",
        "contract_closed": "R35: the contract is expired or cancelled; it takes no new plan (409).",
        "due_outside_contract": "R35: the first due date must fall within the contract's term.",
    }
)
