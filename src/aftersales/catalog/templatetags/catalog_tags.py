"""Catalog template helpers: the menu tests of the parts list, the price lists and fee standards."""

from __future__ import annotations

from django import template

from ..selectors import can_read_parts, can_read_prices

register = template.Library()

register.filter("reads_parts", can_read_parts)  # the menu item
register.filter("reads_prices", can_read_prices)  # the menu items of prices and fees
