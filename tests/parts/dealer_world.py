"""The dealer network's test world (R28-R31): two dealers (tests/conftest.py `world`), HQ's parts
clerk and finance, HQ's warehouse holding 定影组件 at cost, a cost price list, and a helper that
takes a part request through its lifecycle by the people who do each step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from aftersales.accounts.choices import Role
from aftersales.parts.choices import PartRequestState, WarehouseKind
from aftersales.parts.models import PartRequest, Warehouse
from aftersales.parts.services import stock
from aftersales.parts.services.requests import part_request_create, part_request_transition

from .. import factories as f

SHIP_DATE = date(2026, 12, 20)

# Each step: (action, who does it, inputs).
STEPS = (
    ("submit", "staff", {}),
    ("confirm", "clerk", {"expected_ship_date": SHIP_DATE}),
    ("accept", "staff", {}),
    ("debit", "finance", {}),
    ("ship", "clerk", {"carrier": "顺丰速运", "tracking_number": "SF1234567890"}),
    ("receive", "staff", {}),
)
REACHES = {
    PartRequestState.SUBMITTED: 1,
    PartRequestState.CONFIRMED: 2,
    PartRequestState.ACCEPTED: 3,
    PartRequestState.DEBITED: 4,
    PartRequestState.SHIPPED: 5,
    PartRequestState.RECEIVED: 6,
}


@dataclass
class DealerWorld:
    world: Any
    clerk: Any
    finance: Any
    hq: Warehouse
    part: Any
    other_part: Any

    @property
    def people(self) -> dict[str, Any]:
        return {"staff": self.world.staff_a, "clerk": self.clerk, "finance": self.finance}

    def draft(self, *, quantity: int = 2, staff=None, point=None, lines=None) -> PartRequest:
        staff = staff or self.world.staff_a
        point = point or (self.world.point_a if staff == self.world.staff_a else self.world.point_b)
        return part_request_create(
            service_point=point, actor=staff, lines=lines if lines is not None else [(self.part, quantity)]
        )

    def advance(self, pr: PartRequest, state: str, **overrides: dict[str, Any]) -> PartRequest:
        """Run the steps from draft up to `state` (the request must be a draft)."""
        people = dict(self.people)
        if pr.dealer_id == self.world.dealer_b.pk:
            people["staff"] = self.world.staff_b
        for action, who, inputs in STEPS[: REACHES[state]]:
            pr = part_request_transition(
                request_id=pr.pk, action=action, actor=people[who], **{**inputs, **overrides.get(action, {})}
            )
        return pr

    def store_of(self, point) -> Warehouse | None:
        return Warehouse.objects.filter(service_point=point, kind=WarehouseKind.SERVICE_POINT).first()


@pytest.fixture
def dealers(world, make_user, finance):
    """HQ's warehouse holds 10 定影组件 at ¥100.00 each; the cost price list says ¥120.00 (R30)."""
    clerk = make_user(Role.PARTS_CLERK, username="parts_clerk")
    hq = Warehouse.objects.create(code="HQ01", name="总部备件库", kind=WarehouseKind.HQ)
    part = f.PartFactory(number="FU-3600", name="定影组件")
    other = f.PartFactory(number="PR-100", name="搓纸轮")
    prices = f.PriceListFactory(name="2026 配件价目表")
    f.PriceListItemFactory(price_list=prices, part=part, cost_price="120.00", retail_price="180.00")
    f.PriceListItemFactory(price_list=prices, part=other, cost_price="15.50", retail_price="30.00")
    stock.receive(warehouse=hq, part=part, quantity=10, unit_cost=Decimal("100.00"), actor=clerk)
    stock.receive(warehouse=hq, part=other, quantity=10, unit_cost=Decimal("10.00"), actor=clerk)
    return DealerWorld(world=world, clerk=clerk, finance=finance, hq=hq, part=part, other_part=other)
