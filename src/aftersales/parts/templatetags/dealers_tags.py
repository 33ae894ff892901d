"""The dealer network's questions templates may ask (the navigation's links, R28-R31)."""

from django import template

from ..selectors_dealers import may_read_accounts
from ..transitions import may_read_part_requests

register = template.Library()


@register.filter
def reads_part_requests(user) -> bool:
    """R28: the part requests are for HQ's desks and a dealer's staff."""
    return may_read_part_requests(user)


@register.filter
def reads_dealer_accounts(user) -> bool:
    """R28: the dealer accounts are for HQ's finance and a dealer's staff (their own)."""
    return may_read_accounts(user)
