"""`{% load field_visits %}`: small helpers of the visit pages (R12)."""

from __future__ import annotations

from urllib.parse import quote

from django import template

register = template.Library()

STATE_CLASSES = {
    "booked": "text-bg-secondary",
    "en_route": "text-bg-info",
    "on_site": "text-bg-warning",
    "done": "text-bg-success",
    "cancelled": "text-bg-dark",
    "pending": "text-bg-secondary",
    "submitted": "text-bg-primary",
    "verified": "text-bg-success",
}


@register.filter
def visit_state_class(state: str) -> str:
    """Badge colour of a visit or supervision-card state."""
    return STATE_CLASSES.get(state, "text-bg-light")


@register.filter
def customer_address(customer) -> str:
    """The customer's full address, province first, as written in China."""
    region = "".join(part for part in (customer.province, customer.city, customer.district) if part)
    return " ".join(part for part in (region, customer.address) if part)


@register.filter
def map_url(address: str) -> str:
    """A plain link that opens the address in AMap (the map app or its web page); nothing embedded."""
    return f"https://uri.amap.com/search?keyword={quote(address)}" if address else ""
