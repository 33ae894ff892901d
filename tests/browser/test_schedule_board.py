"""The schedule board in the browser (issue 12; R5, R12, R38): a dispatcher drags an unassigned work
order onto an engineer's free hour and the visit is booked; the keyboard form does the same, and a
refusal (double booking) is shown on the board with nothing saved."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from aftersales.accounts.choices import Role
from aftersales.field.models import Appointment, AppointmentState
from aftersales.workorders.choices import State
from aftersales.workorders.models import WorkOrder
from tests import factories as f

from .test_engineer_phone import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_r5_r12_r38_dispatcher_drags_a_work_order_onto_a_free_hour_and_the_visit_is_booked(
    open_page, live_server
):
    # the day after today, whatever today is (the booking must not be in the past); a reason is
    # typed because that day may be a day off, when nobody is "suggested" for it
    today = timezone.localdate()
    day = today + timedelta(days=1)
    point = f.ServicePointFactory(name="杭州西湖服务站", province="浙江省", city="杭州市", district="西湖区")
    customer = f.CustomerFactory(province="浙江省", city="杭州市", district="西湖区")
    device = f.DeviceFactory(customer=customer)
    line = device.product_model.product_line
    engineer = f.EngineerFactory(
        service_point=point, employee_no="E1", user__last_name="周", user__first_name="工"
    )
    f.QualificationFactory(
        engineer=engineer,
        product_line=line,
        certified_on=date(2000, 1, 1),
        expires_on=today + timedelta(days=3650),
    )
    orders = [
        f.WorkOrderFactory(
            customer=customer,
            device=device,
            product_model=device.product_model,
            service_point=point,
            state=State.ACCEPTED,
        )
        for _ in range(2)
    ]
    f.UserFactory(username="dispatcher", role=Role.DISPATCHER)

    page = open_page()
    login(page, live_server.url, "dispatcher")
    page.goto(f"{live_server.url}/field/schedule/?date={day:%Y-%m-%d}&service_point={point.pk}&length=2")
    card = page.locator(f'[data-testid="schedule-unassigned"][data-work-order="{orders[0].pk}"]')
    card.get_by_test_id("schedule-reason").fill("客户约定")
    slot = page.locator(f'[data-testid="schedule-slot"][data-engineer="{engineer.pk}"][data-start="10:00"]')
    expect(slot).to_have_attribute("data-free", "1")
    card.drag_to(slot, source_position={"x": 4, "y": 4})  # the card's edge, not one of its fields
    expect(page.get_by_test_id("schedule-done")).to_be_visible()
    block = page.locator(f'[data-testid="schedule-block"][data-number="{orders[0].number}"]')
    expect(block).to_be_visible()
    expect(
        page.locator(f'[data-testid="schedule-unassigned"][data-work-order="{orders[0].pk}"]')
    ).to_have_count(0)
    expect(slot).to_have_attribute("data-free", "0")

    order = WorkOrder.objects.get(pk=orders[0].pk)
    assert order.state == State.ASSIGNED and order.engineer == engineer
    appointment = Appointment.objects.get(work_order=order)
    assert (
        appointment.date == day
        and f"{appointment.window_start:%H:%M}-{appointment.window_end:%H:%M}" == "10:00-12:00"
    )
    assert appointment.state == AppointmentState.BOOKED

    # the keyboard way, into the same hour: refused on the board, nothing saved
    second = page.locator(f'[data-testid="schedule-unassigned"][data-work-order="{orders[1].pk}"]')
    second.get_by_test_id("schedule-reason").fill("客户约定")
    second.get_by_test_id("schedule-engineer").select_option(str(engineer.pk))
    second.get_by_test_id("schedule-start").select_option("11:00")
    second.get_by_test_id("schedule-book").click()
    expect(page.get_by_test_id("schedule-error")).to_contain_text(orders[0].number)
    assert WorkOrder.objects.get(pk=orders[1].pk).engineer_id is None
    assert not Appointment.objects.filter(work_order_id=orders[1].pk).exists()


def test_r12_schedule_board_on_a_phone_is_a_list(open_page, live_server):
    point = f.ServicePointFactory(name="杭州西湖服务站")
    f.EngineerFactory(service_point=point, user__last_name="周", user__first_name="工")
    f.UserFactory(username="dispatcher", role=Role.DISPATCHER)
    page = open_page(width=390, height=800, phone=True)
    login(page, live_server.url, "dispatcher")
    page.goto(f"{live_server.url}/field/schedule/?service_point={point.pk}")
    expect(page.get_by_test_id("schedule-list")).to_be_visible()
    expect(page.get_by_test_id("schedule-grid")).to_be_hidden()
    expect(page.get_by_test_id("schedule-list-engineer")).to_contain_text("周工")
