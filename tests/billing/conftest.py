"""A billing world: the servicing world (a device bought 100 days ago, 12 months of warranty, a
work order in service with its engineer) and catalog parts of each category."""

from __future__ import annotations

import base64

import pytest

from aftersales.catalog.choices import PartCategory

from .. import factories as f
from ..api.helpers import PNG_BYTES
from ..servicing import conftest as servicing_world

# The servicing world's fixtures, shared.
line, model, engineer, device = (
    servicing_world.line,
    servicing_world.model,
    servicing_world.engineer,
    servicing_world.device,
)
make_order, order, eng = servicing_world.make_order, servicing_world.order, servicing_world.eng


@pytest.fixture
def fuser(device):
    """A normal part (covered in warranty)."""
    return f.PartFactory(
        number="FU-3600", name="定影组件", category=PartCategory.NORMAL, fits=[device.product_model]
    )


@pytest.fixture
def roller(device):
    """A wear part (the customer's, in warranty or not: R36)."""
    return f.PartFactory(
        number="PR-100", name="搓纸轮", category=PartCategory.WEAR, fits=[device.product_model]
    )


@pytest.fixture
def drawn_signature() -> str:
    return "data:image/png;base64," + base64.b64encode(PNG_BYTES).decode()
