"""The error codes of stock and the dealer network (see core.errors.ERROR_CODES)."""

from aftersales.core.errors import DomainError, register_error_codes


class InsufficientStock(DomainError):
    """R32: more was asked of a warehouse than it has available; nothing moved."""

    status = 409
    default_code = "insufficient_stock"
    # What was short where, for the page's and the API's help (substitutes, nearest stock).
    part_id: int | None = None
    warehouse_id: int | None = None
    available: int = 0


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

# Old parts and reimbursement claims (R29, R31).
register_error_codes(
    {
        "no_service_point": "R29: the work order has no service point to keep its old part.",
        "serial_number_required": "R29: a serialised part's old part names its serial number.",
        "invalid_photo": "R29: an old part's photo is an image (JPEG, PNG, GIF or WebP) within the limit.",
        "old_part_not_shippable": "R29: a shipment takes reported old parts of its point, not yet packed.",
        "shipment_not_draft": "R29: a shipment's old parts change only while it is being packed.",
        "shipment_empty": "R29: a shipment holds at least one old part before it is shipped.",
        "no_penalty": "R29: the old part was not charged, so there is nothing to reverse.",
        "claim_month_open": "R31: a month is claimed once it is over.",
        "claim_not_in_review": "R31: a claim's lines are decided only while it is in review.",
        "claim_lines_pending": "R31: a claim is approved once every line is approved or rejected.",
    }
)

# The stock desk: transfers, counts, receipts, reorder rules (R32).
register_error_codes(
    {
        "transfer_empty": "R32: a transfer holds at least one part before it is shipped.",
        "transfer_not_draft": "R32: a transfer's lines change only while it is a draft.",
        "count_empty": "R32: a count sheet lists at least one part.",
        "count_open": "R32: a warehouse has one open count at a time (409).",
        "count_incomplete": "R32: every line of a count is counted before it is submitted.",
        "count_not_draft": "R32: counted quantities are entered only while the count is being counted.",
        "not_a_good_store": "R32: purchased parts are received into an active warehouse of good stock.",
        "rule_exists": "R32: a warehouse has one reorder rule per part.",
    }
)


class CreditLimitExceeded(DomainError):
    """R28: a debit would take a dealer over its credit limit and finance did not approve it."""

    status = 409
    default_code = "credit_limit_exceeded"


# The dealer network: part requests, dealer accounts (R28, R30).
register_error_codes(
    {
        "credit_limit_exceeded": (
            "R28: the debit would take the dealer over its credit limit; finance debits it only with "
            "`approve_over_limit` (409)."
        ),
        "part_request_empty": "R28: a part request names (and HQ confirms) at least one part.",
        "part_request_not_draft": "R28: a part request's lines change only while it is a draft (409).",
        "no_cost_price": "R30: no cost price list prices the part: HQ enters its unit cost.",
        "no_hq_warehouse": "R28: HQ has no active warehouse to ship the request from.",
        "invalid_month": "The statement's month is written YYYY-MM.",
    }
)
