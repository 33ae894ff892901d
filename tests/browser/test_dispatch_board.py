"""R5/R38 in the browser: the dispatcher sees the suggestion and why, and assigns with one click."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from aftersales.accounts.choices import Role
from aftersales.workorders.choices import State
from aftersales.workorders.models import WorkOrder
from tests import factories as f

from .test_workorder_flow import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_r5_r38_dispatcher_assigns_the_suggested_qualified_engineer_by_click(open_page, live_server):
    point = f.ServicePointFactory(name="杭州西湖服务站", province="浙江省", city="杭州市", district="西湖区")
    customer = f.CustomerFactory(province="浙江省", city="杭州市", district="西湖区")
    device = f.DeviceFactory(customer=customer)
    qualified = f.EngineerFactory(service_point=point, user__last_name="周", user__first_name="工")
    f.QualificationFactory(engineer=qualified, product_line=device.product_model.product_line)
    f.EngineerFactory(service_point=point, user__last_name="吴", user__first_name="新")  # not qualified
    order = f.WorkOrderFactory(
        customer=customer,
        device=device,
        product_model=device.product_model,
        service_point=point,
        state=State.ACCEPTED,
    )
    f.UserFactory(username="dispatcher", role=Role.DISPATCHER)

    page = open_page()
    login(page, live_server.url, "dispatcher")
    page.get_by_test_id("nav-dispatch").click()
    row = page.locator(f'[data-testid="board-row"][data-number="{order.number}"]')
    expect(row.get_by_test_id("suggested-engineer")).to_have_text("周工")
    expect(row.get_by_test_id("why")).to_be_visible()
    row.get_by_test_id("why").locator("summary").click()  # the candidates are read when opened
    expect(row.get_by_test_id("why-candidates")).to_contain_text("周工")
    # Only the qualified engineer is offered (R38).
    options = row.get_by_test_id("assign-engineer").locator("option").all_inner_texts()
    assert len(options) == 1 and "周工" in options[0]
    row.get_by_test_id("assign-button").click()  # HTMX swaps the row in place
    expect(row.get_by_test_id("board-assigned")).to_contain_text("周工")

    order.refresh_from_db()
    assert order.state == State.ASSIGNED and order.engineer == qualified
    assert WorkOrder.objects.get(pk=order.pk).events.filter(action="assign").exists()
