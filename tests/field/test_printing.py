"""R21 the 技术服务任务单 (technical service task form): print view and PDF of a work order with its
customer, device, fault, dispatch and booked visits (R12), scoped like the work order (R37)."""

from __future__ import annotations

import io
from datetime import time, timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from pypdf import PdfReader

from aftersales.core.models import AccessLog
from aftersales.field.models import Appointment
from aftersales.workorders.choices import State

from .. import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(world):
    engineer = world.engineer_a
    work_order = f.WorkOrderFactory(
        service_point=engineer.service_point,
        engineer=engineer,
        state=State.ASSIGNED,
        customer=f.CustomerFactory(
            name="上海星辰科技有限公司", province="上海市", city="上海市", address="漕溪北路 88 号"
        ),
        contact_phone="+8613812341234",
        serial_number="SN-TASK-0001",
        fault_symptom="开机后卡纸，无法打印",
    )
    Appointment.objects.create(
        work_order=work_order,
        engineer=engineer,
        date=timezone.localdate() + timedelta(days=1),
        window_start=time(9),
        window_end=time(11),
    )
    return work_order


def url(work_order, query: str = "") -> str:
    return reverse("field:task_form", args=[work_order.pk]) + query


def test_r21_task_form_print_view_shows_the_work_order_data_and_qr(client, dispatcher, order):
    client.force_login(dispatcher)
    response = client.get(url(order))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (order.number, "上海星辰科技有限公司", "漕溪北路 88 号", "SN-TASK-0001", "开机后卡纸"):
        assert text in html
    assert "13812341234" in html  # a dispatcher reads the number in full
    assert order.engineer.user.display_name in html and order.service_point.name in html
    assert "09:00–11:00" in html and 'data-testid="task-appointment"' in html
    assert 'data-testid="doc-qr"' in html and '<svg viewBox="0 0' in html
    assert f'href="{reverse("workorders:detail", args=[order.pk])}"' in html  # back to the record
    assert 'href="?format=pdf"' in html


def test_r21_task_form_pdf_in_chinese_has_labels_number_and_customer(client, dispatcher, order):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.force_login(dispatcher)
    response = client.get(url(order, "?format=pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert (
        "attachment;" in response["Content-Disposition"] and order.number in response["Content-Disposition"]
    )
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    with translation.override("zh-hans"):
        title = gettext("Technical service task form")
    for label in ("客户", "联系人", "序列号", "故障现象", "服务网点", "工程师", "上门预约", title):
        assert label in text, label
    assert order.number in text and "上海星辰科技有限公司" in text and "SN-TASK-0001" in text
    assert AccessLog.objects.filter(
        actor=dispatcher, action=AccessLog.Action.EXPORT, resource="document"
    ).exists()


def test_r37_task_form_outside_the_users_scope_is_404(client, world, order):
    client.force_login(world.staff_b)  # the other dealer's staff
    assert client.get(url(order)).status_code == 404
    assert client.get(url(order, "?format=pdf")).status_code == 404
    client.force_login(world.staff_a)
    assert client.get(url(order)).status_code == 200
    client.force_login(world.engineer_b.user)
    assert client.get(url(order)).status_code == 404
    client.logout()
    assert client.get(url(order)).status_code == 302  # to the login page


def test_r41_task_form_masks_the_phone_for_roles_that_do_not_need_it(client, finance, order):
    client.force_login(finance)
    html = client.get(url(order)).content.decode()
    assert "138****1234" in html and "13812341234" not in html


def test_r21_work_order_page_has_the_print_task_form_button(client, agent, order):
    client.force_login(agent)
    html = client.get(reverse("workorders:detail", args=[order.pk]) + "?tab=service").content.decode()
    assert 'data-testid="print-task-form"' in html and url(order) in html
    order.state = State.CANCELLED
    order.save()
    html = client.get(reverse("workorders:detail", args=[order.pk]) + "?tab=service").content.decode()
    assert 'data-testid="print-task-form"' not in html
