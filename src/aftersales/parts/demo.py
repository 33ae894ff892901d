"""Demo records of the parts app (`manage.py demo_seed`), one function per area, called in order
by `seed`."""

from __future__ import annotations

import random
from datetime import datetime


def seed(*, rng: random.Random, now: datetime) -> None:
    """The parts demo: the stock desk first (warehouses, stock, transfers, counts, alerts), then
    the areas that build on it."""
    stock_demo(rng=rng, now=now)
    dealers_demo(rng=rng, now=now)
    old_parts_demo(rng=rng, now=now)


def stock_demo(*, rng: random.Random, now: datetime) -> None:
    """Warehouses of the three tiers, stock, transfers, counts, reorder rules and alerts (R32)."""
    from .demo_stock import seed as stock_seed

    stock_seed(rng=rng, now=now)


def dealers_demo(*, rng: random.Random, now: datetime) -> None:
    """Dealer accounts, part requests in every state, dealers' fee standards (R28-R30)."""
    from .demo_dealers import seed as dealers_seed

    dealers_seed(rng=rng, now=now)


def old_parts_demo(*, rng: random.Random, now: datetime) -> None:
    """Old parts in every state, a penalty charged and one reversed, shipments, claims in review
    and credited (R29, R31)."""
    from .demo_old_parts import seed as old_parts_seed

    old_parts_seed(rng=rng, now=now)
