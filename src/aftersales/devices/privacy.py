"""A device's install address (R41): a customer's address on a record page, masked for every role
(`accounts.privacy`) and revealed from the devices the reader may see (R37)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from aftersales.core.privacy import register_revealable

from .selectors import device_scope


def _install_address(user, pk: int) -> str:
    return get_object_or_404(device_scope(user), pk=pk).install_address


register_revealable("device", "install_address", label=_("Install address"), read=_install_address)
