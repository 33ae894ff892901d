"""R13, R21: the 产品维修过程记录 (product repair process record) prints with the company header,
the repair order number and QR code, and renders in Chinese as a PDF."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from pypdf import PdfReader

from aftersales.core.models import AccessLog

pytestmark = pytest.mark.django_db


def url(repair, query=""):
    return reverse("servicing:repair_print", args=[repair.pk]) + query


def test_r13_print_view_has_the_record_number_qr_and_entries(client, eng, repair):
    client.force_login(eng)
    html = client.get(url(repair)).content.decode()
    assert 'data-testid="doc-qr"' in html and repair.number in html and repair.work_order.number in html
    assert "更换定影组件" in html and "外壳完好" in html
    assert 'href="?format=pdf"' in html


def test_r13_r21_repair_record_pdf_in_chinese_with_labels_and_work_order_number(client, eng, repair):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.force_login(eng)
    response = client.get(url(repair, "?format=pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    with translation.override("zh-hans"):
        labels = [
            gettext(label) for label in ("Product repair process record", "Intake inspection", "Work done")
        ]
    for label in ("客户", "序列号", "工单", *labels):
        assert label in text, label
    assert repair.work_order.number in text and repair.number in text and "更换定影组件" in text
    assert AccessLog.objects.filter(action="export", resource="document").exists()


def test_r37_repair_record_outside_the_scope_is_404(client, world, repair):
    client.force_login(world.staff_b)
    assert client.get(url(repair)).status_code == 404
