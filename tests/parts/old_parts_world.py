"""A small world for the old-part and claim tests (R29, R31): two dealers, each with a service point,
an engineer and a work order; a point HQ runs; a part priced by a national list (cost ¥100,
retail ¥150); the people who act on old parts. Built through the services where behaviour matters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aftersales.accounts.choices import Role
from aftersales.parts.models import OldPart, OldPartShipment, StockBalance, StockMove
from aftersales.parts.services.old_parts import (
    old_part_register,
    old_part_transition,
    shipment_create,
    shipment_transition,
)

from .. import factories as f
from ..timeutil import at, frozen

REPLACED = at(2026, 11, 10, 10, 0)  # due by 2026-11-17 (7 days)


@dataclass
class OldPartsWorld:
    dealer: Any
    other_dealer: Any
    point: Any
    other_point: Any
    hq_point: Any
    engineer: Any
    work_order: Any
    other_work_order: Any
    hq_work_order: Any
    part: Any
    staff: Any
    other_staff: Any
    parts_clerk: Any
    finance: Any
    quality: Any
    supervisor: Any

    def register(
        self, *, work_order=None, at_moment: datetime = REPLACED, quantity: int = 1, **extra
    ) -> OldPart:
        work_order = work_order or self.work_order
        engineer = work_order.engineer
        with frozen(at_moment):
            return old_part_register(
                work_order=work_order,
                part=extra.pop("part", self.part),
                quantity=quantity,
                serial_number=extra.pop("serial_number", "SN-OLD-001"),
                actor=engineer.user if engineer is not None else self.parts_clerk,
                **extra,
            )

    def reported(self, **kwargs) -> OldPart:
        old_part = self.register(**kwargs)
        actor = self.staff if old_part.dealer_id == self.dealer.pk else self.parts_clerk
        if old_part.dealer_id == self.other_dealer.pk:
            actor = self.other_staff
        with frozen(kwargs.get("at_moment", REPLACED)):
            return old_part_transition(old_part_id=old_part.pk, action="report", actor=actor)

    def shipped(self, old_parts: list[OldPart]) -> OldPartShipment:
        shipment = shipment_create(
            service_point=old_parts[0].service_point, old_part_ids=[o.pk for o in old_parts], actor=self.staff
        )
        return shipment_transition(
            shipment_id=shipment.pk,
            action="ship",
            actor=self.staff,
            carrier="顺丰速运",
            tracking_number="SF1234567890",
        )

    def received(self, old_parts: list[OldPart]) -> OldPartShipment:
        shipment = self.shipped(old_parts)
        return shipment_transition(shipment_id=shipment.pk, action="receive", actor=self.parts_clerk)


def old_parts_world() -> OldPartsWorld:
    dealer, other_dealer = f.DealerFactory(name="华东经销商甲"), f.DealerFactory(name="华南经销商乙")
    point = f.ServicePointFactory(dealer=dealer, name="上海浦东服务站")
    other_point = f.ServicePointFactory(dealer=other_dealer, province="广东省", city="广州市")
    hq_point = f.ServicePointFactory(dealer=None, name="总部直营服务站")
    engineer = f.EngineerFactory(service_point=point)
    part = f.PartFactory(number="FU-3600", name="定影组件")
    f.PriceListItemFactory(part=part, cost_price="100.00", retail_price="150.00")
    return OldPartsWorld(
        dealer=dealer,
        other_dealer=other_dealer,
        point=point,
        other_point=other_point,
        hq_point=hq_point,
        engineer=engineer,
        work_order=f.WorkOrderFactory(service_point=point, engineer=engineer),
        other_work_order=f.WorkOrderFactory(
            service_point=other_point, engineer=f.EngineerFactory(service_point=other_point)
        ),
        hq_work_order=f.WorkOrderFactory(
            service_point=hq_point, engineer=f.EngineerFactory(service_point=hq_point)
        ),
        part=part,
        staff=f.UserFactory(role=Role.DEALER_STAFF, dealer=dealer),
        other_staff=f.UserFactory(role=Role.DEALER_STAFF, dealer=other_dealer),
        parts_clerk=f.UserFactory(role=Role.PARTS_CLERK),
        finance=f.UserFactory(role=Role.FINANCE),
        quality=f.UserFactory(role=Role.QUALITY),
        supervisor=f.UserFactory(role=Role.SUPERVISOR),
    )


def ledger_holds() -> bool:
    """R32: every balance is the sum of its moves (quantity and value)."""
    for balance in StockBalance.objects.all():
        moves = StockMove.objects.filter(warehouse_id=balance.warehouse_id, part_id=balance.part_id)
        if sum(m.quantity for m in moves) != balance.on_hand or sum(m.value for m in moves) != balance.value:
            return False
    return True
