"""What engineers' vans hold, for dispatch and the visit page (R12, R32)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from .models import StockBalance


def parts_in_vans(engineer_ids: Iterable[int], part_numbers: Iterable[str]) -> dict[int, set[str]]:
    """Engineer id → which of `part_numbers` their van has available (one query)."""
    rows = (
        StockBalance.objects.filter(
            warehouse__engineer_id__in=list(engineer_ids),
            warehouse__is_active=True,
            part__number__in=list(part_numbers),
            on_hand__gt=0,
        )
        .order_by()
        .values_list("warehouse__engineer_id", "part__number", "on_hand", "reserved")
    )
    held: dict[int, set[str]] = defaultdict(set)
    for engineer_id, number, on_hand, reserved in rows:
        if on_hand > reserved:
            held[engineer_id].add(number)
    return dict(held)
