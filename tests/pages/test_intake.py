"""Intake built for a phone call: lookups, inline customer, read-back (R3), nothing half-saved (R2),
first-contact resolution (R4), preliminary assessment (R7)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from aftersales.customers.models import Customer
from aftersales.sla.models import SlaClock
from aftersales.workorders.choices import State
from aftersales.workorders.models import WorkOrder

from .. import factories as f
from ..timeutil import at, frozen

pytestmark = pytest.mark.django_db

INTAKE = reverse("workorders:intake")


@pytest.fixture
def customer():
    return f.CustomerFactory(name="上海浦江印务有限公司", phone="+8613811112222")


def form_data(**overrides):
    data = {
        "channel": "phone",
        "type": "repair",
        "priority": "normal",
        "contact_name": "张伟",
        "contact_phone": "13900001234",
        "device_model_text": "HP LaserJet Pro M404dn",
        "serial_number": "phb1234567",
        "part_model": "CF276A",
        "purchase_date": "2025-06-01",
        "fault_symptom": "打印时出现竖条纹",
        "error_messages": "49 错误",
        "recent_operations": "更换过硒鼓",
        "fault_category": "成像",
        "probable_cause": "硒鼓损坏",
        "proposed_handling": "on_site",
        "estimated_hours": "1.5",
        "new_customer_kind": "company",
    }
    data.update(overrides)
    return data


SUZHOU = {
    "new_customer_province": "江苏省",
    "new_customer_city": "苏州市",
    "new_customer_district": "吴中区",
    "new_customer_address": "星湖街 328 号",
}


def test_intake_page_has_testids(client, agent):
    client.force_login(agent)
    body = client.get(INTAKE).content.decode()
    for testid in (
        "intake-channel",
        "intake-type",
        "intake-customer-search",
        "intake-device-search",
        "intake-fault_symptom",
        "intake-new_customer",
        "intake-review",
    ):
        assert f'data-testid="{testid}"' in body, testid


def test_r3_readback_shows_key_data_and_saves_nothing(client, agent, customer):
    client.force_login(agent)
    response = client.post(INTAKE, form_data(customer=customer.pk, step="review"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="intake-confirm"' in body and 'data-testid="intake-back"' in body
    readback = {key: value for key, _label, value in response.context["readback"]}
    assert readback["customer"] == customer.name
    assert readback["contact_phone"] == "13900001234"
    assert "HP LaserJet Pro M404dn" in readback["device"]
    assert readback["fault_symptom"] == "打印时出现竖条纹"
    assert WorkOrder.objects.count() == 0


def test_r3_back_to_edit_keeps_input(client, agent, customer):
    client.force_login(agent)
    response = client.post(INTAKE, form_data(customer=customer.pk, step="edit"))
    assert response.status_code == 200
    assert response.templates[0].name == "workorders/intake.html"
    assert "打印时出现竖条纹" in response.content.decode()
    assert WorkOrder.objects.count() == 0


def test_r1_r7_intake_confirm_creates_and_redirects_with_number(client, agent, customer):
    client.force_login(agent)
    response = client.post(INTAKE, form_data(customer=customer.pk, step="confirm"), follow=True)
    work_order = WorkOrder.objects.get()
    assert response.redirect_chain[-1][0] == reverse("workorders:detail", args=[work_order.pk])
    assert work_order.number in response.content.decode()
    assert 'data-testid="message-success"' in response.content.decode()
    assert work_order.customer == customer
    assert work_order.channel == "phone" and work_order.state == State.NEW
    assert work_order.contact_phone == "+8613900001234"
    assert work_order.serial_number == "PHB1234567"
    assert work_order.fault_category == "成像" and work_order.proposed_handling == "on_site"
    assert work_order.estimated_hours == Decimal("1.5")
    assert work_order.created_by == agent


def test_intake_with_new_customer_inline(client, agent):
    client.force_login(agent)
    data = form_data(
        new_customer="on",
        new_customer_name="苏州新月科技有限公司",
        new_customer_phone="0512-65001234",
        **SUZHOU,
    )
    client.post(INTAKE, {**data, "step": "review"})
    assert Customer.objects.count() == 0  # read-back saves nothing
    client.post(INTAKE, {**data, "step": "confirm"})
    work_order = WorkOrder.objects.get()
    assert work_order.customer.name == "苏州新月科技有限公司"
    assert work_order.customer.phone == "+8651265001234"
    # R5: with the address picked in cascade, dispatch can route the new customer's work
    customer = work_order.customer
    assert (customer.province, customer.city, customer.district) == ("江苏省", "苏州市", "吴中区")
    assert customer.address == "星湖街 328 号"


def test_r5_a_new_customer_needs_an_address_whose_parts_belong_together(client, agent):
    client.force_login(agent)
    base = form_data(
        new_customer="on", new_customer_name="苏州新月科技有限公司", new_customer_phone="13955550000"
    )
    form = client.post(INTAKE, {**base, "step": "review"}).context["form"]
    assert form.errors["new_customer_province"] == ["Choose a province."]
    wrong = {**SUZHOU, "new_customer_district": "徐汇区"}  # Shanghai's, not Suzhou's
    form = client.post(INTAKE, {**base, **wrong, "step": "review"}).context["form"]
    assert "new_customer_district" in form.errors
    assert Customer.objects.count() == 0
    # shown again with the error, the cascade keeps its levels' choices
    cities = [value for value, _label in form.fields["new_customer_city"].choices]
    assert "苏州市" in cities and "杭州市" not in cities


def test_the_address_picker_loads_each_level_from_the_divisions_api(client, agent):
    client.force_login(agent)
    provinces = client.get("/api/divisions/").json()["results"]
    jiangsu = next(row for row in provinces if row["name"] == "江苏省")
    assert len(provinces) == 34 and jiangsu["code"] == "320000"
    cities = client.get("/api/divisions/", {"parent": jiangsu["code"]}).json()["results"]
    suzhou = next(row for row in cities if row["name"] == "苏州市")
    districts = client.get("/api/divisions/", {"parent": suzhou["code"]}).json()["results"]
    assert "吴中区" in {row["name"] for row in districts}
    shanghai = client.get("/api/divisions/", {"parent": "310000"}).json()["results"]
    assert [row["name"] for row in shanghai] == ["上海市"]  # a municipality is its own city
    response = client.get("/api/divisions/", {"parent": "32"})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "parent"
    page = client.get(INTAKE).content.decode()
    assert 'data-division="province"' in page and 'data-code="320000"' in page


def test_intake_with_device_from_lookup(client, agent):
    device = f.DeviceFactory(serial_number="VNB3K00077", customer=f.CustomerFactory())
    client.force_login(agent)
    data = form_data(customer=device.customer.pk, device=device.pk, device_model_text="", serial_number="")
    client.post(INTAKE, {**data, "step": "confirm"})
    work_order = WorkOrder.objects.get()
    assert work_order.device == device
    assert work_order.serial_number == "VNB3K00077"
    assert work_order.product_model == device.product_model


def test_r1_r34_the_agent_dates_a_voicemail_back_and_the_clocks_start_then(client, agent, customer):
    """A voicemail left on Friday 17:00, typed in on Monday 10:00: read back, saved as received
    then, and the first-response clock counts from it (24 working hours: Wednesday 17:00)."""
    client.force_login(agent)
    data = form_data(customer=customer.pk, received_at="2026-11-20T17:00")
    with frozen(at(2026, 11, 23, 10)):
        review = client.post(INTAKE, {**data, "step": "review"})
        assert "2026-11-20 17:00" in review.content.decode()
        assert 'name="received_at"' in review.content.decode()  # carried to the confirmation
        client.post(INTAKE, {**data, "step": "confirm"})
    work_order = WorkOrder.objects.get()
    assert work_order.received_at == at(2026, 11, 20, 17) and work_order.created_at == at(2026, 11, 23, 10)
    clock = SlaClock.objects.get(work_order=work_order, kind="first_response")
    assert clock.started_at == at(2026, 11, 20, 17) and clock.due_at == at(2026, 11, 25, 17)
    page = client.get(reverse("workorders:detail", args=[work_order.pk])).content.decode()
    assert 'data-testid="received-at"' in page


def test_r1_a_received_time_in_the_future_is_a_field_error(client, agent, customer):
    client.force_login(agent)
    with frozen(at(2026, 11, 23, 10)):
        response = client.post(
            INTAKE, form_data(customer=customer.pk, received_at="2026-11-23T11:00", step="confirm")
        )
    assert "received_at" in response.context["form"].errors
    assert not WorkOrder.objects.exists()


def test_r2_missing_required_data_shows_errors_and_saves_nothing(client, agent):
    client.force_login(agent)
    data = form_data(contact_name="", fault_symptom="", step="confirm")
    response = client.post(INTAKE, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert {"customer", "contact_name", "fault_symptom"} <= set(form.errors)
    assert 'data-testid="form-errors"' in response.content.decode()
    assert WorkOrder.objects.count() == 0 and Customer.objects.count() == 0


def test_r2_service_refusal_saves_no_inline_customer(client, agent):
    """The customer would be valid, but a repair without device model is not: nothing is saved."""
    client.force_login(agent)
    data = form_data(
        new_customer="on",
        new_customer_name="无锡太湖电子有限公司",
        new_customer_phone="13955556666",
        **SUZHOU,
        device_model_text="",
        step="confirm",
    )
    response = client.post(INTAKE, data)
    assert response.status_code == 200
    assert response.context["form"].errors["device_model_text"]
    assert WorkOrder.objects.count() == 0 and Customer.objects.count() == 0


def test_r2_invalid_phone_is_caught_before_readback(client, agent, customer):
    client.force_login(agent)
    response = client.post(INTAKE, form_data(customer=customer.pk, contact_phone="12345", step="review"))
    assert response.context["form"].errors["contact_phone"]
    assert "readback" not in response.context


def test_r2_new_customer_needs_name_and_phone(client, agent):
    client.force_login(agent)
    response = client.post(INTAKE, form_data(new_customer="on", step="review"))
    errors = response.context["form"].errors
    assert "new_customer_name" in errors and "new_customer_phone" in errors


def test_r4_consultation_resolved_at_first_contact(client, agent, customer):
    client.force_login(agent)
    data = form_data(
        customer=customer.pk,
        type="consultation",
        device_model_text="",
        fault_symptom="咨询如何更换墨盒",
        resolved_at_first_contact="on",
        resolution="电话指导客户更换墨盒，已解决",
        step="confirm",
    )
    response = client.post(INTAKE, data, follow=True)
    work_order = WorkOrder.objects.get()
    assert work_order.state == State.CLOSED
    assert work_order.resolution == "电话指导客户更换墨盒，已解决"
    assert work_order.events.filter(kind="transition", action="resolve").exists()
    assert response.status_code == 200


def test_r4_first_contact_resolution_only_for_consultations(client, agent, customer):
    client.force_login(agent)
    data = form_data(
        customer=customer.pk, resolved_at_first_contact="on", resolution="已解决", step="confirm"
    )
    response = client.post(INTAKE, data)
    assert response.context["form"].errors["type"]
    assert WorkOrder.objects.count() == 0


def test_r4_first_contact_resolution_needs_resolution_text(client, agent, customer):
    client.force_login(agent)
    data = form_data(
        customer=customer.pk,
        type="consultation",
        resolved_at_first_contact="on",
        resolution="",
        step="review",
    )
    response = client.post(INTAKE, data)
    assert response.context["form"].errors["resolution"]
    assert WorkOrder.objects.count() == 0


def test_customer_lookup_by_phone_and_name(client, agent, customer):
    f.ContactFactory(customer=customer, name="赵敏", phone="+8613700009999")
    client.force_login(agent)
    body = client.get(reverse("workorders:lookup_customers"), {"q": "11112222"}).content.decode()
    assert customer.name in body and 'data-contact-name="赵敏"' in body
    assert 'data-contact-phone="13700009999"' in body
    body = client.get(reverse("workorders:lookup_customers"), {"q": "浦江"}).content.decode()
    assert 'data-testid="customer-option"' in body


def test_r37_customer_lookup_scoped_for_dealer(client, world):
    foreign = f.CustomerFactory(name="外部客户有限公司", dealer=world.dealer_b)
    own = f.CustomerFactory(name="自己客户有限公司", dealer=world.dealer_a)
    client.force_login(world.staff_a)
    body = client.get(reverse("workorders:lookup_customers"), {"q": "客户有限公司"}).content.decode()
    assert own.name in body and foreign.name not in body


def test_device_lookup_by_serial(client, agent):
    device = f.DeviceFactory(serial_number="ZX9900112")
    client.force_login(agent)
    body = client.get(reverse("workorders:lookup_devices"), {"serial": "zx9900"}).content.decode()
    assert 'data-testid="device-option"' in body and "ZX9900112" in body
    assert f'data-customer-id="{device.customer_id}"' in body


def test_r37_dealer_intake_needs_own_service_point(client, world):
    customer = f.CustomerFactory(dealer=world.dealer_a)
    client.force_login(world.staff_a)
    response = client.post(INTAKE, form_data(customer=customer.pk, step="review"))
    assert "service_point" in response.context["form"].errors
    data = form_data(customer=customer.pk, service_point=world.point_b.pk, step="review")
    assert "service_point" in client.post(INTAKE, data).context["form"].errors
    data = form_data(customer=customer.pk, service_point=world.point_a.pk, step="confirm")
    response = client.post(INTAKE, data)
    work_order = WorkOrder.objects.get(customer=customer)
    assert response["Location"] == reverse("workorders:detail", args=[work_order.pk])


def test_r37_intake_and_edit_are_for_front_line_roles_only(client, finance, agent):
    """Finance reads work orders but does not take or edit requests: 403, and no menu entry."""
    order = f.WorkOrderFactory(created_by=agent)
    client.force_login(finance)
    assert client.get(reverse("workorders:intake")).status_code == 403
    assert client.get(reverse("workorders:edit", args=[order.pk])).status_code == 403
    page = client.get(reverse("workorders:detail", args=[order.pk])).content.decode()
    assert 'data-testid="nav-intake"' not in page and 'data-testid="edit"' not in page
