"""`{% load field_visits %}`: small helpers of the visit pages (R12)."""

from __future__ import annotations

from urllib.parse import quote

from django import template

from aftersales.workorders.privacy import workorder_personal

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


@register.simple_tag(takes_context=True)
def work_order_personal(context, work_order) -> dict:
    """`{% work_order_personal wo as personal %}`: the work order's phones and addresses as the
    page's user may read them (R41: in full on their own open work)."""
    return workorder_personal(context["user"], work_order)


@register.filter
def map_url(address: str) -> str:
    """A plain link that opens the address in AMap (the map app or its web page); nothing embedded."""
    return f"https://uri.amap.com/search?keyword={quote(address)}" if address else ""
