"""Customers and devices found by their words (issue 12, core.search): the customer and device
lists and the global search share one search service with the work orders."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aftersales.customers.services import contact_create, customer_create, customer_update
from aftersales.devices.services import device_update
from tests import factories as f

pytestmark = pytest.mark.django_db


def list_names(client, url: str, q: str) -> set[str]:
    response = client.get(url, {"q": q})
    assert response.status_code == 200
    return {str(row) for row in response.context["rows"]}


def test_customers_are_found_by_words_of_their_name_contacts_and_region(client, agent):
    xinghe = customer_create(
        name="苏州星河电子有限公司", phone="13900001111", province="江苏省", city="苏州市", district="吴中区"
    )
    other = customer_create(
        name="杭州新源科技有限公司", phone="13900002222", province="浙江省", city="杭州市"
    )
    contact_create(customer=other, name="陈英", phone="13900003333")
    client.force_login(agent)
    url = reverse("customers:list")
    assert list_names(client, url, "星河 电子") == {str(xinghe)}  # two words, anywhere in the name
    assert list_names(client, url, "陈英") == {str(other)}  # a contact person
    assert list_names(client, url, "吴中区") == {str(xinghe)}  # the region
    customer_update(customer=xinghe, name="苏州银河电子有限公司")
    assert list_names(client, url, "银河") == {str(xinghe)}
    assert list_names(client, url, "星河") == set()


def test_devices_are_found_by_model_customer_and_address_words(client, agent):
    model = f.ProductModelFactory(name="彩色激光多功能一体机")
    device = f.DeviceFactory(product_model=model, serial_number="CNB9X00001", install_address="三楼财务室")
    f.DeviceFactory(serial_number="CNB9X00002")
    client.force_login(agent)
    url = reverse("devices:list")
    assert list_names(client, url, "财务室") == {str(device)}
    assert list_names(client, url, "彩色 激光") == {str(device)}
    device_update(device=device, install_address="一楼前台")
    assert list_names(client, url, "前台") == {str(device)}


def test_the_global_search_finds_customers_and_devices_by_their_words(client, agent):
    customer = customer_create(name="苏州星河电子有限公司", phone="13900001111", contact_name="王小明")
    device = f.DeviceFactory(customer=customer, install_address="二号车间")
    client.force_login(agent)
    results = client.get(reverse("workorders:search"), {"q": "王小明"}).context["results"]
    assert results.customers == [customer]
    results = client.get(reverse("workorders:search"), {"q": "车间"}).context["results"]
    assert results.devices == [device]


def test_r37_the_customer_search_stays_in_the_dealers_scope(client, world):
    mine = f.CustomerFactory(name="星河电子甲", dealer=world.dealer_a)
    f.CustomerFactory(name="星河电子乙", dealer=world.dealer_b)
    client.force_login(world.staff_a)
    assert list_names(client, reverse("customers:list"), "星河") == {str(mine)}
