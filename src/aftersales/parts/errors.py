"""The error codes of stock and the dealer network (see core.errors.ERROR_CODES)."""

from aftersales.core.errors import DomainError, register_error_codes


class InsufficientStock(DomainError):
    """R32: more was asked of a warehouse than it has available; nothing moved."""

    status = 409
    default_code = "insufficient_stock"


register_error_codes(
    {
        "insufficient_stock": "R32: the warehouse has fewer available than asked; stock never goes negative.",
        "not_a_stock_part": "R32: the part is not active in the catalog.",
        "same_warehouse": "R32: a transfer goes to another warehouse.",
        "return_above_issued": "R12: more would come back than was issued to the work order.",
        "reason_required": "R41: a scrap or an adjustment says why.",
        "invalid_quantity": "R32: quantities are whole units, at least 1.",
        "invalid_unit_cost": "R30: a unit cost is an amount of at least 0.",
        "already_reversed": "R41: an account entry is reversed once.",
    }
)
