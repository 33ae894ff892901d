"""Customer and device pages: scoping (R37), masking and logged export (R41), create form."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from aftersales.accounts.choices import Role
from aftersales.core.models import AccessLog
from aftersales.customers.models import Customer

from .. import factories as f


@pytest.fixture
def two_dealers(world):
    customer_a = f.CustomerFactory(name="广州甲公司", dealer=world.dealer_a, phone="+8613812341234")
    customer_b = f.CustomerFactory(name="成都乙公司", dealer=world.dealer_b, phone="+8613987654321")
    device_a = f.DeviceFactory(customer=customer_a, serial_number="SNA0001")
    device_b = f.DeviceFactory(customer=customer_b, serial_number="SNB0001")
    world.customer_a, world.customer_b = customer_a, customer_b
    world.device_a, world.device_b = device_a, device_b
    return world


def test_r37_dealer_sees_only_own_customers_and_devices(client, two_dealers):
    w = two_dealers
    client.force_login(w.staff_b)
    page = client.get(reverse("customers:list")).content.decode()
    assert "成都乙公司" in page and "广州甲公司" not in page
    assert client.get(reverse("customers:detail", args=[w.customer_a.pk])).status_code == 404
    assert client.get(reverse("customers:detail", args=[w.customer_b.pk])).status_code == 200
    page = client.get(reverse("devices:list")).content.decode()
    assert "SNB0001" in page and "SNA0001" not in page
    assert client.get(reverse("devices:detail", args=[w.device_a.pk])).status_code == 404
    assert client.get(reverse("devices:detail", args=[w.device_b.pk])).status_code == 200


def test_r37_dealer_export_contains_only_own_customers(client, two_dealers):
    client.force_login(two_dealers.staff_b)
    response = client.get(reverse("customers:export"))
    sheet = load_workbook(BytesIO(response.getvalue())).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["成都乙公司"]


def test_r37_agent_sees_all_and_searches_by_phone(client, agent, two_dealers):
    client.force_login(agent)
    page = client.get(reverse("customers:list")).content.decode()
    assert "成都乙公司" in page and "广州甲公司" in page
    page = client.get(reverse("customers:list"), {"q": "8765"}).content.decode()
    assert "成都乙公司" in page and "广州甲公司" not in page
    page = client.get(reverse("devices:list"), {"q": "sna"}).content.decode()
    assert "SNA0001" in page and "SNB0001" not in page


def test_r41_phone_masked_for_finance(client, finance, agent, two_dealers):
    client.force_login(finance)
    page = client.get(reverse("customers:detail", args=[two_dealers.customer_a.pk])).content.decode()
    assert "138****1234" in page and "13812341234" not in page
    page = client.get(reverse("customers:list")).content.decode()
    assert "138****1234" in page and "13812341234" not in page
    sheet = load_workbook(BytesIO(client.get(reverse("customers:export")).getvalue())).active
    phones = {row[3] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert "138****1234" in phones and "13812341234" not in phones
    client.force_login(agent)  # a customer's page is a record: masked for the agent too
    page = client.get(reverse("customers:detail", args=[two_dealers.customer_a.pk])).content.decode()
    assert "138****1234" in page and "13812341234" not in page and 'data-testid="reveal"' in page


def test_r41_export_and_view_are_logged(client, agent, two_dealers):
    client.force_login(agent)
    response = client.get(reverse("customers:export"), {"q": "公司"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AccessLog.objects.filter(actor=agent, action="export", resource="customers").exists()
    client.get(reverse("devices:export"))
    assert AccessLog.objects.filter(actor=agent, action="export", resource="devices").exists()
    client.get(reverse("customers:detail", args=[two_dealers.customer_a.pk]))
    assert AccessLog.objects.filter(
        actor=agent,
        action="view",
        resource="customer",
        object_id=str(two_dealers.customer_a.pk),
        detail=two_dealers.customer_a.code,
    ).exists()


def test_r37_customer_list_query_count_does_not_grow(client, agent, django_assert_max_num_queries):
    client.force_login(agent)
    f.CustomerFactory.create_batch(3)
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("customers:list"))
    f.CustomerFactory.create_batch(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("customers:list"))


def test_r37_customer_create_normalises_phone(client, agent):
    client.force_login(agent)
    response = client.post(
        reverse("customers:create"),
        {"kind": "company", "name": "杭州新源科技有限公司", "phone": "138 1234 5678", "contact_name": "王伟"},
    )
    customer = Customer.objects.get(name="杭州新源科技有限公司")
    assert response.status_code == 302
    assert customer.phone == "+8613812345678"
    assert customer.contacts.get().name == "王伟"


def test_r5_a_new_customers_region_is_picked_in_cascade_and_checked(client, agent):
    """Issue 12: province, city and district are chosen from China's divisions, so dispatch can
    route the customer's work; a district of another city is refused and nothing is saved."""
    client.force_login(agent)
    page = client.get(reverse("customers:create")).content.decode()
    assert 'data-division="province"' in page and 'data-division="district"' in page
    base = {"kind": "company", "name": "杭州新源科技有限公司", "phone": "13812345678"}
    region = {"province": "浙江省", "city": "杭州市", "district": "徐汇区", "address": "文三路 90 号"}
    response = client.post(reverse("customers:create"), {**base, **region})
    assert response.status_code == 200 and "district" in response.context["form"].errors
    assert not Customer.objects.exists()
    response = client.post(reverse("customers:create"), {**base, **region, "district": "西湖区"})
    assert response.status_code == 302
    customer = Customer.objects.get()
    assert (customer.province, customer.city, customer.district) == ("浙江省", "杭州市", "西湖区")


def test_r37_customer_create_bad_phone_saves_nothing(client, agent):
    client.force_login(agent)
    response = client.post(
        reverse("customers:create"), {"kind": "company", "name": "某公司", "phone": "12345"}
    )
    assert response.status_code == 200
    assert "phone" in response.context["form"].errors
    assert not Customer.objects.exists()


def test_r37_dealer_staff_creates_customer_of_own_dealer(client, world):
    client.force_login(world.staff_a)
    client.post(reverse("customers:create"), {"kind": "individual", "name": "张三", "phone": "13900001111"})
    assert Customer.objects.get(name="张三").dealer == world.dealer_a


def test_r37_finance_may_not_create_customers(client, finance):
    client.force_login(finance)
    assert client.get(reverse("customers:create")).status_code == 403


@pytest.mark.parametrize("role", [Role.FINANCE, Role.ENGINEER])
def test_r37_pages_need_login_and_load(client, make_user, role):
    assert client.get(reverse("customers:list")).status_code == 302
    client.force_login(make_user(role, username=f"u_{role}"))
    assert client.get(reverse("customers:list")).status_code == 200
    assert client.get(reverse("devices:list")).status_code == 200
