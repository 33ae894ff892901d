"""The old-parts area's questions templates may ask (the navigation's links, R29, R31)."""

from django import template

from ..selectors_old_parts import may_read_claims, may_read_old_parts, may_read_shipments

register = template.Library()


@register.filter
def reads_old_parts(user) -> bool:
    """R29: the old-part pages are for the user (HQ, a dealer's staff, engineers)."""
    return may_read_old_parts(user)


@register.filter
def reads_old_part_shipments(user) -> bool:
    """R29, R31: shipments and claims are for HQ and a dealer's staff."""
    return may_read_shipments(user) and may_read_claims(user)
