"""Reorder alerts (R32): a placeholder replaced by the stock alerts of issue 11."""

from __future__ import annotations

from collections.abc import Iterable

from ..models import StockBalance


def alerts_check(balances: Iterable[StockBalance]) -> None:
    """Raise or resolve the stock alerts of the balances a posting changed."""
