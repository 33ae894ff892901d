"""The billing app's questions templates may ask (the navigation's finance link)."""

from django import template

from ..finance import may_view_finance

register = template.Library()


@register.filter
def views_finance(user) -> bool:
    """R10, R15: the user works in the finance area."""
    return may_view_finance(user)
