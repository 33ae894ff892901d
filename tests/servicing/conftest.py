"""A servicing world: a product line and model (12 months of warranty), an engineer, a device
bought 100 days ago, work orders assigned to the engineer in any state, and a vendor."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from aftersales.servicing.services import (
    depot_repair_inspect,
    depot_repair_log,
    depot_repair_receive,
    depot_repair_start,
)
from aftersales.workorders.choices import State

from .. import factories as f
from ..api.helpers import PNG_BYTES
from .factories import VendorFactory


@pytest.fixture
def line(db):
    return f.ProductLineFactory(code="PRN", name="打印机")


@pytest.fixture
def model(line):
    return f.ProductModelFactory(product_line=line, warranty_months=12)


@pytest.fixture
def engineer(db):
    return f.EngineerFactory(user__username="eng", user__phone="13911112222")


@pytest.fixture
def device(model):
    return f.DeviceFactory(product_model=model, purchase_date=timezone.localdate() - timedelta(days=100))


@pytest.fixture
def make_order(engineer, device):
    def make(state: str = State.IN_SERVICE, **fields):
        fields.setdefault("customer", device.customer)
        fields.setdefault("device", device)
        fields.setdefault("product_model", device.product_model)
        fields.setdefault("service_point", engineer.service_point)
        fields.setdefault("engineer", engineer)
        return f.WorkOrderFactory(state=state, **fields)

    return make


@pytest.fixture
def order(make_order):
    return make_order()


@pytest.fixture
def eng(engineer):
    """The engineer's user: the actor of the technical steps on their own work orders."""
    return engineer.user


@pytest.fixture
def vendor(line):
    return VendorFactory(name="上海精修电子维修中心", product_lines=[line], lead_time_days=5)


@pytest.fixture
def photo():
    def make(name: str = "photo.png") -> SimpleUploadedFile:
        return SimpleUploadedFile(name, PNG_BYTES, content_type="image/png")

    return make


@pytest.fixture
def not_an_image():
    return SimpleUploadedFile("notes.txt", BytesIO(b"just text").getvalue(), content_type="text/plain")


@pytest.fixture
def repair(order, eng):
    """A depot repair under way with one line of its process record (its printed record's tests)."""
    repair = depot_repair_receive(work_order=order, actor=eng, accessories="电源线")
    depot_repair_inspect(repair_id=repair.pk, actor=eng, appearance="外壳完好", configuration="标准配置")
    depot_repair_start(repair_id=repair.pk, actor=eng)
    depot_repair_log(repair_id=repair.pk, actor=eng, work_done="更换定影组件", measurements="温度 180°C")
    return repair


# The Playwright fixtures of tests/browser, for this app's browser test.
from ..browser.conftest import browser, live_server, open_page  # noqa: E402, F401
