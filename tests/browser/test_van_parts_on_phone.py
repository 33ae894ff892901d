"""R12, R29, R32 on a phone: the engineer on site sees what the van holds, uses a part from it, the
van's on-hand drops; after the customer signed, checking out keeps the old part at the service
point (numbered, in its defective location) and the visit shows it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from aftersales.parts.choices import WarehouseKind
from aftersales.parts.models import OldPart, StockBalance, Warehouse
from aftersales.parts.services import stock
from aftersales.workorders.choices import State
from tests import factories as f
from tests.field.visit_factories import sign, visit_at

from .test_engineer_phone import login, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_r12_r29_r32_a_part_from_the_van_on_a_phone_leaves_an_old_part_at_the_service_point(
    open_page, live_server
):
    engineer = f.EngineerFactory(user__username="engineer", user__last_name="赵", user__first_name="工")
    device = f.DeviceFactory(purchase_date=timezone.localdate() - timedelta(days=60))
    work_order = f.WorkOrderFactory(
        customer=device.customer,
        device=device,
        product_model=device.product_model,
        engineer=engineer,
        service_point=engineer.service_point,
        state=State.ASSIGNED,
    )
    van = Warehouse.objects.create(
        code="VAN-1",
        name="赵工的车",
        kind=WarehouseKind.VAN,
        engineer=engineer,
        service_point=engineer.service_point,
    )
    fuser = f.PartFactory(number="RM1-2337", name="定影组件")
    stock.receive(warehouse=van, part=fuser, quantity=2, unit_cost=Decimal("180"), actor=engineer.user)
    visit = visit_at(work_order, "on_site")
    base = live_server.url

    page = open_page(width=390, height=844, phone=True)
    login(page, base, "engineer")
    page.goto(f"{base}/field/visits/{visit.pk}/#parts")
    page.get_by_test_id("van-stock").locator("summary").click()
    expect(page.get_by_test_id("van-on-hand")).to_have_text("2")

    page.get_by_test_id("part-number").fill("RM1-2337")
    expect(page.get_by_test_id("part-source-select")).to_have_value("van")
    submit(page, "part-add")
    expect(page.get_by_test_id("visit-part")).to_contain_text("定影组件")
    expect(page.get_by_test_id("part-covered")).to_be_visible()
    expect(page.get_by_test_id("part-source")).to_contain_text("赵工的车")
    page.get_by_test_id("van-stock").locator("summary").click()
    expect(page.get_by_test_id("van-on-hand")).to_have_text("1")
    assert StockBalance.objects.get(warehouse=van, part=fuser).on_hand == 1

    sign(visit, actor=engineer.user)  # the customer signs (driven by the visit tests)
    page.reload()
    submit(page, "visit-action-leave")
    old = OldPart.objects.get(work_order=work_order)
    expect(page.get_by_test_id("part-old-part")).to_contain_text(old.number)
    defective = StockBalance.objects.get(part=fuser, warehouse__kind=WarehouseKind.DEFECTIVE)
    assert defective.warehouse.service_point == engineer.service_point and defective.on_hand == 1
