"""The error codes of the catalog (see core.errors.ERROR_CODES), and its refusals."""

from aftersales.core.errors import DomainError, register_error_codes

register_error_codes(
    {
        "blank": "The field holds only spaces.",
        "itself": "A part cannot be its own substitute.",
        "twice": "The same part is named as a one-way and as a two-way substitute.",
        # price lists and fee standards
        "date_order": "The last day of a period is before its first day.",
        "in_effect": (
            "The price list or fee schedule is already in effect: its prices are never edited in "
            "place (a quote may have used them); make a new version instead (409)."
        ),
        "not_latest_version": "Only the latest version of a price list can be revised (409).",
        "revision_date": "A new version starts after today and after the version it replaces.",
        "name_taken": "A price list of this name exists: make a new version of it instead.",
        "fee_kind": (
            "A fee standard prices a diagnosis, visit, labour or travel fee; parts are priced by "
            "the price lists."
        ),
        "band_kind": "Only visit and travel fees have distance bands.",
        "band_order": "A distance band's upper end is not above its lower end.",
        "band_overlap": (
            "Two fee standards of one scope (kind, product line, province) cover the same distances."
        ),
        "no_part_price": "No price list in effect on that day prices the part (404).",
        "no_fee_standard": "No fee standard in effect on that day matches (404).",
    }
)


class PricesInEffect(DomainError):
    """The prices are in effect (a quote may have used them): never edited in place."""

    status = 409
    default_code = "in_effect"


class NotLatestVersion(DomainError):
    """A price list is revised from its latest version only."""

    status = 409
    default_code = "not_latest_version"
