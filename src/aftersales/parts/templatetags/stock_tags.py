"""The stock desk's questions templates may ask (the navigation's stock link)."""

from django import template

from ..selectors_stock import may_see_stock

register = template.Library()


@register.filter
def sees_stock(user) -> bool:
    """R32, R37: the stock pages are for this user (company-wide roles, dealer staff, engineers)."""
    return may_see_stock(user)
