"""Device page (issue 12): its whole service history (work orders, visits, parts replaced on site
and in the depot, depot and external repairs with what was found), newest first a page at a time,
its warranty state, QR code and serial, the customer, and a "new request for this device" button
that opens intake filled in; scoped (R37), and its cost does not grow with the history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales.accounts.choices import Role
from aftersales.field.models import Visit, VisitPart
from aftersales.servicing.choices import DepotState, SendOutReason
from aftersales.servicing.models import DepotRepair, DepotRepairPart, ExternalRepair

from .. import factories as f
from ..servicing.factories import VendorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(order):
    """On the device's work order: a visit with a part replaced, a depot repair with a part and an
    external repair."""
    visit = Visit.objects.create(
        number="VS202605300001",
        work_order=order,
        engineer=order.engineer,
        planned_date=date(2026, 5, 30),
        state="done",
        findings="定影器损坏",
    )
    VisitPart.objects.create(
        visit=visit, part_number="RM1-2337", name="定影组件", quantity=1, created_by=order.engineer.user
    )
    depot = DepotRepair.objects.create(
        work_order=order,
        number="DR202605310001",
        state=DepotState.EXTERNAL,
        received_by=order.engineer.user,
        fault_found="主板烧毁",
    )
    DepotRepairPart.objects.create(
        depot_repair=depot, part_number="MB-100", name="主板", quantity=1, created_by=order.engineer.user
    )
    ExternalRepair.objects.create(
        work_order=order,
        depot_repair=depot,
        vendor=VendorFactory(name="深圳华强维修"),
        state="sent",
        reason=SendOutReason.BEYOND_LOCAL,
        vendor_contact="王经理",
        voucher_number="HQ-1",
        sent_by=order.engineer.user,
        expected_back_on=timezone.localdate() + timedelta(days=5),
    )
    return order


def test_the_device_page_shows_its_whole_service_history(client, agent, device, history, sell):
    sell()
    client.force_login(agent)
    html = client.get(reverse("devices:detail", args=[device.pk])).content.decode()
    kinds = {"workorder", "visit", "visit_part", "depot", "depot_part", "external"}
    for kind in kinds:
        assert f'data-kind="{kind}"' in html, kind
    assert history.number in html and "定影器损坏" in html and "RM1-2337" in html and "主板烧毁" in html
    assert "MB-100" in html and "深圳华强维修" in html
    # bought 2024-04-01 with 12 months: the warranty ended, the contract sold covers it (R35)
    assert 'data-testid="warranty-state" data-state="contract"' in html
    assert 'data-testid="device-qr"' in html and "<svg" in html
    assert device.customer.name in html
    assert f'href="/workorders/new/?device={device.pk}"' in html


def test_new_request_for_this_device_opens_intake_filled_in(client, agent, device):
    f.ContactFactory(customer=device.customer, name="李工", phone="+8613911112222", is_primary=True)
    client.force_login(agent)
    html = client.get(reverse("workorders:intake"), {"device": device.pk}).content.decode()
    assert f'name="device" value="{device.pk}"' in html
    assert f'name="customer" value="{device.customer_id}"' in html
    assert f'value="{device.serial_number}"' in html and 'value="李工"' in html


def test_r37_intake_ignores_a_device_out_of_scope(client, world, device):
    client.force_login(world.staff_a)
    html = client.get(reverse("workorders:intake"), {"device": device.pk}).content.decode()
    assert f'name="device" value="{device.pk}"' not in html


def test_r37_the_history_leaves_out_work_orders_the_user_may_not_see(client, world, device, history):
    """A dealer's staff seeing the device (their customer) see only their points' work orders."""
    device.customer.dealer = world.dealer_a
    device.customer.save()
    mine = f.WorkOrderFactory(customer=device.customer, device=device, service_point=world.point_a)
    client.force_login(world.staff_a)
    html = client.get(reverse("devices:detail", args=[device.pk])).content.decode()
    assert mine.number in html
    assert history.number not in html and "定影器损坏" not in html and "MB-100" not in html


def test_the_history_pages_with_a_cursor_and_its_cost_does_not_grow(
    client, agent, device, order, django_assert_max_num_queries
):
    client.force_login(agent)
    url = reverse("devices:detail", args=[device.pk])
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    baseline = len(few.captured_queries)
    start = timezone.now() - timedelta(days=100)
    for n in range(30):
        wo = f.WorkOrderFactory(customer=device.customer, device=device, service_point=order.service_point)
        type(wo).objects.filter(pk=wo.pk).update(created_at=start + timedelta(days=n))
    with django_assert_max_num_queries(baseline):
        html = client.get(url).content.decode()
    assert html.count('data-testid="device-history-entry"') == 20
    assert 'data-testid="device-history-more"' in html
    more = html.split('hx-get="')[-1].split('"')[0].replace("&amp;", "&")
    rest = client.get(more, headers={"HX-Request": "true"}).content.decode()
    assert rest.count('data-testid="device-history-entry"') == 11  # 31 work orders in all
    assert 'data-testid="device-history-more"' not in rest
    nonsense = more.split("?")[0] + "?before=nonsense"
    assert client.get(nonsense, headers={"HX-Request": "true"}).status_code == 404


def test_roles_that_take_no_requests_see_no_new_request_button(client, device, make_user):
    user = make_user(Role.FINANCE, username="fin")
    client.force_login(user)
    html = client.get(reverse("devices:detail", args=[device.pk])).content.decode()
    assert 'data-testid="device-new-request"' not in html
