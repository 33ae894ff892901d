"""A stock desk world for the tests of tests/parts/test_stock_*.py: HQ's warehouse, two dealers
each with a service point (store, defective location, an engineer's van), their staff, HQ's
parts clerk and supervisor, and two parts that substitute for each other both ways."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from aftersales.accounts.choices import Role
from aftersales.catalog.models import PartSubstitute
from aftersales.parts.choices import WarehouseKind
from aftersales.parts.models import Warehouse
from aftersales.parts.services import stock

from .. import factories as f


@dataclass
class Network:
    """One dealer's corner of the network."""

    dealer: Any
    point: Any
    store: Warehouse
    defective: Warehouse
    engineer: Any
    van: Warehouse
    staff: Any


def network(code: str, *, latitude: str, longitude: str) -> Network:
    dealer = f.DealerFactory(code=code)
    point = f.ServicePointFactory(dealer=dealer, latitude=Decimal(latitude), longitude=Decimal(longitude))
    engineer = f.EngineerFactory(service_point=point, user__username=f"eng_{code.lower()}")
    store = Warehouse.objects.create(
        code=f"SP-{code}", name=f"{code}网点库", kind=WarehouseKind.SERVICE_POINT, service_point=point
    )
    defective = Warehouse.objects.create(
        code=f"DF-{code}", name=f"{code}不良品库", kind=WarehouseKind.DEFECTIVE, service_point=point
    )
    van = Warehouse.objects.create(
        code=f"VAN-{code}",
        name=f"{code}工程师车载库",
        kind=WarehouseKind.VAN,
        service_point=point,
        engineer=engineer,
    )
    staff = f.UserFactory(role=Role.DEALER_STAFF, dealer=dealer, username=f"dealer_{code.lower()}")
    return Network(dealer, point, store, defective, engineer, van, staff)


@dataclass
class StockWorld:
    hq: Warehouse
    a: Network
    b: Network
    clerk: Any
    supervisor: Any
    part: Any
    substitute: Any

    def receive(self, warehouse: Warehouse, quantity: int, unit_cost: str = "10.00", part=None):
        return stock.receive(
            warehouse=warehouse,
            part=part or self.part,
            quantity=quantity,
            unit_cost=Decimal(unit_cost),
            actor=self.clerk,
        )


def stock_world() -> StockWorld:
    hq = Warehouse.objects.create(code="HQ-01", name="总部中心库", kind=WarehouseKind.HQ)
    part = f.PartFactory(number="FU-3600", name="定影组件")
    substitute = f.PartFactory(number="FU-3600A", name="定影组件(兼容)")
    PartSubstitute.objects.create(part=part, substitute=substitute, both_ways=True)
    return StockWorld(
        hq=hq,
        a=network("DA", latitude="31.230000", longitude="121.470000"),  # 上海
        b=network("DB", latitude="30.270000", longitude="120.150000"),  # 杭州
        clerk=f.UserFactory(role=Role.PARTS_CLERK, username="parts", email="parts@example.cn"),
        supervisor=f.UserFactory(role=Role.SUPERVISOR, username="supervisor"),
        part=part,
        substitute=substitute,
    )
