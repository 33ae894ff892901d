"""Warehouses in three tiers and a part, for the stock tests (R32)."""

from __future__ import annotations

import itertools

import pytest

from aftersales.accounts.choices import Role
from aftersales.parts.choices import WarehouseKind
from aftersales.parts.models import Warehouse

from .. import factories as f
from .dealer_world import dealers  # noqa: F401  (the dealer network's world, R28-R31)

_codes = itertools.count(1)


def warehouse(kind: str = WarehouseKind.HQ, **fields) -> Warehouse:
    number = next(_codes)
    fields.setdefault("name", f"仓库{number}")
    return Warehouse.objects.create(code=f"W{number:04d}", kind=kind, **fields)


@pytest.fixture
def parts_clerk(make_user):
    return make_user(Role.PARTS_CLERK, username="parts")


@pytest.fixture
def hq(db):
    return warehouse(WarehouseKind.HQ, name="总部备件库")


@pytest.fixture
def point(db):
    return f.ServicePointFactory()


@pytest.fixture
def point_store(point):
    return warehouse(WarehouseKind.SERVICE_POINT, service_point=point)


@pytest.fixture
def van(point):
    engineer = f.EngineerFactory(service_point=point)
    return warehouse(WarehouseKind.VAN, service_point=point, engineer=engineer)


@pytest.fixture
def part(db):
    return f.PartFactory(number="FU-3600", name="定影组件")
