"""Amounts in templates, formatted by `core.money` (never by the template's own arithmetic)."""

from __future__ import annotations

from django import template

from aftersales.core import money

register = template.Library()


@register.filter
def yuan(amount) -> str:
    """¥1,234.50; an empty value stays empty ("—" is the template's choice)."""
    if amount is None or amount == "":
        return ""
    return money.yuan(amount)


@register.filter
def in_words(amount) -> str:
    """The amount in words as on receipts: 壹佰元整."""
    return money.in_words(amount) if amount not in (None, "") else ""
