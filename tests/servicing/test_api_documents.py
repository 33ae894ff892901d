"""Issue 13: the depot repair's 产品维修过程记录 (product repair process record, R13, R21) as a PDF
over the API, the same document as the print view's PDF: scoped like the page (R37: another
dealer's repair is a 404), its download logged (R41)."""

from __future__ import annotations

from io import BytesIO

import pytest
from pypdf import PdfReader

from aftersales.accounts.choices import Role
from aftersales.core.models import AccessLog

from .. import factories as f
from ..api.helpers import assert_problem

pytestmark = pytest.mark.django_db


def url(record) -> str:
    return f"/api/depot-repairs/{record.pk}/print/"


def test_r13_r21_the_repair_record_is_the_pages_pdf_over_the_api_and_logged_r41(api_client, eng, repair):
    response = api_client(eng).get(url(repair), HTTP_ACCEPT="application/pdf")

    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert "attachment;" in response["Content-Disposition"]
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert repair.number in text and repair.work_order.number in text and "更换定影组件" in text
    entry = AccessLog.objects.get(actor=eng, action=AccessLog.Action.EXPORT, resource="document")
    assert entry.detail == f"Product repair process record-{repair.number}.pdf"


def test_r37_another_dealers_repair_record_is_a_404_problem(api_client, repair):
    other_dealer_staff = f.UserFactory(role=Role.DEALER_STAFF, dealer=f.DealerFactory())
    client = api_client(other_dealer_staff)

    assert_problem(client.get(url(repair)), 404)
    assert_problem(client.get("/api/depot-repairs/999999/print/"), 404)
    assert not AccessLog.objects.filter(resource="document").exists()
