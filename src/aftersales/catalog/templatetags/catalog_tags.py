"""Catalog template helpers: the menu test of the parts list."""

from __future__ import annotations

from django import template

from ..selectors import can_read_parts

register = template.Library()

register.filter("reads_parts", can_read_parts)  # the menu item
